import { describe, expect, it } from 'vitest';
import { DEFAULT_HOLD_MUSIC } from '../../src/adapters/telephony/twilio/twiml';
import {
  AUTH_TOKEN,
  callStatus,
  conferenceEvent,
  dequeueUrl,
  enqueueAction,
  formBody,
  formPairs,
  OTHER_AUTH_TOKEN,
  type Params,
  sid,
  signTwilio,
  type TaskInput,
  type TaskRouterInput,
  taskRouterCallback,
  taskRouterCloudEvent,
  waitUrl,
  withBodyHash,
} from '../adapters/twilio/fixtures';
import { createAgent, createQueue, createTenant } from '../factories';
import { type ApiResponse, call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { settle, T0 } from '../helpers/ingest';
import { shuffled } from '../helpers/scenario';

// Twilio end to end: Voice status callbacks, conference hold callbacks, TaskRouter event callbacks and
// Event Streams CloudEvents, each signed with X-Twilio-Signature over the connector's public URL
// (http://callboard.test, where the test Worker is reached), posted to the connector's webhook path,
// and read back from Postgres and from the queues' live state.

const BASE = 'http://callboard.test';
const TQ_BILLING = sid('WQ', 'billing');
const TQ_SUPPORT = sid('WQ', 'support');
const QU_SUPPORT = sid('QU', 'support');
const WK_ALICE = sid('WK', 'alice');
const WK_BOB = sid('WK', 'bob');
const CONF = sid('CF', 'conference');

async function setup() {
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
type Setup = Awaited<ReturnType<typeof setup>>;

type Delivery = { form: Params } | { json: unknown };

/**
 * Posts a delivery as Twilio does: a form signed over the public URL and its sorted parameters, or a
 * JSON body whose SHA-256 Twilio appends to the URL as `bodySHA256` before signing the URL alone.
 */
async function deliver(
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

const ms = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;
const iso = (t: number) => new Date(t).toISOString();

/**
 * One morning on a TaskRouter contact center: an answered call with a hold and wrap-up, an abandon,
 * a short abandon, a call moved from Billing to Support by the workflow, and Alice taking a break.
 * Voice status callbacks report the customers' legs, conference callbacks the hold, TaskRouter the
 * queues and agents (callbacks, and Event Streams for Alice's activity).
 */
function morning() {
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
async function observed(s: Setup, calls: Record<string, string>) {
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
    const { date: _d, timeZone: _z, ...today } = body.today;
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

async function deliverAll(s: Setup, deliveries: Delivery[]) {
  const responses: ApiResponse[] = [];
  for (const d of deliveries) {
    const res = await deliver(s, d);
    expect(res.status, res.text).toBe(200);
    expect(res.body.rejected, res.text).toBe(0);
    responses.push(res);
  }
  return responses;
}

describe('POST /v1/webhooks/twilio/{connectorId}', () => {
  it('a morning of calls: answered with hold and wrap-up, abandoned, short abandon, moved between queues, a break', async () => {
    const s = await setup();
    const { calls, deliveries, breakTime } = morning();
    const first = await deliverAll(s, [...deliveries, ...(breakTime.slice(0, 1) as Delivery[])]);
    expect(first.reduce((sum, r) => sum + r.body.accepted, 0)).toBeGreaterThan(deliveries.length);
    // Alice is on her break in the live state of every queue she serves.
    for (const q of [s.billing, s.support]) {
      const live = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
      expect(live.agents.list).toContainEqual({ agentId: s.alice.id, state: 'away', reason: 'Break', since: iso(ms(5)) });
    }
    await deliverAll(s, breakTime.slice(1));
    await settle(s.t);

    const got = await observed(s, calls);
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
    const { serviceLevel } = (await s.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);
    expect(got.calls.moved).toMatchObject({
      visits: [
        ['billing', 'transferred', 20_000, null, iso(ms(4, 2)), iso(ms(4, 22))],
        ['support', 'answered', 9_950, 'bob', iso(ms(4, 22.05)), iso(ms(4, 32))],
      ],
      segments: [['bob', 'support', 90_000, 0, 0, 18_000, iso(ms(4, 32))]],
    });
    const aliceNow = ['alice', 'available', null, iso(ms(6, 30))];
    expect(got.live).toEqual({
      billing: { waiting: 0, offered: 4, answered: 1, abandoned: 2, flowedOut: 1, unknown: 0, agents: [aliceNow] },
      support: { waiting: 0, offered: 1, answered: 1, abandoned: 0, flowedOut: 0, unknown: 0, agents: [aliceNow] },
    });
    // Postgres orders rows by interaction id (the CallSid): sort the expectations the same way (stable).
    const byCall = <R extends unknown[]>(rows: R[]) =>
      [...rows].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : String(x[0]) > String(y[0]) ? 1 : 0));
    expect(got.sql.visits).toEqual(
      byCall([
        [calls.answered, 'billing', 'answered', 10_000, 'alice'],
        [calls.abandoned, 'billing', 'abandoned', 45_000, null],
        [calls.short, 'billing', 'abandoned', 3_000, null],
        [calls.moved, 'billing', 'transferred', 20_000, null],
        [calls.moved, 'support', 'answered', 9_950, 'bob'],
      ]),
    );
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

    // Twilio delivering everything again: every event a duplicate, nothing changes.
    for (const d of [...deliveries, ...breakTime]) {
      const res = await deliver(s, d);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ accepted: 0, rejected: 0 });
      expect(res.body.duplicates).toBe(res.body.results.length);
    }
    await settle(s.t);
    expect(await observed(s, calls)).toEqual(got);

    // Another tenant gets the same deliveries out of order, some twice (TaskRouter and status callbacks
    // are not ordered, and retried): the same records.
    const other = await setup();
    const all = [...deliveries, ...breakTime];
    await deliverAll(other, shuffled([...all, ...all.filter((_, i) => i % 4 === 0)], 20_240_604));
    await settle(other.t);
    expect(await observed(other, calls)).toEqual(got);
  });

  it('the same TaskRouter event through the callback and Event Streams is one event', async () => {
    const s = await setup();
    const callSid = sid('CA', 'both-surfaces');
    const task: TaskInput = {
      taskSid: sid('WT', 'both'),
      callSid,
      queueSid: TQ_BILLING,
      queueName: 'Billing',
      enteredMs: ms(1, 2),
    };
    const entered: TaskRouterInput = {
      eventType: 'task-queue.entered',
      eventSid: sid('EV', 'both-entered'),
      atMs: ms(1, 2),
      task,
    };
    const canceled: TaskRouterInput = {
      eventType: 'task.canceled',
      eventSid: sid('EV', 'both-canceled'),
      atMs: ms(1, 32),
      task: { ...task, canceledReason: 'hangup' },
    };
    const viaCallback = await deliverAll(s, [{ form: taskRouterCallback(entered) }, { form: taskRouterCallback(canceled) }]);
    expect(viaCallback.map((r) => r.body.accepted)).toEqual([1, 1]);
    const viaStreams = await deliver(s, { json: [taskRouterCloudEvent(entered), taskRouterCloudEvent(canceled)] });
    expect(viaStreams.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${callSid}`)).body;
    expect(c.visits.map((v: any) => [v.outcome, v.waitMs])).toEqual([['abandoned', 30_000]]);
  });

  it('plain <Enqueue> queues: wait URL and action get TwiML; the join, the answer and the abandon are recorded', async () => {
    const s = await setup();
    const abandoned = sid('CA', `twiml-abandoned-${Date.now()}`);
    const answered = sid('CA', `twiml-answered-${Date.now()}`);

    // The wait URL: every request proves the join (the repeats are duplicates) and gets looping hold music.
    const wait = await deliver(s, { form: waitUrl({ callSid: abandoned, queueSid: QU_SUPPORT, queueTimeS: 40, position: 1 }) });
    expect(wait.status, wait.text).toBe(200);
    expect(wait.headers.get('Content-Type')).toMatch(/^text\/xml/);
    expect(wait.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="0">${DEFAULT_HOLD_MUSIC}</Play></Response>`,
    );
    expect(
      (await deliver(s, { form: waitUrl({ callSid: abandoned, queueSid: QU_SUPPORT, queueTimeS: 40, position: 1 }) })).status,
    ).toBe(200);
    // The caller hangs up: the action URL, here with `next` so the tenant's own flow would go on.
    const next = 'https://app.example.com/after-queue?lang=en&x=1';
    const action = await deliver(
      s,
      { form: enqueueAction({ callSid: abandoned, result: 'hangup', queueSid: QU_SUPPORT, queueTimeS: 41 }) },
      { query: `?next=${encodeURIComponent(next)}` },
    );
    expect(action.status, action.text).toBe(200);
    expect(action.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Redirect method="POST">https://app.example.com/after-queue?lang=en&amp;x=1</Redirect></Response>',
    );

    // Answered: the <Queue url> request is the answer; the `bridged` action at the end is the same fact.
    await deliver(s, { form: waitUrl({ callSid: answered, queueSid: QU_SUPPORT, queueTimeS: 30 }) });
    const dequeue = await deliver(s, {
      form: dequeueUrl({ callSid: answered, queueSid: QU_SUPPORT, queueTimeS: 30, dequeuingCallSid: sid('CA', 'agent') }),
    });
    expect(dequeue.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const bridged = await deliver(s, {
      form: enqueueAction({ callSid: answered, result: 'bridged', queueSid: QU_SUPPORT, queueTimeS: 30 }),
    });
    expect(bridged.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await settle(s.t);

    const visits = async (id: string) => (await s.t.admin.get(`/v1/calls/${id}`)).body.visits;
    const [left] = await visits(abandoned);
    expect(left).toMatchObject({ queueId: s.support.id, outcome: 'abandoned', enqueuedAtSource: 'derived', closedBy: 'event' });
    // Timed by arrival: joined 40 s before the wait request reached us, left when the action did.
    expect(left.waitMs).toBeGreaterThanOrEqual(40_000);
    expect(left.waitMs).toBeLessThan(45_000);
    const answeredVisits = await visits(answered);
    expect(answeredVisits).toHaveLength(1);
    expect(answeredVisits[0]).toMatchObject({ queueId: s.support.id, outcome: 'answered', closedBy: 'event' });
    expect(answeredVisits[0].waitMs).toBeGreaterThanOrEqual(30_000);
    expect(answeredVisits[0].waitMs).toBeLessThan(35_000);

    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as any[];
    // Newest first: bridged (a duplicate of the answer), <Queue url>, wait, action, wait again (duplicate), wait.
    expect(log.map((d) => [d.accepted, d.duplicates, d.rejected])).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('a child leg to an agent is reported as offers and a connection, merged into the customer call', async () => {
    const s = await setup();
    const customer = sid('CA', `dial-${Date.now()}`);
    const leg = sid('CA', `dial-leg-${Date.now()}`);
    const agentLeg = (status: string, sec: number, durationS?: number): Delivery => ({
      form: callStatus({ callSid: leg, parentCallSid: customer, status, to: 'client:alice', atMs: ms(1, sec), durationS }),
    });
    await deliverAll(s, [
      {
        form: taskRouterCallback({
          eventType: 'task-queue.entered',
          eventSid: sid('EV', `dial-${customer}`),
          atMs: ms(1, 2),
          task: {
            taskSid: sid('WT', customer),
            callSid: customer,
            queueSid: TQ_SUPPORT,
            queueName: 'Support',
            enteredMs: ms(1, 2),
          },
        }),
      },
      agentLeg('ringing', 5),
      agentLeg('in-progress', 8),
      agentLeg('completed', 68, 60),
      { form: callStatus({ callSid: customer, status: 'completed', atMs: ms(1, 70), durationS: 70 }) },
    ]);
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${customer}`)).body;
    expect(c.visits.map((v: any) => [v.outcome, v.waitMs, v.agentId])).toEqual([['answered', 6_000, s.alice.id]]);
    expect(c.segments.map((g: any) => [g.agentId, g.talkMs, g.connectedAt, g.disconnectedAt])).toEqual([
      [s.alice.id, 60_000, iso(ms(1, 8)), iso(ms(1, 68))],
    ]);
  });

  it('a conference hold stamped in the whole second of the TaskRouter connect, before it, is hold and not talk', async () => {
    const s = await setup();
    const customer = sid('CA', `hold-${Date.now()}`);
    const t = {
      taskSid: sid('WT', customer),
      callSid: customer,
      queueSid: TQ_SUPPORT,
      queueName: 'Support',
      enteredMs: ms(1, 2),
    };
    const r = { reservationSid: sid('WR', customer), worker: { workerSid: WK_BOB, name: 'bob', activity: 'Busy' } };
    const tr = (eventType: string, atMs: number, extra: Partial<TaskRouterInput> = {}): Delivery => ({
      form: taskRouterCallback({ eventType, eventSid: sid('EV', `${customer}-${eventType}`), atMs, task: t, ...extra }),
    });
    const hold = (event: string, seq: number, atMs: number): Delivery => ({
      form: conferenceEvent({ conferenceSid: sid('CF', customer), event, callSid: customer, seq, atMs }),
    });
    await deliverAll(s, [
      tr('task-queue.entered', ms(1, 2)),
      // Accepted at 12.350 s (TaskRouter, ms); the agent puts the caller on hold at once: Twilio stamps it 12 s.
      tr('reservation.accepted', ms(1, 12.35), r),
      hold('participant-hold', 3, ms(1, 12)),
      hold('participant-unhold', 4, ms(1, 30)),
      tr('task.wrapup', ms(1, 72.35), r),
    ]);
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${customer}`)).body;
    expect(c.segments.map((g: any) => [g.agentId, g.connectedAt, g.holdMs, g.holdCount, g.talkMs])).toEqual([
      [s.bob.id, iso(ms(1, 12.35)), 17_650, 1, 42_350],
    ]);
  });

  it('accepts and ignores what it does not map, and logs it', async () => {
    const s = await setup();
    const unmapped = await deliver(s, {
      form: taskRouterCallback({
        eventType: 'workflow.target-matched',
        eventSid: sid('EV', 'unmapped'),
        atMs: ms(1),
        task: { taskSid: sid('WT', 'x') },
      }),
    });
    expect(unmapped.status, unmapped.text).toBe(200);
    expect(unmapped.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    const voiceStream = await deliver(s, {
      json: [
        { specversion: '1.0', type: 'com.twilio.voice.status-callback.call.ringing', id: 'CE1', time: iso(ms(1)), data: {} },
      ],
    });
    expect(voiceStream.body).toMatchObject({ accepted: 0, rejected: 0 });
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as any[];
    expect(log.map((d) => [d.outcome, d.httpStatus, d.ignored.map((i: { what: string }) => i.what)])).toEqual([
      [expect.any(String), 200, ['com.twilio.voice.status-callback.call.ringing']],
      [expect.any(String), 200, ['workflow.target-matched']],
    ]);
  });

  it('refuses malformed payloads with problem+json, and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const bad422 = expectProblem(await deliver(s, { form: { hello: 'world' } }), 422, 'VALIDATION_FAILED');
    expect(bad422.errors?.map((e) => e.pointer)).toEqual(['/AccountSid']);
    const noCall = {
      ...enqueueAction({ callSid: sid('CA', 'x'), result: 'hangup', queueSid: QU_SUPPORT, queueTimeS: 3 }),
      CallSid: undefined,
    };
    expectProblem(await deliver(s, { form: noCall }), 422, 'VALIDATION_FAILED');
    expectProblem(await deliver(s, { json: '[{"type": ' }), 400, 'MALFORMED_JSON');
    expectProblem(await deliver(s, { json: { not: 'a CloudEvent' } }), 422, 'VALIDATION_FAILED');
    expectProblem(await deliver(s, { json: 'plain text' }, { contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');

    const status = { form: callStatus({ callSid: sid('CA', 'sig'), status: 'ringing', atMs: ms(1) }) };
    expectProblem(await deliver(s, status, { signature: null }), 401, 'SIGNATURE_MISSING');
    expectProblem(await deliver(s, status, { token: OTHER_AUTH_TOKEN }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, status, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), 401, 'SIGNATURE_INVALID');
    // Signed for another URL than the connector's public one.
    expectProblem(
      await deliver(s, status, { signUrl: `https://elsewhere.example.com${s.connector.webhookPath}` }),
      401,
      'SIGNATURE_INVALID',
    );
    // A form body changed after signing.
    const signature = await signTwilio(AUTH_TOKEN, `${BASE}${s.connector.webhookPath}`, formPairs(formBody(status.form)));
    const changed = await call('POST', s.connector.webhookPath, {
      rawBody: formBody({ ...status.form, CallStatus: 'completed' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    });
    expectProblem(changed, 401, 'SIGNATURE_INVALID');

    await settle(s.t);
    for (const q of [s.billing, s.support]) expect((await s.t.admin.get(`/v1/queues/${q.id}/live`)).body.today.offered).toBe(0);
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
  });
});
