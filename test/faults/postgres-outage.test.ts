import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant } from '../factories';
import { call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { env } from '../helpers/env';
import { answeredCall, callId, sendEvents, settle } from '../helpers/ingest';

const control = (query: string) =>
  fetch(`${(env as unknown as { TEST_PROXY_CONTROL: string }).TEST_PROXY_CONTROL}?${query}`, { method: 'POST' });
const proxy = (enabled: boolean) => control(`enabled=${enabled ? 1 : 0}`);
/** Postgres "frozen": the proxy accepts connections and forwards nothing. */
const freeze = (frozen: boolean) => control(`frozen=${frozen ? 1 : 0}`);

describe('Postgres unreachable', () => {
  it('webhooks keep answering 2xx; once it is back every event is in Postgres exactly once', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const connector = (await t.admin.post('/v1/connectors', { name: 'PBX', provider: 'generic' })).body as {
      id: string;
      secret: string;
    };
    const calls = [callId('outage'), callId('outage'), callId('outage')];
    try {
      expect(((await (await proxy(false)).json()) as { enabled: boolean }).enabled).toBe(false);
      const health = await call('GET', '/health');
      expect(health.status).toBe(503);
      // A stable code and a short reason, never the SQL ("Failed query: select 1").
      expect(health.body.postgres).toMatchObject({ status: 'error', code: 'POSTGRES_UNAVAILABLE' });
      expect(health.body.postgres.error).not.toMatch(/failed query|select 1/i);
      for (const id of calls.slice(0, 2)) {
        const res = await sendEvents(ingest.client, answeredCall(id, q.id, a.id));
        expect(res.accepted).toBe(11);
      }
      // The third arrives as a signed webhook.
      const body = JSON.stringify({ events: answeredCall(calls[2] as string, q.id, a.id) });
      const now = new Date();
      const signature = new Webhook(connector.secret).sign('msg_outage', now, body);
      const hook = await call('POST', `/v1/webhooks/generic/${connector.id}`, {
        rawBody: body,
        headers: {
          'Content-Type': 'application/json',
          'webhook-id': 'msg_outage',
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
      });
      expect(hook.status, hook.text).toBe(200);
      expect(hook.body.accepted).toBe(11);
      // Retries of the same deliveries during the outage change nothing.
      expect((await sendEvents(ingest.client, answeredCall(calls[0] as string, q.id, a.id))).duplicates).toBe(11);
      const live = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
      expect(live.today).toMatchObject({ offered: 3, answered: 3 });
      await expect(settle(t, 1500)).rejects.toThrow(/did not drain/);
      const during = (await t.admin.get(`/v1/queues/${q.id}/live`)).body.outbox;
      expect(during.backlog).toBeGreaterThan(0);
      expect(during.failures).toBeGreaterThan(0);
      expect(during.lastError).toBeTruthy();
      expect(during.lastError).not.toMatch(/failed query|insert into|select /i);
      expect(during.lastErrorCode).toBe('POSTGRES_UNAVAILABLE');
      const keyed = await call('GET', '/health', { headers: { Authorization: `Bearer ${t.adminKey}` } });
      expect(keyed.body.outbox.queues[q.id]).toMatchObject({ lastErrorCode: 'POSTGRES_UNAVAILABLE' });
      expect(keyed.body.outbox.queues[q.id].lastError).not.toMatch(/failed query|insert into|select /i);
      expect(during.nextAttemptAt).not.toBeNull();
    } finally {
      await proxy(true);
    }
    await settle(t, 90_000);
    const after = (await t.admin.get(`/v1/queues/${q.id}/live`)).body.outbox;
    // An outage is waited out, never mistaken for rows Postgres refuses.
    expect(after).toMatchObject({ backlog: 0, failures: 0, lastError: expect.anything(), deadLetters: 0 });
    const counts = await asTenant(t.id, (sql) =>
      sql(`SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(DISTINCT id)::int FROM events) AS distinct_events,
                  (SELECT count(*)::int FROM queue_visits) AS visits, (SELECT count(*)::int FROM agent_segments) AS segments,
                  (SELECT count(*)::int FROM interactions) AS interactions`),
    );
    expect(counts[0]).toEqual({ events: 33, distinct_events: 33, visits: 3, segments: 3, interactions: 3 });
    for (const id of calls) {
      const c = (await t.admin.get(`/v1/calls/${id}`)).body;
      expect(c.visits).toEqual([expect.objectContaining({ outcome: 'answered', waitMs: 10_000 })]);
      expect(c.segments).toEqual([expect.objectContaining({ talkMs: 105_000, holdMs: 15_000, acwMs: 30_000 })]);
    }
  }, 120_000);
});

describe('Postgres frozen (connections accepted, nothing answered)', () => {
  it('reads answer 503 with Retry-After within the configured timeouts instead of hanging', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    try {
      expect(((await (await freeze(true)).json()) as { frozen: boolean }).frozen).toBe(true);
      for (const path of ['/v1/queues', '/v1/calls', `/v1/queues/${q.id}`]) {
        const started = Date.now();
        const res = await t.admin.get(path);
        // The faults project sets a 1 s connect and 1.5 s statement timeout (vitest.config.ts).
        expect(Date.now() - started, path).toBeLessThan(6000);
        expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
        expect(Number(res.headers.get('Retry-After')), path).toBeGreaterThan(0);
      }
      const health = await call('GET', '/health');
      expect(health.status).toBe(503);
      // The connect timeout cuts the connection: the driver reports it as terminated.
      expect(health.body.postgres).toMatchObject({
        status: 'error',
        code: expect.stringMatching(/^POSTGRES_(TIMEOUT|UNAVAILABLE)$/),
      });
      expect(health.body.postgres.latencyMs).toBeLessThan(4000);
      // Ingest does not read Postgres: it goes on, and the flush waits with its backoff.
      expect((await sendEvents(ingest.client, answeredCall(callId('frozen'), q.id, a.id))).accepted).toBe(11);
      await expect(settle(t, 3000)).rejects.toThrow(/did not drain/);
      const during = (await t.admin.get(`/v1/queues/${q.id}/live`)).body.outbox;
      expect(during).toMatchObject({ lastErrorCode: expect.stringMatching(/^POSTGRES_(TIMEOUT|UNAVAILABLE)$/) });
      expect(during.failures).toBeGreaterThan(0);
    } finally {
      await freeze(false);
    }
    await settle(t, 90_000);
    expect((await t.admin.get('/v1/queues')).status).toBe(200);
    expect((await t.admin.get('/v1/dead-letters')).body.total).toBe(0);
  }, 60_000);
});
