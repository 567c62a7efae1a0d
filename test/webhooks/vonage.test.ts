import { describe, expect, it } from 'vitest';
import {
  agentLegOf,
  agentQuery,
  customerLegOf,
  notifyBody,
  statusBody,
  transferBody,
  type VonageStep,
  vonageJwt,
  vonageQueuedCall,
} from '../adapters/vonage/fixtures';
import { createAgent, createKey, createQueue, createTenant } from '../factories';
import { type ApiResponse, call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, sendEvents, settle, T0 } from '../helpers/ingest';
import { observeScenario, shuffled } from '../helpers/scenario';

// Vonage Voice API callbacks end to end: each signed with a fresh HS256 JWT over the body's SHA-256, as Vonage
// signs every request (a retry too), posted to the connector's webhook path — agents' legs with the
// `?agent=…&call=…` event-URL query of docs/providers/vonage.md — and read back from Postgres and the queues' live state.

const SECRET = 'vonage-signature-secret-e2e-0123';

async function setup() {
  const t = await createTenant();
  const sales = await createQueue(t, { externalKeys: [{ provider: 'vonage', key: 'sales' }] });
  const billing = await createQueue(t, { externalKeys: [{ provider: 'vonage', key: 'billing' }] });
  const alice = await createAgent(t, { queueIds: [sales.id, billing.id], externalKeys: [{ provider: 'vonage', key: 'alice' }] });
  const bob = await createAgent(t, { queueIds: [billing.id], externalKeys: [{ provider: 'vonage', key: 'bob' }] });
  const res = await t.admin.post('/v1/connectors', {
    name: 'Vonage',
    provider: 'vonage',
    credentials: { signatureSecret: SECRET },
  });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(connector.webhookPath).toBe(`/v1/webhooks/vonage/${connector.id}`);
  expect(connector.credentials).toEqual(['signatureSecret']);
  return { t, sales, billing, alice, bob, connector };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** Posts a callback as Vonage does: `Authorization: Bearer <JWT>` signed now (or as `override` says). */
async function deliver(
  s: Setup,
  step: Pick<VonageStep, 'body' | 'query'>,
  override: { secret?: string; iatSeconds?: number; headers?: Record<string, string>; contentType?: string } = {},
): Promise<ApiResponse> {
  const token = await vonageJwt(override.secret ?? SECRET, step.body, {
    iatSeconds: override.iatSeconds ?? Math.floor(Date.now() / 1000),
  });
  const headers = override.headers ?? {
    authorization: `Bearer ${token}`,
    'content-type': override.contentType ?? 'application/json',
  };
  return call('POST', `${s.connector.webhookPath}${step.query}`, { rawBody: step.body, headers });
}

/** One day's calls: answered with a hold, abandoned, a short abandon, and a transfer from sales to billing. */
function scenario(run: string) {
  const at = (minutes: number) => T0 + minutes * 60_000;
  const ids = {
    answered: `${run}-answered`,
    abandoned: `${run}-abandoned`,
    short: `${run}-short`,
    transferred: `${run}-transferred`,
  };
  const steps: VonageStep[] = [
    ...vonageQueuedCall({
      call: ids.answered,
      queue: 'sales',
      agent: 'alice',
      t0: at(1),
      answerAfter: 12,
      talk: 150,
      hold: [40, 55],
    }),
    ...vonageQueuedCall({ call: ids.abandoned, queue: 'sales', agent: null, t0: at(2), answerAfter: 45 }),
    ...vonageQueuedCall({ call: ids.short, queue: 'sales', agent: null, t0: at(3), answerAfter: 3 }),
    ...vonageQueuedCall({
      call: ids.transferred,
      queue: 'sales',
      agent: 'bob',
      t0: at(4),
      answerAfter: 20,
      talk: 90,
      transferTo: 'billing',
    }),
  ];
  return { ids, steps };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
const observed = (s: Setup, ids: Record<string, string>) =>
  observeScenario(
    s.t,
    new Map([
      [s.sales.id, 'sales'],
      [s.billing.id, 'billing'],
      [s.alice.id, 'alice'],
      [s.bob.id, 'bob'],
    ]),
    [s.sales.id, s.billing.id],
    ids,
  );

const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /v1/webhooks/vonage/{connectorId}', () => {
  it('answered (wait, talk, hold), abandoned, short-abandoned and transferred calls land in Postgres and the live state', async () => {
    const s = await setup();
    const { ids, steps } = scenario(callId('vg'));
    const accepted: number[] = [];
    for (const step of steps) {
      const res = await deliver(s, step);
      expect(res.status, res.text).toBe(200);
      expect(res.body.rejected, res.text).toBe(0);
      accepted.push(res.body.accepted);
    }
    expect(accepted.reduce((a, b) => a + b)).toBe(9 + 3 + 3 + 9);
    await settle(s.t);

    const got = await observed(s, ids);
    const m = (minutes: number, seconds: number) => iso(T0 + minutes * 60_000 + seconds * 1000);
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      startedAt: m(1, 0),
      endedAt: m(1, 164),
      hangupCause: null,
      endedBy: null,
      visits: [['sales', 'answered', 12_000, 'alice', m(1, 2), m(1, 14)]],
      // Talk is connected → disconnected minus the 15 s hold; Vonage reports no wrap-up and not who hung up.
      segments: [['alice', 'sales', 135_000, 15_000, 1, null, null]],
    });
    expect(got.calls.abandoned).toMatchObject({
      visits: [['sales', 'abandoned', 45_000, null, m(2, 2), m(2, 47)]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, m(3, 2), m(3, 5)]], segments: [] });
    const { serviceLevel } = (await s.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);
    expect(got.calls.transferred).toMatchObject({
      visits: [
        ['sales', 'transferred', 20_000, null, m(4, 2), m(4, 22)],
        ['billing', 'answered', 9_950, 'bob', iso(T0 + 4 * 60_000 + 22_050), m(4, 32)],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, null]],
    });
    expect(got.live).toEqual({
      sales: { waiting: 0, offered: 4, answered: 1, abandoned: 2, flowedOut: 1, unknown: 0 },
      billing: { waiting: 0, offered: 1, answered: 1, abandoned: 0, flowedOut: 0, unknown: 0 },
    });
    expect(got.sql.visits).toEqual([
      [ids.abandoned, 'sales', 'abandoned', 45_000, null],
      [ids.answered, 'sales', 'answered', 12_000, 'alice'],
      [ids.short, 'sales', 'abandoned', 3_000, null],
      [ids.transferred, 'sales', 'transferred', 20_000, null],
      [ids.transferred, 'billing', 'answered', 9_950, 'bob'],
    ]);
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 135_000, 15_000],
      [ids.transferred, 'bob', 90_000, 0],
    ]);

    // Vonage retries (with a new JWT): every callback again is all duplicates, and nothing changes.
    for (const [i, step] of steps.entries()) {
      const res = await deliver(s, step);
      expect(res.status, res.text).toBe(200);
      expect([res.body.accepted, res.body.duplicates]).toEqual([0, accepted[i]]);
    }
    await settle(s.t);
    expect(await observed(s, ids)).toEqual(got);

    // started/ringing and failure/completed swap in transit (docs/providers/vonage.md): the same callbacks out of order,
    // some twice, to another tenant give the same records and counters.
    const other = await setup();
    for (const step of shuffled([...steps, ...steps.slice(0, 9)], 11)) {
      const res = await deliver(other, step);
      expect(res.status, res.text).toBe(200);
    }
    await settle(other.t);
    expect(await observed(other, ids)).toEqual(got);
  });

  it("an agent's break, which Vonage does not report, comes through the generic ingest under the agent's Vonage key", async () => {
    const s = await setup();
    const ingest = await createKey(s.t, { scopes: ['ingest'] });
    const presence = (minutes: number, state: string, reason?: string) => ({
      id: `${s.bob.id}:${minutes}`,
      type: 'agent.state_changed',
      occurredAt: iso(T0 + minutes * 60_000),
      agentKey: 'bob',
      attrs: { state, ...(reason ? { reason } : {}) },
    });
    await sendEvents(ingest.client, [presence(2, 'available'), presence(6, 'away', 'break'), presence(9, 'available')]);
    const live = (await s.t.admin.get(`/v1/queues/${s.billing.id}/live`)).body;
    expect(live.agents.list).toEqual([{ agentId: s.bob.id, state: 'available', reason: null, since: iso(T0 + 9 * 60_000) }]);
    await settle(s.t);
    const rows = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.bob.id,
      ]),
    );
    expect(
      rows.map((r) => [r.state, r.reason, iso(Date.parse(r.started_at)), r.ended_at && iso(Date.parse(r.ended_at))]),
    ).toEqual([
      ['available', null, iso(T0 + 2 * 60_000), iso(T0 + 6 * 60_000)],
      ['away', 'break', iso(T0 + 6 * 60_000), iso(T0 + 9 * 60_000)],
      ['available', null, iso(T0 + 9 * 60_000), null],
    ]);
  });

  it('accepts and logs unknown and irrelevant callbacks as ignored', async () => {
    const s = await setup();
    const id = callId('vg-ign');
    const time = iso(T0 + 60_000);
    const callbacks = [
      transferBody(id, `CON-${id}`, `CON-sales-${id}`, time),
      JSON.stringify({ recording_url: 'https://api.nexmo.com/v1/files/aaaa', conversation_uuid: `CON-${id}`, timestamp: time }),
      notifyBody({ step: 'menu-1' }, `CON-${id}`, time),
      // Answering machine detection, as Vonage sends it: the leg is `call_uuid` (no `uuid`).
      JSON.stringify({
        call_uuid: id,
        conversation_uuid: `CON-${id}`,
        status: 'human',
        from: '447700900000',
        to: '447700900001',
        timestamp: time,
      }),
    ];
    for (const body of callbacks) {
      const res = await deliver(s, { body, query: '' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: unknown[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored])).toEqual([
      ['accepted', [{ what: 'status:human', reason: 'answering machine detection: no queue or agent fact' }]],
      ['accepted', [{ what: 'notify', reason: 'no callboard object in the payload' }]],
      ['accepted', [{ what: 'record', reason: 'not a call-center event' }]],
      ['accepted', [{ what: 'transfer', reason: 'a leg moved between conversations; queue moves come from notify' }]],
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const id = callId('vg-bad');
    const time = iso(T0 + 60_000);
    const customer = customerLegOf(id);
    expectProblem(await deliver(s, { body: '{"status": "started"', query: '' }), 400, 'MALFORMED_JSON');
    expectProblem(
      await deliver(s, { body: statusBody('started', customer, time), query: '' }, { contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const badNotify = notifyBody({ callboard: { call: id, event: 'queue.joined' } }, `CON-${id}`, time);
    const notifyProblem = expectProblem(await deliver(s, { body: badNotify, query: '' }), 422, 'VALIDATION_FAILED');
    expect(notifyProblem.errors?.map((e) => e.pointer)).toEqual(['/payload/callboard/queue']);
    const agentLeg = statusBody('ringing', agentLegOf(id, 'alice'), time);
    const tagProblem = expectProblem(await deliver(s, { body: agentLeg, query: '?agent=alice' }), 422, 'VALIDATION_FAILED');
    expect(tagProblem.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/call' })]);

    const step = {
      body: notifyBody({ callboard: { call: id, event: 'queue.joined', queue: 'sales' } }, `CON-${id}`, time),
      query: '',
    };
    const now = Math.floor(Date.now() / 1000);
    expectProblem(await deliver(s, step, { secret: 'not-the-signature-secret' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, step, { iatSeconds: now - 600 }), 401, 'SIGNATURE_EXPIRED');
    expectProblem(await deliver(s, step, { iatSeconds: now + 600 }), 401, 'SIGNATURE_EXPIRED');
    const token = await vonageJwt(SECRET, step.body);
    const tampered = { body: step.body.replace('"sales"', '"billing"'), query: '' };
    expectProblem(
      await deliver(s, tampered, { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(await deliver(s, step, { headers: { 'content-type': 'application/json' } }), 401, 'SIGNATURE_MISSING');

    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
    // The same callback, properly signed, goes through, and an agent's leg with both tags too.
    expect((await deliver(s, step)).body).toMatchObject({ accepted: 1 });
    expect((await deliver(s, { body: agentLeg, query: agentQuery(id, 'alice') })).body).toMatchObject({ accepted: 1 });
  });
});
