import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant, unique } from '../factories';
import { type ApiResponse, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { settle, T0 } from '../helpers/ingest';
import { deliverSigned } from '../helpers/webhooks';

// End to end through POST /v1/webhooks/freeswitch/{connectorId}: an ESL forwarder posts mod_callcenter
// events (and CHANNEL_HOLD/UNHOLD) as JSON, signed per Standard Webhooks with the connector's secret.

/** Event times: today (UTC) and in the past, each scenario spanning under 5 minutes. */
const S = Math.max(Math.floor(T0 / 1000) + 1, Math.floor(Date.now() / 1000) - 1200);
const iso = (offset: number) => new Date((S + offset) * 1000).toISOString();
const CORE = crypto.randomUUID();
let seq = 1000;

type Fs = Record<string, string>;

/** One FreeSWITCH event `offset` seconds after S, with the envelope every event has. */
function fsEvent(offset: number, headers: Fs, name = 'CUSTOM'): Fs {
  return {
    'Event-Name': name,
    'Core-UUID': CORE,
    'FreeSWITCH-Hostname': 'fs1.example.net',
    'Event-Date-Timestamp': String((S + offset) * 1_000_000),
    'Event-Sequence': String(seq++),
    ...(name === 'CUSTOM' ? { 'Event-Subclass': 'callcenter::info' } : {}),
    ...headers,
  };
}

/** A caller in a queue: the CC-Member-* headers of one visit (a new member uuid per queue, the same session). */
function member(session: string, queue: string) {
  return {
    'CC-Queue': queue,
    'CC-Member-UUID': crypto.randomUUID(),
    'CC-Member-Session-UUID': session,
    'CC-Member-CID-Name': 'Jane Caller',
    'CC-Member-CID-Number': '+14155550100',
  };
}

const caller = (session: string, answerState: string) => ({
  'Unique-ID': session,
  'Call-Direction': 'inbound',
  'Answer-State': answerState,
});
const at = (offset: number) => String(S + offset);

/** The events of one answered visit: joined at j, offered at o, bridged at b, bridge ended at e. */
function bridged(m: Fs, agent: string, agentLeg: string, t: { j: number; o: number; b: number; e: number; hangup: boolean }) {
  const agentHeaders = { 'CC-Agent': agent, 'CC-Agent-System': 'single_box', 'CC-Agent-UUID': agentLeg };
  return [
    fsEvent(t.j, { ...caller(m['CC-Member-Session-UUID'] as string, 'answered'), 'CC-Action': 'member-queue-start', ...m }),
    fsEvent(t.o, { 'CC-Action': 'agent-offering', 'CC-Agent': agent, 'CC-Agent-Type': 'callback', ...m }),
    fsEvent(t.b, {
      'CC-Action': 'bridge-agent-start',
      ...agentHeaders,
      'CC-Agent-Called-Time': at(t.o),
      'CC-Agent-Answered-Time': at(t.b),
      'CC-Member-Joined-Time': at(t.j),
      ...m,
    }),
    fsEvent(t.e, {
      'CC-Action': 'bridge-agent-end',
      'CC-Hangup-Cause': 'NORMAL_CLEARING',
      ...agentHeaders,
      'CC-Agent-Bridged': 'true',
      'CC-Agent-Called-Time': at(t.o),
      'CC-Agent-Answered-Time': at(t.b),
      'CC-Member-Joined-Time': at(t.j),
      'CC-Bridge-Terminated-Time': at(t.e),
      ...m,
    }),
    fsEvent(t.e, {
      ...caller(m['CC-Member-Session-UUID'] as string, t.hangup ? 'hangup' : 'answered'),
      'CC-Action': 'member-queue-end',
      'CC-Hangup-Cause': 'NORMAL_CLEARING',
      'CC-Cause': 'Terminated',
      ...agentHeaders,
      'CC-Agent-Answered-Time': at(t.b),
      'CC-Member-Leaving-Time': at(t.e),
      'CC-Member-Joined-Time': at(t.j),
      ...m,
    }),
  ];
}

/** An answered call: 1001 does not answer, 1000 answers after 25 s, holds 20 s, the call ends at 150 s. */
function answered(session: string): Fs[] {
  const m = member(session, 'support@default');
  const leg = crypto.randomUUID();
  const [start, offering, bridgeStart, bridgeEnd, end] = bridged(m, '1000@default', leg, {
    j: 0,
    o: 20,
    b: 25,
    e: 150,
    hangup: true,
  });
  const cc = (o: number, action: string, extra: Fs) => fsEvent(o, { 'CC-Action': action, ...extra });
  const hold = (o: number, name: string) =>
    fsEvent(
      o,
      {
        'Unique-ID': leg,
        'Answer-State': 'answered',
        variable_cc_queue: 'support@default',
        variable_cc_agent: '1000@default',
        variable_cc_member_uuid: m['CC-Member-UUID'] as string,
        variable_cc_member_session_uuid: session,
      },
      name,
    );
  return [
    start as Fs,
    cc(2, 'agent-offering', { 'CC-Agent': '1001@default', 'CC-Agent-Type': 'callback', ...m }),
    cc(17, 'bridge-agent-fail', {
      'CC-Hangup-Cause': 'NO_ANSWER',
      'CC-Agent': '1001@default',
      'CC-Agent-Called-Time': at(2),
      'CC-Agent-Aborted-Time': at(17),
      ...m,
      'CC-Member-Joined-Time': at(0),
    }),
    offering as Fs,
    cc(20, 'agent-state-change', { 'CC-Agent': '1000@default', 'CC-Agent-State': 'Receiving' }),
    bridgeStart as Fs,
    cc(25, 'agent-state-change', { 'CC-Agent': '1000@default', 'CC-Agent-State': 'In a queue call' }),
    hold(60, 'CHANNEL_HOLD'),
    hold(80, 'CHANNEL_UNHOLD'),
    bridgeEnd as Fs,
    end as Fs,
    cc(150, 'agent-state-change', { 'CC-Agent': '1000@default', 'CC-Agent-State': 'Waiting' }),
  ];
}

async function setup() {
  const t = await createTenant();
  const support = await createQueue(t, {
    name: unique('Support'),
    externalKeys: [{ provider: 'freeswitch', key: 'support@default' }],
  });
  const sales = await createQueue(t, { name: unique('Sales'), externalKeys: [{ provider: 'freeswitch', key: 'sales@default' }] });
  const queueIds = [support.id, sales.id];
  const alice = await createAgent(t, { queueIds, externalKeys: [{ provider: 'freeswitch', key: '1000@default' }] });
  const bob = await createAgent(t, { queueIds, externalKeys: [{ provider: 'freeswitch', key: '1001@default' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'fs1 ESL forwarder', provider: 'freeswitch' });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; secret: string; webhookPath: string };
  expect(connector.secret).toMatch(/^whsec_/);
  expect(connector.webhookPath).toBe(`/v1/webhooks/freeswitch/${connector.id}`);
  return { t, support, sales, alice, bob, connector };
}
type Setup = Awaited<ReturnType<typeof setup>>;

const post = (s: Setup, events: Fs[] | Fs) => deliverSigned(s.connector, JSON.stringify(events), { provider: 'freeswitch' });

function ok(res: ApiResponse) {
  expect(res.status, res.text).toBe(200);
  return res.body as {
    results: { id: string; status: string; reason?: string }[];
    accepted: number;
    duplicates: number;
    rejected: number;
  };
}

async function call(t: TestTenant, id: string) {
  const res = await t.admin.get(`/v1/calls/${encodeURIComponent(id)}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const live = async (t: TestTenant, queueId: string) => (await t.admin.get(`/v1/queues/${queueId}/live`)).body;

const shape = (c: any) => ({
  visits: c.visits.map((v: any) => [v.queueId, v.outcome, v.waitMs, v.agentId]),
  segments: c.segments.map((s: any) => [s.queueId, s.agentId, s.talkMs, s.holdMs, s.holdCount, s.transferred]),
});

async function intervalsOf(t: TestTenant, agentId: string) {
  const rows = await asTenant(t.id, (q) =>
    q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [agentId]),
  );
  return rows.map((r) => [
    r.state,
    r.reason,
    new Date(r.started_at).toISOString(),
    r.ended_at && new Date(r.ended_at).toISOString(),
  ]);
}

describe('POST /v1/webhooks/freeswitch/{connectorId}', () => {
  it('an answered call with a failed offer and a hold (mod_callcenter reports no wrap-up)', async () => {
    const s = await setup();
    const session = crypto.randomUUID();
    const res = ok(await post(s, answered(session)));
    // 12 events: a Receiving state change is ignored; the others give 14 normalized events.
    expect(res).toMatchObject({ accepted: 14, duplicates: 0, rejected: 0 });
    await settle(s.t);
    const c = await call(s.t, session);
    expect(c).toMatchObject({
      direction: 'inbound',
      startedAt: iso(0),
      endedAt: iso(150),
      hangupCause: 'NORMAL_CLEARING',
      callerMasked: '+141******00',
    });
    expect(c.visits).toEqual([
      expect.objectContaining({
        queueId: s.support.id,
        outcome: 'answered',
        closedBy: 'event',
        waitMs: 25_000,
        agentId: s.alice.id,
      }),
    ]);
    expect(c.segments).toEqual([
      expect.objectContaining({
        agentId: s.alice.id,
        connectedAt: iso(25),
        disconnectedAt: iso(150),
        talkMs: 105_000,
        holdMs: 20_000,
        holdCount: 1,
        acwMs: null,
        transferred: false,
      }),
    ]);
    expect(c.events.filter((e: any) => e.type === 'agent.offer_ended').map((e: any) => [e.agentId, e.attrs])).toEqual([
      [s.bob.id, { result: 'timeout', ringMs: 15_000 }],
      [s.alice.id, { result: 'accepted', ringMs: 5_000 }],
    ]);
    expect(await intervalsOf(s.t, s.alice.id)).toEqual([
      ['busy', null, iso(25), iso(150)],
      ['available', null, iso(150), null],
    ]);
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 1, answered: 1 });
  });

  it('an abandoned call (the caller hangs up: BREAK_OUT) and a short abandon', async () => {
    const s = await setup();
    const [long, short] = [crypto.randomUUID(), crypto.randomUUID()];
    const ml = member(long, 'support@default');
    const ms = member(short, 'support@default');
    const cancel = (o: number, m: Fs, j: number, reason: string) =>
      fsEvent(o, {
        ...caller(m['CC-Member-Session-UUID'] as string, 'hangup'),
        'CC-Action': 'member-queue-end',
        'CC-Member-Leaving-Time': at(o),
        'CC-Member-Joined-Time': at(j),
        'CC-Cause': 'Cancel',
        'CC-Cancel-Reason': reason,
        ...m,
      });
    ok(
      await post(s, [
        fsEvent(0, { ...caller(long, 'answered'), 'CC-Action': 'member-queue-start', ...ml }),
        fsEvent(10, { ...caller(short, 'answered'), 'CC-Action': 'member-queue-start', ...ms }),
        cancel(12, ms, 10, 'NONE'),
        cancel(40, ml, 0, 'BREAK_OUT'),
      ]),
    );
    await settle(s.t);
    const threshold = (await s.t.admin.get('/v1/settings')).body.serviceLevel.shortAbandonSeconds as number;
    const visits = await asTenant(s.t.id, (q) =>
      q('SELECT interaction_id, outcome, wait_ms::int AS wait_ms FROM queue_visits WHERE queue_id = $1 ORDER BY wait_ms', [
        s.support.id,
      ]),
    );
    expect(visits).toEqual([
      { interaction_id: short, outcome: 'abandoned', wait_ms: 2000 },
      { interaction_id: long, outcome: 'abandoned', wait_ms: 40_000 },
    ]);
    expect(visits[0].wait_ms).toBeLessThanOrEqual(threshold * 1000);
    expect(visits[1].wait_ms).toBeGreaterThan(threshold * 1000);
    expect(await call(s.t, long)).toMatchObject({ endedAt: iso(40), endedBy: 'customer' });
    expect(await live(s.t, s.support.id)).toMatchObject({ waiting: 0, today: { offered: 2, abandoned: 2 } });
  });

  it('a transfer to another queue: the same session gets a new member uuid there', async () => {
    const s = await setup();
    const session = crypto.randomUUID();
    const first = bridged(member(session, 'support@default'), '1000@default', crypto.randomUUID(), {
      j: 0,
      o: 5,
      b: 10,
      e: 70,
      hangup: false,
    });
    const second = bridged(member(session, 'sales@default'), '1001@default', crypto.randomUUID(), {
      j: 71,
      o: 75,
      b: 80,
      e: 200,
      hangup: true,
    });
    ok(await post(s, [...first, ...second]));
    await settle(s.t);
    const c = await call(s.t, session);
    expect(shape(c)).toEqual({
      visits: [
        [s.support.id, 'answered', 10_000, s.alice.id],
        [s.sales.id, 'answered', 9_000, s.bob.id],
      ],
      segments: [
        [s.support.id, s.alice.id, 60_000, 0, 0, false],
        [s.sales.id, s.bob.id, 120_000, 0, 0, false],
      ],
    });
    expect(c.endedAt).toBe(iso(200));
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 1, answered: 1 });
    expect((await live(s.t, s.sales.id)).today).toMatchObject({ offered: 1, answered: 1 });
  });

  it('an agent going on break and back (agent-status-change)', async () => {
    const s = await setup();
    const status = (o: number, value: string) =>
      fsEvent(o, { 'CC-Agent': '1001@default', 'CC-Action': 'agent-status-change', 'CC-Agent-Status': value });
    ok(await post(s, [status(0, 'Available'), status(30, 'On Break')]));
    for (const q of [s.support.id, s.sales.id]) {
      expect((await live(s.t, q)).agents.list).toEqual([
        { agentId: s.bob.id, state: 'away', reason: 'On Break', since: iso(30) },
      ]);
    }
    ok(await post(s, [status(250, 'Available'), status(280, 'Logged Out')]));
    await settle(s.t);
    expect(await intervalsOf(s.t, s.bob.id)).toEqual([
      ['available', null, iso(0), iso(30)],
      ['away', 'On Break', iso(30), iso(250)],
      ['available', null, iso(250), iso(280)],
      ['offline', null, iso(280), null],
    ]);
  });

  it('duplicates and reordered deliveries give the same call', async () => {
    const s = await setup();
    const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const storyA = answered(a);
    ok(await post(s, storyA));
    // The forwarder retries the whole batch: nothing new.
    expect(ok(await post(s, storyA))).toMatchObject({ accepted: 0, duplicates: 14 });
    // The same story for b, one event per delivery in reverse; for c, one batch in a shuffled order.
    for (const e of [...answered(b)].reverse()) expect(ok(await post(s, [e])).rejected).toBe(0);
    const storyC = answered(c);
    ok(
      await post(
        s,
        storyC.map((_, i) => storyC[(i * 5) % storyC.length] as Fs),
      ),
    );
    await settle(s.t);
    const [ca, cb, cc] = [await call(s.t, a), await call(s.t, b), await call(s.t, c)];
    expect(shape(ca)).toEqual({
      visits: [[s.support.id, 'answered', 25_000, s.alice.id]],
      segments: [[s.support.id, s.alice.id, 105_000, 20_000, 1, false]],
    });
    expect(shape(cb)).toEqual(shape(ca));
    expect(shape(cc)).toEqual(shape(ca));
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 3, answered: 3 });
  });

  it('accepts unknown and irrelevant events, listing them as ignored in the delivery log', async () => {
    const s = await setup();
    const res = ok(
      await post(s, [
        fsEvent(0, {
          'CC-Queue': 'support@default',
          'CC-Action': 'members-count',
          'CC-Count': '0',
          'CC-Selection': 'Single-Queue',
        }),
        fsEvent(1, {}, 'HEARTBEAT'),
        fsEvent(2, { 'CC-Agent': '1000@default', 'CC-Action': 'agent-status-change', 'CC-Agent-Status': 'Available' }),
      ]),
    );
    expect(res).toMatchObject({ accepted: 1, rejected: 0 });
    await settle(s.t);
    const deliveries = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data;
    expect(deliveries).toEqual([
      expect.objectContaining({
        outcome: 'accepted',
        verified: true,
        events: 1,
        ignored: [
          { what: 'callcenter::info members-count (event 0)', reason: expect.any(String) },
          { what: 'HEARTBEAT (event 1)', reason: 'not a call-center event Callboard maps' },
        ],
      }),
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const body = JSON.stringify(answered(crypto.randomUUID()).slice(0, 1));
    const fs = { provider: 'freeswitch' };
    expectProblem(await deliverSigned(s.connector, '[{"Event-Name": "CUSTOM"', fs), 400, 'MALFORMED_JSON');
    expectProblem(
      await deliverSigned(s.connector, 'Event-Name: CUSTOM\n', { ...fs, contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const noName = expectProblem(
      await deliverSigned(s.connector, '[{"CC-Action": "member-queue-start"}]', fs),
      422,
      'VALIDATION_FAILED',
    );
    expect(noName.errors?.map((e) => e.pointer)).toEqual(['/0/Event-Name']);
    const other = await setup();
    expectProblem(await deliverSigned(s.connector, body, { ...fs, secret: other.connector.secret }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliverSigned(s.connector, body, { ...fs, signature: null }), 401, 'SIGNATURE_MISSING');
    expectProblem(
      await deliverSigned(s.connector, body, { ...fs, timestamp: new Date(Date.now() + 6 * 60_000) }),
      401,
      'SIGNATURE_EXPIRED',
    );
    expect((await live(s.t, s.support.id)).today.offered).toBe(0);
  });
});
