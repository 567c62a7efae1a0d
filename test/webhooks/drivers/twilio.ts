import { expect } from 'vitest';
import {
  AUTH_TOKEN,
  callStatus,
  conferenceEvent,
  formBody,
  formPairs,
  type Params,
  sid,
  signTwilio,
  type TaskInput,
  type TaskRouterInput,
  taskRouterCallback,
  taskRouterCloudEvent,
  withBodyHash,
} from '../../adapters/twilio/fixtures';
import { createAgent, createQueue, createTenant } from '../../factories';
import { type ApiResponse, call } from '../../helpers/api';
import { asTenant } from '../../helpers/db';
import { T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';

// Twilio end to end: Voice status callbacks, conference hold callbacks, TaskRouter event callbacks and
// Event Streams CloudEvents, each signed with X-Twilio-Signature over the connector's public URL
// (http://callboard.test, where the test Worker is reached), posted to the connector's webhook path,
// and read back from Postgres and from the queues' live state.

export const BASE = 'http://callboard.test';
export const TQ_BILLING = sid('WQ', 'billing');
export const TQ_SUPPORT = sid('WQ', 'support');
export const QU_SUPPORT = sid('QU', 'support');
export const WK_ALICE = sid('WK', 'alice');
export const WK_BOB = sid('WK', 'bob');
export const CONF = sid('CF', 'conference');

export async function setup() {
  const t = await createTenant();
  const billing = await createQueue(t, { name: 'Billing', externalKeys: [{ provider: 'twilio', key: TQ_BILLING }] });
  const support = await createQueue(t, {
    name: 'Support',
    externalKeys: [
      { provider: 'twilio', key: TQ_SUPPORT },
      { provider: 'twilio', key: QU_SUPPORT },
    ],
  });
  const alice = await createAgent(t, {
    queueIds: [billing.id, support.id],
    externalKeys: [
      { provider: 'twilio', key: WK_ALICE },
      { provider: 'twilio', key: 'client:alice' },
    ],
  });
  const bob = await createAgent(t, { queueIds: [support.id], externalKeys: [{ provider: 'twilio', key: WK_BOB }] });
  const res = await t.admin.post('/v1/connectors', {
    name: 'Twilio',
    provider: 'twilio',
    credentials: { authToken: AUTH_TOKEN },
    options: { publicBaseUrl: BASE, activityStates: { 'Lunch Break': 'away' } },
  });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(connector.webhookPath).toBe(`/v1/webhooks/twilio/${connector.id}`);
  expect(connector.credentials).toEqual(['authToken']);
  return { t, billing, support, alice, bob, connector };
}
export type Setup = Awaited<ReturnType<typeof setup>>;

export type Delivery = { form: Params } | { json: unknown };

/**
 * Posts a delivery as Twilio does: a form signed over the public URL and its sorted parameters, or a
 * JSON body whose SHA-256 Twilio appends to the URL as `bodySHA256` before signing the URL alone.
 */
export async function deliver(
  s: Setup,
  d: Delivery,
  o: { query?: string; token?: string; signUrl?: string; signature?: string | null; contentType?: string } = {},
): Promise<ApiResponse> {
  let path = `${s.connector.webhookPath}${o.query ?? ''}`;
  let raw: string;
  let pairs: [string, string][] | null = null;
  if ('form' in d) {
    raw = formBody(d.form);
    pairs = formPairs(raw);
  } else {
    raw = typeof d.json === 'string' ? d.json : JSON.stringify(d.json);
    path = await withBodyHash(path, raw);
  }
  const signature =
    o.signature === undefined ? await signTwilio(o.token ?? AUTH_TOKEN, o.signUrl ?? `${BASE}${path}`, pairs) : o.signature;
  const headers: Record<string, string> = {
    'Content-Type': o.contentType ?? ('form' in d ? 'application/x-www-form-urlencoded' : 'application/json'),
    'I-Twilio-Idempotency-Token': crypto.randomUUID(),
  };
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  return call('POST', path, { rawBody: raw, headers });
}

export const ms = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;
export const iso = (t: number) => new Date(t).toISOString();

/**
 * One morning on a TaskRouter contact center: an answered call with a hold and wrap-up, an abandon,
 * a short abandon, a call moved from Billing to Support by the workflow, and Alice taking a break.
 * Voice status callbacks report the customers' legs, conference callbacks the hold, TaskRouter the
 * queues and agents (callbacks, and Event Streams for Alice's activity).
 */
export function morning() {
  const calls = {
    answered: sid('CA', 'answered'),
    abandoned: sid('CA', 'abandoned'),
    short: sid('CA', 'short'),
    moved: sid('CA', 'moved'),
  };
  const alice = { workerSid: WK_ALICE, name: 'alice', activity: 'Available' };
  const bob = { workerSid: WK_BOB, name: 'bob', activity: 'Available' };
  let n = 0;
  const tr = (eventType: string, atMs: number, task: TaskInput, extra: Partial<TaskRouterInput> = {}): Delivery => ({
    form: taskRouterCallback({ eventType, eventSid: sid('EV', `event-${n++}`), atMs, task, ...extra }),
  });
  const voice = (callSid: string, status: string, atMs: number, seq: number, durationS?: number): Delivery => ({
    form: callStatus({ callSid, status, atMs, seq, durationS }),
  });
  const task = (callSid: string, m: number, queueSid = TQ_BILLING, enteredMs = ms(m, 2)): TaskInput => ({
    taskSid: sid('WT', callSid),
    callSid,
    queueSid,
    queueName: queueSid === TQ_BILLING ? 'Billing' : 'Support',
    enteredMs,
    createdMs: ms(m, 1),
  });

  const a = task(calls.answered, 1);
  const b = task(calls.abandoned, 2);
  const c = task(calls.short, 3);
  const d = task(calls.moved, 4);
  const dSupport = { ...d, queueSid: TQ_SUPPORT, queueName: 'Support', enteredMs: ms(4, 22.05) };
  const rA = { reservationSid: sid('WR', 'a'), worker: { ...alice, activity: 'Busy' } };
  const rB = { reservationSid: sid('WR', 'b'), worker: alice };
  const rD = { reservationSid: sid('WR', 'd'), worker: { ...bob, activity: 'Busy' } };
  const deliveries: Delivery[] = [
    // Answered by Alice after 10 s, on hold 40–55 s, the agent ends the call at 130 s, 30 s of wrap-up.
    voice(calls.answered, 'ringing', ms(1), 0),
    tr('task.created', ms(1, 1), a),
    tr('task-queue.entered', ms(1, 2), a),
    tr('reservation.created', ms(1, 9), { ...a, status: 'reserved' }, rA),
    tr('reservation.accepted', ms(1, 12), { ...a, status: 'assigned' }, rA),
    {
      form: conferenceEvent({ conferenceSid: CONF, event: 'participant-hold', callSid: calls.answered, seq: 5, atMs: ms(1, 40) }),
    },
    {
      form: conferenceEvent({
        conferenceSid: CONF,
        event: 'participant-unhold',
        callSid: calls.answered,
        seq: 6,
        atMs: ms(1, 55),
      }),
    },
    tr('task.wrapup', ms(1, 130), { ...a, status: 'wrapping' }, rA),
    voice(calls.answered, 'completed', ms(1, 131), 3, 131),
    tr('task.completed', ms(1, 160), { ...a, status: 'completed' }, rA),
    // Abandoned after 45 s while Alice's phone was ringing.
    voice(calls.abandoned, 'ringing', ms(2), 0),
    tr('task.created', ms(2, 1), b),
    tr('task-queue.entered', ms(2, 2), b),
    tr('reservation.created', ms(2, 20), { ...b, status: 'reserved' }, rB),
    tr('reservation.canceled', ms(2, 47), { ...b, status: 'canceled' }, rB),
    tr('task.canceled', ms(2, 47), { ...b, status: 'canceled', canceledReason: 'hangup' }),
    voice(calls.abandoned, 'completed', ms(2, 47), 2, 47),
    // A short abandon: 3 s in the queue.
    voice(calls.short, 'ringing', ms(3), 0),
    tr('task-queue.entered', ms(3, 2), c),
    tr('task.canceled', ms(3, 5), { ...c, status: 'canceled', canceledReason: 'hangup' }),
    voice(calls.short, 'completed', ms(3, 5), 2, 5),
    // Moved by the workflow from Billing to Support after 20 s, answered there by Bob.
    voice(calls.moved, 'ringing', ms(4), 0),
    tr('task.created', ms(4, 1), d),
    tr('task-queue.entered', ms(4, 2), d),
    tr('task-queue.moved', ms(4, 22), d),
    tr('task-queue.entered', ms(4, 22.05), dSupport),
    tr('reservation.created', ms(4, 25), { ...dSupport, status: 'reserved' }, rD),
    tr('reservation.accepted', ms(4, 32), { ...dSupport, status: 'assigned' }, rD),
    tr('task.wrapup', ms(4, 122), { ...dSupport, status: 'wrapping' }, rD),
    voice(calls.moved, 'completed', ms(4, 123), 3, 123),
    tr('task.completed', ms(4, 140), { ...dSupport, status: 'completed' }, rD),
  ];
  const activity = (atMs: number, to: string, from: string, msInPrevious: number): TaskRouterInput => ({
    eventType: 'worker.activity.update',
    eventSid: sid('EV', `activity-${atMs}`),
    atMs,
    worker: { ...alice, activity: to, previousActivity: from, msInPrevious },
  });
  // Alice's activities through Event Streams, two batches.
  const breakTime: Delivery[] = [
    {
      json: [
        taskRouterCloudEvent(activity(ms(0, 30), 'Available', 'Offline', 600_000)),
        taskRouterCloudEvent(activity(ms(5), 'Break', 'Available', 270_000)),
      ],
    },
    {
      json: [
        taskRouterCloudEvent(activity(ms(6), 'Lunch Break', 'Break', 60_000)),
        taskRouterCloudEvent(activity(ms(6, 30), 'Available', 'Lunch Break', 30_000)),
      ],
    },
  ];
  return { calls, deliveries, breakTime };
}

/** The calls, their visits and segments, live counters and Alice's state history, with Callboard ids named. */
export async function observed(s: Setup, calls: Record<string, string>) {
  const names = new Map([
    [s.billing.id, 'billing'],
    [s.support.id, 'support'],
    [s.alice.id, 'alice'],
    [s.bob.id, 'bob'],
  ]);
  const n = (id: string | null) => (id === null ? null : (names.get(id) ?? id));
  const out: Record<string, unknown> = {};
  for (const [role, id] of Object.entries(calls)) {
    const res = await s.t.admin.get(`/v1/calls/${id}`);
    expect(res.status, res.text).toBe(200);
    const c = res.body;
    out[role] = {
      direction: c.direction,
      callerMasked: c.callerMasked,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      hangupCause: c.hangupCause,
      visits: c.visits.map((v: any) => [n(v.queueId), v.outcome, v.waitMs, n(v.agentId), v.enqueuedAt, v.leftAt]),
      segments: c.segments.map((g: any) => [n(g.agentId), n(g.queueId), g.talkMs, g.holdMs, g.holdCount, g.acwMs, g.connectedAt]),
    };
  }
  const live: Record<string, unknown> = {};
  for (const q of [s.billing, s.support]) {
    const body = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
    const { date: _d, timeZone: _z, dayStart: _s, metrics: _m, ...today } = body.today;
    live[n(q.id) as string] = {
      waiting: body.waiting,
      ...today,
      agents: body.agents.list.map((a: any) => [n(a.agentId), a.state, a.reason, a.since]),
    };
  }
  const sql = await asTenant(s.t.id, async (q) => ({
    visits: (
      await q(
        'SELECT interaction_id, queue_id, outcome, wait_ms, agent_id FROM queue_visits ORDER BY interaction_id, enqueued_at',
      )
    ).map((r) => [r.interaction_id, n(r.queue_id), r.outcome, Number(r.wait_ms), n(r.agent_id)]),
    segments: (
      await q('SELECT interaction_id, agent_id, queue_id, talk_ms, hold_ms, acw_ms FROM agent_segments ORDER BY interaction_id')
    ).map((r) => [r.interaction_id, n(r.agent_id), n(r.queue_id), Number(r.talk_ms), Number(r.hold_ms), Number(r.acw_ms)]),
    interactions: (await q('SELECT id, started_at, ended_at, hangup_cause FROM interactions ORDER BY id')).map((r) => [
      r.id,
      iso(new Date(r.started_at).getTime()),
      iso(new Date(r.ended_at).getTime()),
      r.hangup_cause,
    ]),
    alice: (
      await q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ])
    ).map((r) => [r.state, r.reason, iso(new Date(r.started_at).getTime()), r.ended_at && iso(new Date(r.ended_at).getTime())]),
  }));
  return { calls: out, live, sql };
}

