import { expect } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant, unique } from '../../factories';
import { asTenant } from '../../helpers/db';
import { T0 } from '../../helpers/ingest';
import { observeScenario } from '../../helpers/scenario';
import { deliverSigned } from '../../helpers/webhooks';
import type { ConformanceDriver } from './driver';

// End to end through POST /v1/webhooks/freeswitch/{connectorId}: an ESL forwarder posts mod_callcenter
// events (and CHANNEL_HOLD/UNHOLD) as JSON, signed per Standard Webhooks with the connector's secret.

/** Event times: today (UTC) and in the past, each scenario spanning under 5 minutes. */
export const S = Math.max(Math.floor(T0 / 1000) + 1, Math.floor(Date.now() / 1000) - 1200);
export const iso = (offset: number) => new Date((S + offset) * 1000).toISOString();
export const CORE = crypto.randomUUID();
let seq = 1000;

export type Fs = Record<string, string>;

/** One FreeSWITCH event `offset` seconds after S, with the envelope every event has. */
export function fsEvent(offset: number, headers: Fs, name = 'CUSTOM'): Fs {
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
export function member(session: string, queue: string) {
  return {
    'CC-Queue': queue,
    'CC-Member-UUID': crypto.randomUUID(),
    'CC-Member-Session-UUID': session,
    'CC-Member-CID-Name': 'Jane Caller',
    'CC-Member-CID-Number': '+14155550100',
  };
}

export const caller = (session: string, answerState: string) => ({
  'Unique-ID': session,
  'Call-Direction': 'inbound',
  'Answer-State': answerState,
});
export const at = (offset: number) => String(S + offset);

/** The events of one answered visit: joined at j, offered at o, bridged at b, bridge ended at e. */
export function bridged(
  m: Fs,
  agent: string,
  agentLeg: string,
  t: { j: number; o: number; b: number; e: number; hangup: boolean },
) {
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
export function answered(session: string): Fs[] {
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

export async function setup() {
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
export type Setup = Awaited<ReturnType<typeof setup>>;

export const post = (s: Setup, events: Fs[] | Fs) =>
  deliverSigned(s.connector, JSON.stringify(events), { provider: 'freeswitch' });

// The forwarders' tests read answers, calls and live state alike.
export { call, live, ok } from './world';

export const shape = (c: any) => ({
  visits: c.visits.map((v: any) => [v.queueId, v.outcome, v.waitMs, v.agentId]),
  segments: c.segments.map((s: any) => [s.queueId, s.agentId, s.talkMs, s.holdMs, s.holdCount, s.transferred]),
});

export async function intervalsOf(t: TestTenant, agentId: string) {
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

/** The caller leaving a queue without an agent (member-queue-end, CC-Cause Cancel), `joined` seconds after S. */
export const cancel = (o: number, m: Fs, joined: number, reason: string, answerState = 'hangup') =>
  fsEvent(o, {
    ...caller(m['CC-Member-Session-UUID'] as string, answerState),
    'CC-Action': 'member-queue-end',
    'CC-Member-Leaving-Time': at(o),
    'CC-Member-Joined-Time': at(joined),
    'CC-Cause': 'Cancel',
    'CC-Cancel-Reason': reason,
    ...m,
  });

/**
 * The common day on FreeSWITCH, one event per delivery: the answered call of `answered` (Alice after
 * 25 s, 20 s on hold), abandoned after 45 s (BREAK_OUT), a 3 s short abandon, and a call that times out
 * of support after 20 s into sales, where Bob answers it after 10 s.
 */
function freeswitchDay() {
  const ids = {
    answered: crypto.randomUUID(),
    abandoned: crypto.randomUUID(),
    short: crypto.randomUUID(),
    transferred: crypto.randomUUID(),
  };
  const [ml, ms, mt] = [
    member(ids.abandoned, 'support@default'),
    member(ids.short, 'support@default'),
    member(ids.transferred, 'support@default'),
  ];
  const events = [
    ...answered(ids.answered),
    fsEvent(10, { ...caller(ids.abandoned, 'answered'), 'CC-Action': 'member-queue-start', ...ml }),
    cancel(55, ml, 10, 'BREAK_OUT'),
    fsEvent(20, { ...caller(ids.short, 'answered'), 'CC-Action': 'member-queue-start', ...ms }),
    cancel(23, ms, 20, 'NONE'),
    fsEvent(30, { ...caller(ids.transferred, 'answered'), 'CC-Action': 'member-queue-start', ...mt }),
    cancel(50, mt, 30, 'TIMEOUT', 'answered'),
    ...bridged(member(ids.transferred, 'sales@default'), '1001@default', crypto.randomUUID(), {
      j: 50,
      o: 55,
      b: 60,
      e: 150,
      hangup: true,
    }),
  ];
  return { calls: ids, deliveries: events };
}

export const freeswitchDriver: ConformanceDriver<Setup, Fs> = {
  provider: 'freeswitch',
  queues: ['support', 'sales'],
  setup,
  deliver: (s, e) => post(s, e),
  day: freeswitchDay,
  observe: (s, ids) =>
    observeScenario(
      s.t,
      new Map([
        [s.support.id, 'support'],
        [s.sales.id, 'sales'],
        [s.alice.id, 'alice'],
        [s.bob.id, 'bob'],
      ]),
      [s.support.id, s.sales.id],
      ids,
      { caller: true },
    ),
  waits: { answered: 25_000, moved: 20_000, second: 10_000 },
  movedOutcome: 'timeout',
  expectDay(got, calls) {
    // An abandon ends the call by the customer; a bridged call's end carries the hang-up cause, not who hung up.
    const call = (from: number, to: number, ended: { hangupCause: string | null; endedBy: string | null }) => ({
      direction: 'inbound',
      callerMasked: '+141******00',
      startedAt: iso(from),
      endedAt: iso(to),
      ...ended,
    });
    const cleared = { hangupCause: 'NORMAL_CLEARING', endedBy: null };
    const abandoned = { hangupCause: null, endedBy: 'customer' };
    expect(got.calls).toEqual({
      answered: {
        ...call(0, 150, cleared),
        visits: [['support', 'answered', 25_000, 'alice', iso(0), iso(25)]],
        // Talk: bridged 25 s → 150 s, minus 20 s on hold (CHANNEL_HOLD/UNHOLD). mod_callcenter reports no wrap-up.
        segments: [['alice', 'support', 105_000, 20_000, 1, null, null]],
      },
      abandoned: { ...call(10, 55, abandoned), visits: [['support', 'abandoned', 45_000, null, iso(10), iso(55)]], segments: [] },
      short: { ...call(20, 23, abandoned), visits: [['support', 'abandoned', 3_000, null, iso(20), iso(23)]], segments: [] },
      transferred: {
        ...call(30, 150, cleared),
        visits: [
          ['support', 'timeout', 20_000, null, iso(30), iso(50)],
          ['sales', 'answered', 10_000, 'bob', iso(50), iso(60)],
        ],
        segments: [['bob', 'sales', 90_000, 0, 0, null, null]],
      },
    });
    // Postgres orders segments by interaction id (a session uuid here).
    const segments = [
      [calls.answered, 'alice', 105_000, 20_000],
      [calls.transferred, 'bob', 90_000, 0],
    ];
    expect(got.sql.segments).toEqual(segments.sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  },
  again: { twice: (events) => events.filter((_, i) => i % 3 === 0), seed: 13 },
};
