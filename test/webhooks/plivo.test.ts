import { describe, expect, it } from 'vitest';
import { signPlivoV3 } from '../../src/adapters/telephony/plivo/plivo.signature';
import { zoneOffsetMs } from '../../src/domain/time/zones';
import { dialAnswer, dialHangup, type Form, formBody, hangupForm, plivoLocalTime, ringUrl } from '../adapters/plivo/fixtures';
import { createAgent, createKey, createQueue, createTenant } from '../factories';
import { type ApiResponse, call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, sendEvents, settle, T0 } from '../helpers/ingest';
import { observeScenario, shuffled } from '../helpers/scenario';

// Plivo voice callbacks end to end: form posts signed with X-Plivo-Signature-V3 over the exact public URL
// (the test Worker is reached at http://callboard.test, the connector's publicBaseUrl), times written in
// the Plivo console's zone. Plivo has no queue, hold, wrap-up or agent-state events: the queue is the
// line the hangup_url is tagged with (?queue=), agent legs are tagged ?agent=&interaction=, and what
// Plivo never reports (a queue-to-queue move, an agent's break) comes through the generic ingest.

const ZONE = 'America/New_York';
const TOKEN = 'MAODUMZJY5ZDRMNJBMZJ-e2e-token';
const FORM = 'application/x-www-form-urlencoded';

async function setup() {
  const t = await createTenant();
  const sales = await createQueue(t, { externalKeys: [{ provider: 'plivo', key: 'sales' }] });
  const billing = await createQueue(t, { externalKeys: [{ provider: 'plivo', key: 'billing' }] });
  const alice = await createAgent(t, { queueIds: [sales.id, billing.id], externalKeys: [{ provider: 'plivo', key: 'alice' }] });
  const bob = await createAgent(t, { queueIds: [billing.id], externalKeys: [{ provider: 'plivo', key: 'bob' }] });
  const res = await t.admin.post('/v1/connectors', {
    name: 'Plivo',
    provider: 'plivo',
    credentials: { authToken: TOKEN },
    options: { publicBaseUrl: 'http://callboard.test', timeZone: ZONE },
  });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(connector.webhookPath).toBe(`/v1/webhooks/plivo/${connector.id}`);
  expect(connector.credentials).toEqual(['authToken']);
  return { t, sales, billing, alice, bob, connector };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** One Plivo callback: its form and the tags of the URL it was configured with. */
interface Callback {
  form: Form;
  query: string;
}

let nonces = 0;

/** Posts a callback as Plivo does: signed over the public URL and the form params (or as `override` says). */
async function deliver(
  s: Setup,
  cb: Callback,
  override: {
    token?: string;
    signedQuery?: string;
    headers?: Record<string, string>;
    rawBody?: string;
    contentType?: string;
  } = {},
): Promise<ApiResponse> {
  const path = `${s.connector.webhookPath}${cb.query}`;
  const nonce = `${Date.now()}${nonces++}`.padEnd(20, '0');
  const signature = await signPlivoV3(override.token ?? TOKEN, {
    method: 'POST',
    url: `http://callboard.test${s.connector.webhookPath}${override.signedQuery ?? cb.query}`,
    params: override.contentType && override.contentType !== FORM ? [] : cb.form,
    nonce,
  });
  const headers = override.headers ?? {
    'Content-Type': override.contentType ?? FORM,
    'X-Plivo-Signature-V3': signature,
    'X-Plivo-Signature-V3-Nonce': nonce,
  };
  return call('POST', path, { rawBody: override.rawBody ?? formBody(cb.form), headers });
}

const iso = (ms: number) => new Date(ms).toISOString();
const m = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

/** The customer's leg on a queue line, and the agent leg placed to the agent who took it. */
function customer(uuid: string, queue: string, start: number, answer: number, end: number, source: string): Callback {
  const form = hangupForm({
    uuid,
    direction: 'inbound',
    from: '14155550100',
    to: '14155550199',
    start,
    answer,
    end,
    source,
    timeZone: ZONE,
  });
  return { form, query: `?queue=${queue}` };
}
function agentLeg(
  uuid: string,
  o: { agent: string; queue: string; interaction: string; start: number; answer: number | null; end: number; source: string },
): Callback {
  const form = hangupForm({
    uuid,
    direction: 'outbound',
    from: '14155550199',
    to: `sip:${o.agent}@phone.plivo.com`,
    start: o.start,
    answer: o.answer,
    end: o.end,
    source: o.source,
    timeZone: ZONE,
  });
  return { form, query: `?agent=${o.agent}&interaction=${o.interaction}&queue=${o.queue}` };
}

/** One day's calls: answered, abandoned, a short abandon, and one moved from sales to billing. */
function scenario(run: string) {
  const ids = { answered: `${run}-ans`, abandoned: `${run}-abd`, short: `${run}-sht`, transferred: `${run}-trf` };
  const callbacks: Callback[] = [
    customer(ids.answered, 'sales', m(1), m(1, 2), m(1, 150), 'Answer XML'),
    agentLeg(`${run}-ans-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: ids.answered,
      start: m(1, 9),
      answer: m(1, 14),
      end: m(1, 150),
      source: 'Callee',
    }),
    customer(ids.abandoned, 'sales', m(2), m(2, 2), m(2, 47), 'Caller'),
    // Alice was rung for the abandoned call too, and did not answer in time.
    agentLeg(`${run}-abd-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: ids.abandoned,
      start: m(2, 10),
      answer: null,
      end: m(2, 40),
      source: 'Plivo',
    }),
    customer(ids.short, 'sales', m(3), m(3, 2), m(3, 5), 'Caller'),
    customer(ids.transferred, 'sales', m(4), m(4, 2), m(4, 122), 'Caller'),
    agentLeg(`${run}-trf-b`, {
      agent: 'bob',
      queue: 'billing',
      interaction: ids.transferred,
      start: m(4, 25),
      answer: m(4, 32),
      end: m(4, 122),
      source: 'Plivo',
    }),
  ];
  return { ids, callbacks };
}