export async function deliverAll(s: Setup, deliveries: Delivery[]) {
  const responses: ApiResponse[] = [];
  for (const d of deliveries) {
    const res = await deliver(s, d);
    expect(res.status, res.text).toBe(200);
    expect(res.body.rejected, res.text).toBe(0);
    responses.push(res);
  }
  return responses;
}

/**
 * The common day through Twilio: Voice status, conference and TaskRouter callbacks, then Alice's
 * activities through Event Streams, her break checked live between the two batches.
 */
export const twilioDriver: ConformanceDriver<Setup, Delivery> = {
  provider: 'twilio',
  queues: ['billing', 'support'],
  setup,
  deliver: (s, d) => deliver(s, d),
  day() {
    const { calls, deliveries, breakTime } = morning();
    return { calls, deliveries: [...deliveries, ...breakTime] };
  },
  midway: {
    before: -1,
    async check(s) {
      // Alice is on her break in the live state of every queue she serves.
      for (const q of [s.billing, s.support]) {
        const live = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
        expect(live.agents.list).toContainEqual({
          agentId: s.alice.id,
          state: 'away',
          reason: 'Break',
          since: iso(ms(5)),
          timeInStateMs: expect.any(Number),
        });
      }
    },
  },
  // Up to Alice's break: more events than deliveries (one callback can say several things).
  expectCounts: (counts, deliveries) =>
    expect(counts.slice(0, -1).reduce((n, c) => n + (c?.accepted ?? 0), 0)).toBeGreaterThan(deliveries.length - 2),
  observe: observed,
  waits: { answered: 10_000, moved: 20_000 },
  movedRole: 'moved',
  expectDay(got, calls) {
    const m1 = (sec: number) => iso(ms(1, sec));
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      callerMasked: '+141******00',
      startedAt: iso(ms(1)),
      endedAt: m1(131),
      hangupCause: 'completed',
      visits: [['billing', 'answered', 10_000, 'alice', m1(2), m1(12)]],
      // Talk: 12 s → 130 s, minus the 15 s hold; wrap-up 130 s → 160 s.
      segments: [['alice', 'billing', 103_000, 15_000, 1, 30_000, m1(12)]],
    });
    expect(got.calls.abandoned).toMatchObject({
      visits: [['billing', 'abandoned', 45_000, null, iso(ms(2, 2)), iso(ms(2, 47))]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({
      visits: [['billing', 'abandoned', 3_000, null, iso(ms(3, 2)), iso(ms(3, 5))]],
      segments: [],
    });
    expect(got.calls.moved).toMatchObject({
      visits: [
        ['billing', 'transferred', 20_000, null, iso(ms(4, 2)), iso(ms(4, 22))],
        ['support', 'answered', 9_950, 'bob', iso(ms(4, 22.05)), iso(ms(4, 32))],
      ],
      segments: [['bob', 'support', 90_000, 0, 0, 18_000, iso(ms(4, 32))]],
    });
    const aliceNow = ['alice', 'available', null, iso(ms(6, 30))];
    // The counters are the suite's; Twilio's live state also lists Alice, back from her break, in both queues.
    expect([got.live.billing.agents, got.live.support.agents]).toEqual([[aliceNow], [aliceNow]]);
    // Postgres orders rows by interaction id (the CallSid): sort the expectations the same way (stable).
    const byCall = <R extends unknown[]>(rows: R[]) =>
      [...rows].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : String(x[0]) > String(y[0]) ? 1 : 0));
    expect(got.sql.segments).toEqual(
      byCall([
        [calls.answered, 'alice', 'billing', 103_000, 15_000, 30_000],
        [calls.moved, 'bob', 'support', 90_000, 0, 18_000],
      ]),
    );
    expect(got.sql.interactions).toEqual(
      byCall([
        [calls.answered, iso(ms(1)), iso(ms(1, 131)), 'completed'],
        [calls.abandoned, iso(ms(2)), iso(ms(2, 47)), 'completed'],
        [calls.short, iso(ms(3)), iso(ms(3, 5)), 'completed'],
        [calls.moved, iso(ms(4)), iso(ms(4, 123)), 'completed'],
      ]),
    );
    expect(got.sql.alice).toEqual([
      ['available', null, iso(ms(0, 30)), iso(ms(5))],
      ['away', 'Break', iso(ms(5)), iso(ms(6))],
      ['away', 'Lunch Break', iso(ms(6)), iso(ms(6, 30))],
      ['available', null, iso(ms(6, 30)), null],
    ]);
  },
  // TaskRouter and status callbacks are not ordered, and are retried.
  again: { twice: (all) => all.filter((_, i) => i % 4 === 0), seed: 20_240_604 },
};
