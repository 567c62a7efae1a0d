import { describe, expect, it } from 'vitest';
import { MAX_UNVERIFIED_BODY, MAX_WEBHOOK_HEADER_BYTES, MAX_WEBHOOK_URL } from '../src/domain/deliveries';
import { FLOOD_REASON, UNVERIFIED_LOGGED_PER_CONNECTOR, UNVERIFIED_PER_SOURCE } from '../src/domain/delivery-flood';
import { AUTH_TOKEN, callStatus, formBody, formPairs, signTwilio } from './adapters/twilio/fixtures';
import { CUSTOMER_NUMBER, vonageJwt, vonageQueuedCall } from './adapters/vonage/fixtures';
import { createAgent, createQueue, createTenant } from './factories';
import { call, expectProblem } from './helpers/api';
import { asTenant } from './helpers/db';
import { abandonedCall, callId, settle, T0 } from './helpers/ingest';
import { deliverSigned } from './helpers/webhooks';

async function setup() {
  const t = await createTenant();
  const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
  expect(res.status, res.text).toBe(201);
  return { t, q, connector: res.body as { id: string; secret: string } };
}

describe('the delivery log stores only what Postgres can hold', () => {
  it('an unsigned delivery with a NUL byte and a cut surrogate pair is logged escaped, and history keeps flowing', async () => {
    const { t, q, connector } = await setup();
    // A lone surrogate cannot come out of the UTF-8 decoder, but a cut at the unverified body limit makes one.
    const start = '{"events": "a\u0000b", "pad": "';
    const poison = `${start}${'x'.repeat(MAX_UNVERIFIED_BODY - start.length - 1)}😀😀"}`;
    const unsigned = await call('POST', `/v1/webhooks/generic/${connector.id}`, {
      rawBody: poison,
      headers: { 'Content-Type': 'application/json' },
    });
    expectProblem(unsigned, 401, 'SIGNATURE_MISSING');
    const id = callId('after-nul');
    const ok = await deliverSigned(connector, JSON.stringify({ events: abandonedCall(id, q.id, 20) }));
    expect(ok.status, ok.text).toBe(200);
    await settle(t);

    const list = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data as {
      body: string;
      verified: boolean;
    }[];
    expect(list.map((d) => d.verified)).toEqual([true, false]);
    const stored = list[1]?.body ?? '';
    expect(stored.startsWith('{"events": "a\\u0000b"')).toBe(true);
    expect(stored.includes('\u0000')).toBe(false);
    expect(stored.endsWith('x\ufffd')).toBe(true);
    const events = await asTenant(t.id, (sql) => sql('SELECT count(*)::int AS n FROM events WHERE interaction_id = $1', [id]));
    expect(events).toEqual([{ n: 4 }]);
  });

  it('a signed Twilio callback with CallStatus=%00 is logged (its ignored status cleaned like any adapter output), and history keeps flowing', async () => {
    const t = await createTenant();
    const res = await t.admin.post('/v1/connectors', {
      name: 'Twilio',
      provider: 'twilio',
      credentials: { authToken: AUTH_TOKEN },
      options: { publicBaseUrl: 'http://callboard.test' },
    });
    expect(res.status, res.text).toBe(201);
    const connector = res.body as { id: string; webhookPath: string };
    const callSid = `CA${crypto.randomUUID().replaceAll('-', '')}`;
    for (const [seq, status] of (['\u0000', 'ringing'] as const).entries()) {
      const raw = formBody(callStatus({ callSid, status, atMs: T0 + seq * 1000, seq }));
      const signature = await signTwilio(AUTH_TOKEN, `http://callboard.test${connector.webhookPath}`, formPairs(raw));
      const r = await call('POST', connector.webhookPath, {
        rawBody: raw,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      });
      expect(r.status, r.text).toBe(200);
    }
    await settle(t);
    const log = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data as { ignored: { what: string }[] }[];
    expect(log).toHaveLength(2);
    expect(log[1]?.ignored[0]?.what).toBe('call \ufffd');
    const interactions = await asTenant(t.id, (sql) =>
      sql('SELECT count(*)::int AS n FROM interactions WHERE tenant_id = $1', [t.id]),
    );
    expect(interactions).toEqual([{ n: 1 }]);
  });
});