/** What Plivo cannot report: the application moved the caller from sales to billing (generic ingest). */
async function moveToBilling(s: Setup, interactionId: string) {
  const ingest = await createKey(s.t, { scopes: ['ingest'] });
  await sendEvents(ingest.client, [
    {
      id: `${interactionId}:moved`,
      type: 'transfer',
      occurredAt: iso(m(4, 22)),
      interactionId,
      attrs: { kind: 'queue', toQueueId: s.billing.id },
    },
    {
      id: `${interactionId}:billing`,
      type: 'queue.joined',
      occurredAt: iso(m(4, 22) + 50),
      interactionId,
      queueId: s.billing.id,
    },
  ]);
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
    { caller: true },
  );

describe('POST /v1/webhooks/plivo/{connectorId}', () => {
  it('answered, abandoned, short-abandoned and moved calls land in Postgres and the live state, whatever the order', async () => {
    const s = await setup();
    const { ids, callbacks } = scenario(callId('pl'));
    const accepted: number[] = [];
    for (const cb of callbacks) {
      const res = await deliver(s, cb);
      expect(res.status, res.text).toBe(200);
      expect(res.body.rejected, res.text).toBe(0);
      accepted.push(res.body.accepted);
    }
    // Customer legs: started, joined, ended; answered agent legs: offered, accepted, connected, disconnected.
    expect(accepted).toEqual([3, 4, 3, 2, 3, 3, 4]);
    await moveToBilling(s, ids.transferred);
    await settle(s.t);

    const got = await observed(s, ids);
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      callerMasked: '1415*****00',
      startedAt: iso(m(1)),
      endedAt: iso(m(1, 150)),
      hangupCause: 'NORMAL_CLEARING',
      endedBy: 'system',
      // Waited from Plivo answering the line (the queue join) until Alice's leg was answered.
      visits: [['sales', 'answered', 12_000, 'alice', iso(m(1, 2)), iso(m(1, 14))]],
      // Plivo reports neither hold nor wrap-up.
      segments: [['alice', 'sales', 136_000, 0, 0, null, 'agent']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, iso(m(2, 2)), iso(m(2, 47))]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, iso(m(3, 2)), iso(m(3, 5))]] });
    const { serviceLevel } = (await s.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);
    expect(got.calls.transferred).toMatchObject({
      endedAt: iso(m(4, 122)),
      visits: [
        ['sales', 'transferred', 20_000, null, iso(m(4, 2)), iso(m(4, 22))],
        ['billing', 'answered', 9_950, 'bob', iso(m(4, 22) + 50), iso(m(4, 32))],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'system']],
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
      [ids.answered, 'alice', 136_000, 0],
      [ids.transferred, 'bob', 90_000, 0],
    ]);

    // Plivo retries (and replays: the scheme has no timestamp): every callback again is all duplicates.
    for (const [i, cb] of callbacks.entries()) {
      const res = await deliver(s, cb);
      expect(res.status, res.text).toBe(200);
      expect([res.body.accepted, res.body.duplicates]).toEqual([0, accepted[i]]);
    }
    await settle(s.t);
    expect(await observed(s, ids)).toEqual(got);

    // The same callbacks out of order, some twice, to another tenant: the same records and counters.
    const other = await setup();
    await moveToBilling(other, ids.transferred);
    for (const cb of shuffled([...callbacks, ...callbacks.slice(0, 4)], 11)) {
      const res = await deliver(other, cb);
      expect(res.status, res.text).toBe(200);
    }
    await settle(other.t);
    expect(await observed(other, ids)).toEqual(got);
  });

  it('a <Dial> to the agent: its callbacks carry no time and count from their arrival', async () => {
    const s = await setup();
    const uuid = callId('pl-dial');
    const now = Date.now();
    const tags = `?queue=sales&agent=alice`;
    const customerLeg = (end: number) => customer(uuid, 'sales', now - 60_000, now - 58_000, end, 'Caller');
    const dial = (form: Form): Callback => ({
      form: form.map(([k, v]): [string, string] => [
        k,
        k === 'CallUUID' || k === 'DialALegUUID' ? uuid : k === 'DialBLegUUID' ? `${uuid}-b` : v,
      ]),
      query: tags,
    });
    const before = Date.now();
    expect((await deliver(s, dial(dialAnswer))).body).toMatchObject({ accepted: 2, rejected: 0 });
    expect((await deliver(s, dial(dialHangup))).body).toMatchObject({ accepted: 1, rejected: 0 });
    const after = Date.now();
    // Plivo writes whole seconds; the hang-up comes after the B leg's.
    expect((await deliver(s, customerLeg(Math.ceil(after / 1000) * 1000 + 1000))).body).toMatchObject({
      accepted: 3,
      rejected: 0,
    });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${uuid}`)).body;
    expect(c.visits).toEqual([expect.objectContaining({ queueId: s.sales.id, outcome: 'answered', agentId: s.alice.id })]);
    const joined = Math.floor((now - 58_000) / 1000) * 1000;
    expect(c.visits[0].waitMs).toBeGreaterThanOrEqual(before - joined);
    expect(c.visits[0].waitMs).toBeLessThanOrEqual(after - joined);
    expect(c.segments).toEqual([expect.objectContaining({ agentId: s.alice.id, queueId: s.sales.id, endedBy: 'agent' })]);
    const events = c.events.filter((e: { type: string }) => e.type === 'agent.connected' || e.type === 'agent.disconnected');
    expect(events.map((e: { occurredAtSource: string }) => e.occurredAtSource)).toEqual(['received', 'received']);
    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body.today).toMatchObject({ offered: 1, answered: 1 });
  });

  it("an agent's break, which Plivo does not report, comes through the generic ingest", async () => {
    const s = await setup();
    const ingest = await createKey(s.t, { scopes: ['ingest'] });
    const presence = (minutes: number, state: string, reason?: string) => ({
      id: `${s.alice.id}:${minutes}`,
      type: 'agent.state_changed',
      occurredAt: iso(m(minutes)),
      agentId: s.alice.id,
      attrs: { state, ...(reason ? { reason } : {}) },
    });
    await sendEvents(ingest.client, [presence(2, 'available'), presence(6, 'away', 'break'), presence(9, 'available')]);
    const live = (await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body;
    expect(live.agents.list).toEqual([{ agentId: s.alice.id, state: 'available', reason: null, since: iso(m(9)) }]);
    await settle(s.t);
    const rows = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ]),
    );
    expect(
      rows.map((r) => [r.state, r.reason, iso(Date.parse(r.started_at)), r.ended_at && iso(Date.parse(r.ended_at))]),
    ).toEqual([
      ['available', null, iso(m(2)), iso(m(6))],
      ['away', 'break', iso(m(6)), iso(m(9))],
      ['available', null, iso(m(9)), null],
    ]);
  });

  it("a connector timeZone that is not the console's is caught by SessionStart (UTC): corrected and logged", async () => {
    const s = await setup();
    // The console writes New York time, the connector says UTC.
    const res = await s.t.admin.post('/v1/connectors', {
      name: 'Plivo (wrong zone)',
      provider: 'plivo',
      credentials: { authToken: TOKEN },
      options: { publicBaseUrl: 'http://callboard.test', timeZone: 'UTC' },
    });
    expect(res.status, res.text).toBe(201);
    const wrong = { ...s, connector: res.body as Setup['connector'] };
    const uuid = callId('pl-zone');
    const delivered = await deliver(wrong, customer(uuid, 'sales', m(1), m(1, 2), m(1, 50), 'Caller'));
    expect(delivered.body).toMatchObject({ accepted: 3, rejected: 0 });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${uuid}`)).body;
    expect([c.startedAt, c.endedAt]).toEqual([iso(m(1)), iso(m(1, 50))]);
    expect(c.visits.map((v: any) => [v.outcome, v.enqueuedAt, v.leftAt])).toEqual([['abandoned', iso(m(1, 2)), iso(m(1, 50))]]);
    const log = (await s.t.admin.get(`/v1/connectors/${wrong.connector.id}/deliveries`)).body.data as any[];
    // New York's offset on the test's day (EST or EDT): what reading its wall times as UTC is off by.
    const offset = zoneOffsetMs(m(1), ZONE) / 3_600_000;
    expect(log.map((d) => [d.outcome, d.ignored])).toEqual([
      [
        'accepted',
        [
          {
            what: 'timeZone',
            reason: `StartTime read in the connector's timeZone (UTC) is ${offset} h off SessionStart, which Plivo writes in UTC: the times were corrected by it. Set timeZone to the Plivo console's zone.`,
          },
        ],
      ],
    ]);
  });

  it('accepts and logs requests that are not call events as ignored', async () => {
    const s = await setup();
    const uuid = callId('pl-ign');
    const unknown: Callback = {
      form: [
        ['CallUUID', uuid],
        ['Event', 'MachineDetection'],
        ['MachineDetected', 'true'],
      ],
      query: '',
    };
    const ring: Callback = { form: ringUrl.map(([k, v]): [string, string] => [k, k === 'CallUUID' ? uuid : v]), query: '' };
    for (const cb of [unknown, ring]) {
      const res = await deliver(s, cb);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: { what: string }[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored.map((i) => i.what)])).toEqual([
      ['accepted', ['Ring']],
      ['accepted', ['MachineDetection']],
    ]);
  });

  it('refuses malformed callbacks with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const uuid = callId('pl-bad');
    const good = customer(uuid, 'sales', m(1), m(1, 2), m(1, 30), 'Caller');
    expectProblem(
      await deliver(s, good, { contentType: 'application/json', rawBody: '{"CallUUID":"x"}' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const noUuid = expectProblem(
      await deliver(s, { ...good, form: good.form.filter(([k]) => k !== 'CallUUID') }),
      422,
      'VALIDATION_FAILED',
    );
    expect(noUuid.errors?.map((e) => e.pointer)).toEqual(['/CallUUID']);
    const badTime = expectProblem(
      await deliver(s, {
        ...good,
        form: good.form.map(([k, v]): [string, string] => [k, k === 'StartTime' ? '06/04/2024 3:32 PM' : v]),
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(badTime.errors?.map((e) => e.pointer)).toEqual(['/StartTime']);
    const agentWithoutCall = agentLeg(`${uuid}-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: uuid,
      start: m(1, 5),
      answer: m(1, 8),
      end: m(1, 30),
      source: 'Callee',
    });
    expectProblem(await deliver(s, { ...agentWithoutCall, query: '?agent=alice' }), 422, 'VALIDATION_FAILED');

    // Plivo's scheme has no timestamp, so nothing is ever SIGNATURE_EXPIRED: replays are duplicates instead.
    expectProblem(await deliver(s, good, { token: 'another-accounts-auth-token' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, good, { signedQuery: '?queue=billing' }), 401, 'SIGNATURE_INVALID');
    expectProblem(
      await deliver(s, good, { rawBody: formBody(good.form).replace('HangupSource=Caller', 'HangupSource=Callee') }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(await deliver(s, good, { headers: { 'Content-Type': FORM } }), 401, 'SIGNATURE_MISSING');

    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
    // The same callback, properly signed, goes through.
    expect((await deliver(s, good)).body).toMatchObject({ accepted: 3, rejected: 0 });
  });
});

// Keeps the helper that writes Plivo's local times honest against the zone the connector names.
describe('Plivo local times', () => {
  it('writes an instant in the console zone, without an offset', () => {
    expect(plivoLocalTime(Date.parse('2024-06-04T19:32:04Z'), ZONE)).toBe('2024-06-04 15:32:04');
  });
});