describe('a flood of unverified deliveries', () => {
  it('stores at most a bounded log, answers noisy sources 429, and lets signed deliveries through', async () => {
    const { t, q, connector } = await setup();
    const path = `/v1/webhooks/generic/${connector.id}`;
    const query = `?pad=${'p'.repeat(MAX_WEBHOOK_URL - path.length - 200)}`;
    const padding: Record<string, string> = {};
    for (let i = 0; i < 20; i++) padding[`x-pad-${i}`] = 'h'.repeat(Math.floor(MAX_WEBHOOK_HEADER_BYTES / 25));
    const body = JSON.stringify({ events: [], pad: 'b'.repeat(100_000) });
    const sources = ['203.0.113.7', '203.0.113.8'];
    const flood = 2 * (UNVERIFIED_PER_SOURCE.limit + 8);
    const statuses: number[] = [];
    const signed: string[] = [];
    const started = Date.now();
    for (let i = 0; i < flood; i++) {
      const res = await call('POST', `${path}${query}`, {
        rawBody: body,
        headers: {
          ...padding,
          'Content-Type': 'application/json',
          'CF-Connecting-IP': sources[i % 2] as string,
          'webhook-id': `msg_${i}`,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,AAAA',
        },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
      if (i % 8 === 0) {
        const id = callId('flood');
        const ok = await deliverSigned(connector, JSON.stringify({ events: abandonedCall(id, q.id, 15) }));
        expect(ok.status, ok.text).toBe(200);
        signed.push(id);
      }
    }
    const minutes = Math.ceil((Date.now() - started) / 60_000);
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    await settle(t);

    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT verified, reason, suppressed, octet_length(body) + octet_length(url) + octet_length(headers::text) AS bytes
         FROM connector_deliveries WHERE connector_id = $1`,
        [connector.id],
      ),
    );
    const unverified = rows.filter((r) => !r.verified && r.reason !== FLOOD_REASON);
    const tallies = rows.filter((r) => r.reason === FLOOD_REASON);
    // A bucket refills while the flood runs: at most one more burst per started minute.
    expect(unverified.length).toBeLessThanOrEqual(UNVERIFIED_LOGGED_PER_CONNECTOR.limit * (1 + minutes));
    expect(tallies.length).toBeLessThanOrEqual(minutes + 1);
    expect(unverified.length + tallies.reduce((n, r) => n + r.suppressed, 0)).toBe(flood);
    for (const r of [...unverified, ...tallies]) expect(r.bytes).toBeLessThan(6 * 1024);
    expect(rows.filter((r) => r.verified)).toHaveLength(signed.length);
    const events = await asTenant(t.id, (sql) =>
      sql('SELECT count(DISTINCT interaction_id)::int AS n FROM events WHERE interaction_id = ANY($1)', [signed]),
    );
    expect(events).toEqual([{ n: signed.length }]);
    const log = await t.admin.get(`/v1/connectors/${connector.id}/deliveries?limit=200`);
    const tally = (log.body.data as { reason: string; suppressed: number; detail: string }[]).find(
      (d) => d.reason === FLOOD_REASON,
    );
    expect(tally?.suppressed).toBeGreaterThan(0);
    expect(tally?.detail).toMatch(/× 429/);
  });

  it('refuses an oversized URL (414) or header set (431) before anything is read or logged', async () => {
    const { t, connector } = await setup();
    const path = `/v1/webhooks/generic/${connector.id}`;
    const long = await call('POST', `${path}?pad=${'p'.repeat(MAX_WEBHOOK_URL)}`, { rawBody: '{}' });
    expectProblem(long, 414, 'URI_TOO_LONG');
    const headers: Record<string, string> = {};
    for (let i = 0; i < 8; i++) headers[`x-pad-${i}`] = 'h'.repeat(MAX_WEBHOOK_HEADER_BYTES / 8);
    expectProblem(await call('POST', path, { rawBody: '{}', headers }), 431, 'HEADERS_TOO_LARGE');
    await settle(t);
    expect((await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data).toEqual([]);
  });
});

describe('phone numbers in the delivery log', () => {
  const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString();

  /** The callers of the tenant's interactions, and the log as the API shows it. */
  async function observe(t: Awaited<ReturnType<typeof createTenant>>, connectorId: string) {
    await settle(t);
    const callers = await asTenant(t.id, (sql) =>
      sql('SELECT id, caller_hash, caller_masked FROM interactions WHERE tenant_id = $1 ORDER BY id', [t.id]),
    );
    const log = await t.admin.get(`/v1/connectors/${connectorId}/deliveries?limit=200`);
    expect(log.status, log.text).toBe(200);
    return { callers, log: log.body.data as { body: string; verified: boolean }[], text: log.text };
  }

  async function renormalizeUnchanged(t: Awaited<ReturnType<typeof createTenant>>, connectorId: string, deliveries: number) {
    const res = await t.admin.post(`/v1/connectors/${connectorId}/renormalize`, { from: day(-1), to: day(1) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ deliveries, skipped: 0, revised: 0, accepted: 0, rejected: 0 });
  }

  it('Twilio: the stored body shows masked numbers, the API no full number, and re-normalization the same caller', async () => {
    const t = await createTenant();
    const res = await t.admin.post('/v1/connectors', {
      name: 'Twilio',
      provider: 'twilio',
      credentials: { authToken: AUTH_TOKEN },
      options: { publicBaseUrl: 'http://callboard.test' },
    });
    expect(res.status, res.text).toBe(201);
    const connector = res.body as { id: string; webhookPath: string };
    const callSid = `CA${crypto.randomUUID().replaceAll('-', '')}`;
    const from = '+14155550123';
    for (const [seq, status] of (['ringing', 'completed'] as const).entries()) {
      const raw = formBody(callStatus({ callSid, status, atMs: T0 + seq * 60_000, seq, from, durationS: 60 }));
      const signature = await signTwilio(AUTH_TOKEN, `http://callboard.test${connector.webhookPath}`, formPairs(raw));
      const r = await call('POST', connector.webhookPath, {
        rawBody: raw,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      });
      expect(r.status, r.text).toBe(200);
    }
    const before = await observe(t, connector.id);
    expect(before.callers).toEqual([{ id: expect.any(String), caller_hash: expect.any(String), caller_masked: '+141******23' }]);
    expect(before.log).toHaveLength(2);
    for (const d of before.log) expect(new URLSearchParams(d.body).get('From')).toBe('+141******23');
    expect(before.text.replace(/\D/g, ' ')).not.toContain('14155550123');

    await renormalizeUnchanged(t, connector.id, 2);
    expect((await observe(t, connector.id)).callers).toEqual(before.callers);
  });

  it('Vonage: the same for JSON bodies', async () => {
    const t = await createTenant();
    const q = await createQueue(t, { externalKeys: [{ provider: 'vonage', key: 'sales' }] });
    await createAgent(t, { queueIds: [q.id], externalKeys: [{ provider: 'vonage', key: 'alice' }] });
    const secret = 'vonage-signature-secret-e2e-0123';
    const res = await t.admin.post('/v1/connectors', {
      name: 'Vonage',
      provider: 'vonage',
      credentials: { signatureSecret: secret },
    });
    expect(res.status, res.text).toBe(201);
    const connector = res.body as { id: string; webhookPath: string };
    const steps = vonageQueuedCall({ call: callId('vonage'), queue: 'sales', agent: 'alice', t0: T0 + 60_000, answerAfter: 12 });
    for (const step of steps) {
      const token = await vonageJwt(secret, step.body, { iatSeconds: Math.floor(Date.now() / 1000) });
      const r = await call('POST', `${connector.webhookPath}${step.query}`, {
        rawBody: step.body,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(r.status, r.text).toBe(200);
    }
    const before = await observe(t, connector.id);
    expect(before.callers.length).toBeGreaterThan(0);
    expect(before.callers.every((c) => c.caller_hash !== null)).toBe(true);
    expect(before.text.replace(/\D/g, ' ')).not.toContain(CUSTOMER_NUMBER);
    expect(before.text).toContain('"from\\":\\"1484*****21\\"');

    await renormalizeUnchanged(t, connector.id, steps.length);
    expect((await observe(t, connector.id)).callers).toEqual(before.callers);
  });
});
