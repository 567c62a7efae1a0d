import { describe, expect, it } from 'vitest';
import { canceledOutcome } from '../../../src/adapters/telephony/twilio/taskrouter';
import { twilioAdapter } from '../../../src/adapters/telephony/twilio/twilio.adapter';
import { DEFAULT_HOLD_MUSIC } from '../../../src/adapters/telephony/twilio/twiml';
import { QUEUE_RESULTS } from '../../../src/adapters/telephony/twilio/voice';
import { type AdapterContext, AdapterInputError, type InboundRequest } from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import {
  ACCOUNT_SID,
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
  type TaskRouterInput,
  taskRouterCallback,
  taskRouterCloudEvent,
  waitUrl,
  withBodyHash,
} from './fixtures';

const T = Date.UTC(2024, 5, 4, 10, 0, 0);
const NOW = T + 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const URL_ = 'https://cb.example.com/v1/webhooks/twilio/con_test';

const CALL = sid('CA', 'customer');
const AGENT_LEG = sid('CA', 'agent-leg');
const QUEUE = sid('QU', 'support');
const CONF = sid('CF', 'conference');
const TASK = sid('WT', 'task');
const TQ = sid('WQ', 'billing');
const WORKER = sid('WK', 'alice');
const RES = sid('WR', 'reservation');
const EV = (n: number) => sid('EV', `event-${n}`);
const CALLER = '+14155550100';

const ctx: AdapterContext = {
  connectorId: 'con_test',
  credentials: [{ authToken: AUTH_TOKEN }],
  options: { publicBaseUrl: 'https://cb.example.com', activityStates: { 'Lunch Break': 'away', 'Wrap Up': 'wrapup' } },
  nowMs: NOW,
};

const formReq = (params: Params, url = URL_, headers: Record<string, string> = {}): InboundRequest => ({
  method: 'POST',
  url,
  headers: new Headers(headers),
  rawBody: formBody(params),
  contentType: 'application/x-www-form-urlencoded',
});
const jsonReq = (body: unknown, url = URL_): InboundRequest => ({
  method: 'POST',
  url,
  headers: new Headers(),
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
  contentType: 'application/json',
});
const normalize = async (req: InboundRequest, c: AdapterContext = ctx) => twilioAdapter.normalize(req, c);

const alice = { workerSid: WORKER, name: 'alice', activity: 'Busy' };
const task = { taskSid: TASK, callSid: CALL, queueSid: TQ, queueName: 'Billing', enteredMs: T + 2_000, createdMs: T + 1_000 };
const tr = (eventType: string, n: number, atMs: number, extra: Partial<TaskRouterInput> = {}): TaskRouterInput => ({
  eventType,
  eventSid: EV(n),
  atMs,
  task,
  ...extra,
});
const onTask = { interactionId: CALL, queueKey: TQ };
const byAlice = { ...onTask, agentKey: WORKER };
const customer = { direction: 'inbound', caller: CALLER };

// ---- the mapping, table-driven ------------------------------------------------------------------

const CASES: [string, Params, Record<string, unknown>[]][] = [
  // Voice status callbacks: the customer's leg
  [
    'customer leg ringing → interaction.started',
    callStatus({ callSid: CALL, status: 'ringing', atMs: T, seq: 0 }),
    [
      {
        id: `twilio:call:${CALL}:ringing`,
        type: 'interaction.started',
        occurredAt: iso(T),
        interactionId: CALL,
        legId: CALL,
        ...customer,
      },
    ],
  ],
  [
    'customer leg completed → interaction.ended, and the start derived from CallDuration',
    callStatus({ callSid: CALL, status: 'completed', atMs: T + 187_000, seq: 3, durationS: 187 }),
    [
      {
        id: `twilio:call:${CALL}:completed`,
        type: 'interaction.ended',
        occurredAt: iso(T + 187_000),
        interactionId: CALL,
        legId: CALL,
        ...customer,
        attrs: { hangupCause: 'completed' },
      },
      {
        id: `twilio:call:${CALL}:completed:start`,
        type: 'interaction.started',
        occurredAt: iso(T),
        occurredAtSource: 'derived',
        interactionId: CALL,
        legId: CALL,
        ...customer,
      },
    ],
  ],
  [
    "an outbound call's customer is the To number",
    callStatus({
      callSid: CALL,
      status: 'initiated',
      atMs: T,
      direction: 'outbound-api',
      from: '+14155550199',
      to: '+420601234567',
    }),
    [
      {
        id: `twilio:call:${CALL}:initiated`,
        type: 'interaction.started',
        occurredAt: iso(T),
        interactionId: CALL,
        legId: CALL,
        direction: 'outbound',
        caller: '+420601234567',
      },
    ],
  ],
  [
    'a status callback without Timestamp is timed on receipt',
    callStatus({ callSid: CALL, status: 'no-answer', durationS: 0 }),
    [
      {
        id: `twilio:call:${CALL}:no-answer`,
        type: 'interaction.ended',
        occurredAt: iso(NOW),
        occurredAtSource: 'received',
        interactionId: CALL,
        legId: CALL,
        ...customer,
        attrs: { hangupCause: 'no-answer' },
      },
      {
        id: `twilio:call:${CALL}:no-answer:start`,
        type: 'interaction.started',
        occurredAt: iso(NOW),
        occurredAtSource: 'derived',
        interactionId: CALL,
        legId: CALL,
        ...customer,
      },
    ],
  ],
  ...(['queued', 'in-progress'] as const).map((status): [string, Params, Record<string, unknown>[]] => [
    `customer leg ${status} → interaction.started`,
    callStatus({ callSid: CALL, status, atMs: T + 1_000 }),
    [
      {
        id: `twilio:call:${CALL}:${status}`,
        type: 'interaction.started',
        occurredAt: iso(T + 1_000),
        interactionId: CALL,
        legId: CALL,
        ...customer,
      },
    ],
  ]),
  ...(['busy', 'canceled', 'failed'] as const).map((status): [string, Params, Record<string, unknown>[]] => [
    `customer leg ${status} → interaction.ended with that cause`,
    callStatus({ callSid: CALL, status, atMs: T + 5_000, durationS: 0 }),
    [
      {
        id: `twilio:call:${CALL}:${status}`,
        type: 'interaction.ended',
        occurredAt: iso(T + 5_000),
        interactionId: CALL,
        legId: CALL,
        ...customer,
        attrs: { hangupCause: status },
      },
      {
        id: `twilio:call:${CALL}:${status}:start`,
        type: 'interaction.started',
        occurredAt: iso(T + 5_000),
        occurredAtSource: 'derived',
        interactionId: CALL,
        legId: CALL,
        ...customer,
      },
    ],
  ]),
  // Voice status callbacks: an agent's child leg
  [
    'agent leg ringing → agent.offered (agent keyed by To)',
    callStatus({ callSid: AGENT_LEG, parentCallSid: CALL, status: 'ringing', to: 'client:alice', atMs: T + 9_000, seq: 1 }),
    [
      {
        id: `twilio:call:${AGENT_LEG}:ringing`,
        type: 'agent.offered',
        occurredAt: iso(T + 9_000),
        interactionId: CALL,
        legId: AGENT_LEG,
        agentKey: 'client:alice',
      },
    ],
  ],
  [
    'agent leg answered → offer accepted + agent.connected',
    callStatus({ callSid: AGENT_LEG, parentCallSid: CALL, status: 'in-progress', to: 'client:alice', atMs: T + 12_000, seq: 2 }),
    [
      {
        id: `twilio:call:${AGENT_LEG}:in-progress:offer`,
        type: 'agent.offer_ended',
        occurredAt: iso(T + 12_000),
        interactionId: CALL,
        legId: AGENT_LEG,
        agentKey: 'client:alice',
        attrs: { result: 'accepted' },
      },
      {
        id: `twilio:call:${AGENT_LEG}:in-progress`,
        type: 'agent.connected',
        occurredAt: iso(T + 12_000),
        interactionId: CALL,
        legId: AGENT_LEG,
        agentKey: 'client:alice',
      },
    ],
  ],
  [
    'agent leg completed → agent.disconnected with the talk time',
    callStatus({
      callSid: AGENT_LEG,
      parentCallSid: CALL,
      status: 'completed',
      to: 'client:alice',
      atMs: T + 132_000,
      durationS: 120,
    }),
    [
      {
        id: `twilio:call:${AGENT_LEG}:completed`,
        type: 'agent.disconnected',
        occurredAt: iso(T + 132_000),
        interactionId: CALL,
        legId: AGENT_LEG,
        agentKey: 'client:alice',
        attrs: { talkMs: 120_000 },
      },
    ],
  ],
  ...(
    [
      ['busy', 'rejected'],
      ['no-answer', 'timeout'],
      ['canceled', 'canceled'],
      ['failed', 'failed'],
    ] as const
  ).map(([status, result]): [string, Params, Record<string, unknown>[]] => [
    `agent leg ${status} → offer ${result}`,
    callStatus({ callSid: AGENT_LEG, parentCallSid: CALL, status, to: 'client:alice', atMs: T + 30_000 }),
    [
      {
        id: `twilio:call:${AGENT_LEG}:${status}`,
        type: 'agent.offer_ended',
        occurredAt: iso(T + 30_000),
        interactionId: CALL,
        legId: AGENT_LEG,
        agentKey: 'client:alice',
        attrs: { result },
      },
    ],
  ]),
  // <Enqueue> and <Dial><Queue>
  [
    'first wait-URL request (QueueTime 0) → queue.joined now',
    waitUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 0, position: 2 }),
    [
      {
        id: `twilio:call:${CALL}:queue:${QUEUE}:joined`,
        type: 'queue.joined',
        occurredAt: iso(NOW),
        occurredAtSource: 'received',
        interactionId: CALL,
        legId: CALL,
        queueKey: QUEUE,
        ...customer,
        attrs: { position: 2 },
      },
    ],
  ],
  [
    'a later wait-URL request → the same join (same id), dated now − QueueTime',
    waitUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 30, position: 1 }),
    [
      {
        id: `twilio:call:${CALL}:queue:${QUEUE}:joined`,
        type: 'queue.joined',
        occurredAt: iso(NOW - 30_000),
        occurredAtSource: 'derived',
        interactionId: CALL,
        legId: CALL,
        queueKey: QUEUE,
        ...customer,
        attrs: { position: 1 },
      },
    ],
  ],
  [
    'Enqueue action hangup → queue.left abandoned with QueueTime',
    enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE, queueTimeS: 47 }),
    [
      {
        id: `twilio:call:${CALL}:queue:${QUEUE}:hangup:47`,
        type: 'queue.left',
        occurredAt: iso(NOW),
        occurredAtSource: 'received',
        interactionId: CALL,
        legId: CALL,
        queueKey: QUEUE,
        attrs: { outcome: 'abandoned', waitMs: 47_000 },
      },
    ],
  ],
  [
    'Enqueue action bridged → queue.left answered (the same fact as the <Queue url> request)',
    enqueueAction({ callSid: CALL, result: 'bridged', queueSid: QUEUE, queueTimeS: 11 }),
    [
      {
        id: `twilio:call:${CALL}:queue:${QUEUE}:answered`,
        type: 'queue.left',
        occurredAt: iso(NOW),
        occurredAtSource: 'received',
        interactionId: CALL,
        legId: CALL,
        queueKey: QUEUE,
        attrs: { outcome: 'answered', waitMs: 11_000 },
      },
    ],
  ],
  [
    '<Dial><Queue url> request → queue.left answered now',
    dequeueUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 11, dequeuingCallSid: AGENT_LEG }),
    [
      {
        id: `twilio:call:${CALL}:queue:${QUEUE}:answered`,
        type: 'queue.left',
        occurredAt: iso(NOW),
        occurredAtSource: 'received',
        interactionId: CALL,
        legId: CALL,
        queueKey: QUEUE,
        attrs: { outcome: 'answered', waitMs: 11_000 },
      },
    ],
  ],
  // Conference participant hold
  [
    'participant-hold → hold.started',
    conferenceEvent({ conferenceSid: CONF, event: 'participant-hold', callSid: CALL, seq: 5, atMs: T + 40_000 }),
    [{ id: `twilio:conf:${CONF}:5`, type: 'hold.started', occurredAt: iso(T + 40_000), interactionId: CALL, legId: CALL }],
  ],
  [
    'participant-unhold → hold.ended',
    conferenceEvent({ conferenceSid: CONF, event: 'participant-unhold', callSid: CALL, seq: 6, atMs: T + 55_000 }),
    [{ id: `twilio:conf:${CONF}:6`, type: 'hold.ended', occurredAt: iso(T + 55_000), interactionId: CALL, legId: CALL }],
  ],
  // TaskRouter event callbacks
  [
    'task.created → interaction.started (the task attributes name the call)',
    taskRouterCallback(tr('task.created', 1, T + 1_000)),
    [
      {
        id: `twilio:${EV(1)}:started`,
        type: 'interaction.started',
        occurredAt: iso(T + 1_000),
        interactionId: CALL,
        ...customer,
      },
    ],
  ],
  [
    'task-queue.entered → queue.joined on the TaskQueue',
    taskRouterCallback(tr('task-queue.entered', 2, T + 2_000)),
    [{ id: `twilio:${EV(2)}:joined`, type: 'queue.joined', occurredAt: iso(T + 2_000), ...onTask, ...customer, attrs: {} }],
  ],
  [
    'reservation.created → agent.offered',
    taskRouterCallback(tr('reservation.created', 3, T + 9_000, { worker: alice, reservationSid: RES })),
    [{ id: `twilio:${EV(3)}:offered`, type: 'agent.offered', occurredAt: iso(T + 9_000), ...byAlice }],
  ],
  [
    'reservation.accepted → offer accepted, queue.left answered (wait from TaskQueueEnteredDate), agent.connected',
    taskRouterCallback(tr('reservation.accepted', 4, T + 12_000, { worker: alice, reservationSid: RES })),
    [
      {
        id: `twilio:${EV(4)}:offer_ended`,
        type: 'agent.offer_ended',
        occurredAt: iso(T + 12_000),
        ...byAlice,
        attrs: { result: 'accepted' },
      },
      {
        id: `twilio:${EV(4)}:left`,
        type: 'queue.left',
        occurredAt: iso(T + 12_000),
        ...byAlice,
        attrs: { outcome: 'answered', waitMs: 10_000 },
      },
      { id: `twilio:${EV(4)}:connected`, type: 'agent.connected', occurredAt: iso(T + 12_000), ...byAlice },
    ],
  ],
  ...(
    [
      ['reservation.rejected', 'rejected'],
      ['reservation.timeout', 'timeout'],
      ['reservation.canceled', 'canceled'],
      ['reservation.rescinded', 'canceled'],
    ] as const
  ).map(([type, result], i): [string, Params, Record<string, unknown>[]] => [
    `${type} → offer ${result}`,
    taskRouterCallback(tr(type, 10 + i, T + 20_000, { worker: alice, reservationSid: RES })),
    [
      {
        id: `twilio:${EV(10 + i)}:offer_ended`,
        type: 'agent.offer_ended',
        occurredAt: iso(T + 20_000),
        ...byAlice,
        attrs: { result },
      },
    ],
  ]),
  [
    'task.wrapup → agent.disconnected + wrapup.started, keyed by task and worker',
    taskRouterCallback(tr('task.wrapup', 5, T + 132_000, { worker: alice })),
    [
      {
        id: `twilio:task:${TASK}:${WORKER}:disconnected`,
        type: 'agent.disconnected',
        occurredAt: iso(T + 132_000),
        ...byAlice,
        attrs: {},
      },
      { id: `twilio:task:${TASK}:${WORKER}:wrapup`, type: 'wrapup.started', occurredAt: iso(T + 132_000), ...byAlice },
    ],
  ],
  [
    'reservation.wrapup → the same facts, the same ids',
    taskRouterCallback(tr('reservation.wrapup', 15, T + 132_000, { worker: alice, reservationSid: RES })),
    [
      {
        id: `twilio:task:${TASK}:${WORKER}:disconnected`,
        type: 'agent.disconnected',
        occurredAt: iso(T + 132_000),
        ...byAlice,
        attrs: {},
      },
      { id: `twilio:task:${TASK}:${WORKER}:wrapup`, type: 'wrapup.started', occurredAt: iso(T + 132_000), ...byAlice },
    ],
  ],
  [
    'task.completed → wrapup.ended',
    taskRouterCallback(tr('task.completed', 6, T + 162_000, { worker: alice })),
    [{ id: `twilio:task:${TASK}:${WORKER}:completed`, type: 'wrapup.ended', occurredAt: iso(T + 162_000), ...byAlice }],
  ],
  [
    'task.canceled (hangup) → queue.left abandoned',
    taskRouterCallback(tr('task.canceled', 7, T + 30_000, { task: { ...task, canceledReason: 'hangup', status: 'canceled' } })),
    [{ id: `twilio:${EV(7)}:left`, type: 'queue.left', occurredAt: iso(T + 30_000), ...onTask, attrs: { outcome: 'abandoned' } }],
  ],
  [
    'task-queue.moved → queue.left transferred from that TaskQueue',
    taskRouterCallback(tr('task-queue.moved', 8, T + 25_000)),
    [
      {
        id: `twilio:${EV(8)}:left`,
        type: 'queue.left',
        occurredAt: iso(T + 25_000),
        ...onTask,
        attrs: { outcome: 'transferred' },
      },
    ],
  ],
  ...(
    [
      ['Break', { state: 'away', reason: 'Break' }],
      ['Unavailable', { state: 'away', reason: 'Unavailable' }],
      ['Available', { state: 'available' }],
      ['offline', { state: 'offline' }],
      ['Lunch Break', { state: 'away', reason: 'Lunch Break' }],
      ['wrap up', { state: 'wrapup' }],
    ] as const
  ).map(([activity, attrs], i): [string, Params, Record<string, unknown>[]] => [
    `worker.activity.update to ${activity} → agent.state_changed ${attrs.state}`,
    taskRouterCallback({
      eventType: 'worker.activity.update',
      eventSid: EV(20 + i),
      atMs: T + 300_000,
      worker: { ...alice, activity, previousActivity: 'Available', msInPrevious: 612_345 },
    }),
    [{ id: `twilio:${EV(20 + i)}:state`, type: 'agent.state_changed', occurredAt: iso(T + 300_000), agentKey: WORKER, attrs }],
  ]),
  [
    'a callback without an event Sid is keyed by type, task and instant',
    { ...taskRouterCallback(tr('task-queue.entered', 2, T + 2_000)), Sid: undefined },
    [
      {
        id: `twilio:tr:task-queue.entered:${TASK}:${T + 2_000}:joined`,
        type: 'queue.joined',
        occurredAt: iso(T + 2_000),
        ...onTask,
        ...customer,
        attrs: {},
      },
    ],
  ],
  [
    'a task that is not a call is its own interaction',
    taskRouterCallback(tr('task-queue.entered', 9, T + 2_000, { task: { ...task, callSid: undefined } })),
    [
      {
        id: `twilio:${EV(9)}:joined`,
        type: 'queue.joined',
        occurredAt: iso(T + 2_000),
        interactionId: TASK,
        queueKey: TQ,
        ...customer,
        attrs: {},
      },
    ],
  ],
];

const IGNORED: [string, Params, string][] = [
  ['an unknown call status', callStatus({ callSid: CALL, status: 'paused', atMs: T }), 'call paused'],
  ['queue-full before a queue', enqueueAction({ callSid: CALL, result: 'queue-full' }), 'QueueResult queue-full'],
  [
    'an unknown QueueResult',
    enqueueAction({ callSid: CALL, result: 'teleported', queueSid: QUEUE, queueTimeS: 1 }),
    'QueueResult teleported',
  ],
  [
    'a conference join',
    conferenceEvent({ conferenceSid: CONF, event: 'participant-join', callSid: CALL, seq: 1, atMs: T }),
    'conference participant-join',
  ],
  ['an unmapped TaskRouter type', taskRouterCallback(tr('workflow.entered', 30, T)), 'workflow.entered'],
  [
    'task-queue.timeout (the move or cancel that follows reports the leave)',
    taskRouterCallback(tr('task-queue.timeout', 31, T)),
    'task-queue.timeout',
  ],
  ['task.wrapup without a worker', taskRouterCallback(tr('task.wrapup', 32, T)), 'task.wrapup'],
  [
    'a <Dial action> request (not a status callback)',
    {
      ...enqueueAction({ callSid: CALL, result: 'bridged' }),
      QueueResult: undefined,
      DialCallStatus: 'completed',
      DialCallSid: AGENT_LEG,
      DialCallDuration: 60,
    },
    'CallSid',
  ],
  [
    'a messaging status callback',
    { AccountSid: ACCOUNT_SID, MessageSid: sid('SM', 'sms'), MessageStatus: 'delivered', To: CALLER, From: '+14155550199' },
    'MessageSid',
  ],
];

describe('twilio adapter: normalize', () => {
  it.each(CASES)('%s', async (_name, params, expected) => {
    const out = await normalize(formReq(params));
    expect(out).toEqual({ events: expected, ignored: [] });
    for (const e of out.events) {
      const { occurredAtSource: _s, ...wire } = e;
      expect(WireEventSchema.safeParse(wire).error).toBeUndefined();
    }
  });

  it.each(IGNORED)('accepts and ignores %s', async (_name, params, what) => {
    const out = await normalize(formReq(params));
    expect(out.events).toEqual([]);
    expect(out.ignored).toEqual([{ what, reason: expect.any(String) }]);
  });

  it('maps every QueueResult through its table', async () => {
    const outcomes: Record<string, string> = {};
    for (const result of Object.keys(QUEUE_RESULTS)) {
      const out = await normalize(formReq(enqueueAction({ callSid: CALL, result, queueSid: QUEUE, queueTimeS: 3 })));
      outcomes[result] = (out.events[0]?.attrs as { outcome?: string } | undefined)?.outcome ?? 'none';
    }
    expect(outcomes).toEqual({
      bridged: 'answered',
      hangup: 'abandoned',
      'bridging-in-process': 'abandoned',
      leave: 'other',
      'redirected-from-waitUrl': 'other',
      redirected: 'transferred',
      'queue-full': 'rejected_full',
      error: 'error',
      'system-error': 'error',
      'system-shutdown': 'error',
    });
  });

  it("reads task.canceled's reason: a hang-up is an abandon, an expiry a timeout", () => {
    expect(
      ['hangup', 'Caller Hang Up', 'Task TTL Exceeded', 'Workflow Timeout', 'Canceled by API', undefined].map(canceledOutcome),
    ).toEqual(['abandoned', 'abandoned', 'timeout', 'timeout', 'other', 'other']);
  });

  it('gives the same events with the same ids for the same delivery, every time', async () => {
    for (const [, params] of [...CASES, ...IGNORED]) {
      const a = await normalize(formReq(params));
      const b = await normalize(formReq(params));
      expect(b).toEqual(a);
    }
  });

  it('a retried callback arriving later keeps the ids of the first (received-time events included)', async () => {
    const first = await normalize(formReq(enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE, queueTimeS: 47 })));
    const retry = await normalize(formReq(enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE, queueTimeS: 47 })), {
      ...ctx,
      nowMs: NOW + 5_000,
    });
    expect(retry.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });

  it('hashes an id that would not fit', async () => {
    const longSid = `CA${'a'.repeat(250)}`;
    const out = await normalize(formReq(callStatus({ callSid: longSid, status: 'ringing', atMs: T })));
    expect(out.events[0]?.id).toMatch(/^twilio:sha256:[0-9a-f]{64}$/);
  });
});

describe('twilio adapter: Event Streams', () => {
  const entered = tr('task-queue.entered', 2, T + 2_000);
  const accepted = tr('reservation.accepted', 4, T + 12_000, { worker: alice, reservationSid: RES });

  it('maps TaskRouter CloudEvents like the callbacks, with the same ids (the EV sid), and ignores other types', async () => {
    const batch = [
      taskRouterCloudEvent(entered),
      taskRouterCloudEvent(accepted),
      {
        specversion: '1.0',
        type: 'com.twilio.voice.status-callback.call.completed',
        source: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL}`,
        id: 'CE-voice-1',
        time: iso(T),
        data: { CallSid: CALL, CallStatus: 'completed' },
      },
      { specversion: '1.0', type: 'com.twilio.eventstreams.test-event', id: 'CE-test', data: { test_id: 'abc' } },
    ];
    const out = await normalize(jsonReq(batch));
    const callbacks = [
      ...(await normalize(formReq(taskRouterCallback(entered)))).events,
      ...(await normalize(formReq(taskRouterCallback(accepted)))).events,
    ];
    expect(callbacks).toHaveLength(4);
    expect(out.events).toEqual(callbacks);
    expect(out.ignored).toEqual([
      { what: 'com.twilio.voice.status-callback.call.completed', reason: expect.any(String) },
      { what: 'com.twilio.eventstreams.test-event', reason: expect.any(String) },
    ]);
  });

  const EVERY_TYPE: TaskRouterInput[] = [
    tr('task.created', 1, T + 1_000),
    entered,
    tr('task-queue.moved', 8, T + 25_000),
    tr('task.canceled', 7, T + 30_000, { task: { ...task, canceledReason: 'hangup' } }),
    tr('reservation.created', 3, T + 9_000, { worker: alice, reservationSid: RES }),
    accepted,
    ...['rejected', 'timeout', 'canceled', 'rescinded', 'wrapup', 'completed'].map((r, i) =>
      tr(`reservation.${r}`, 40 + i, T + 20_000, { worker: alice, reservationSid: RES }),
    ),
    tr('task.wrapup', 5, T + 132_000, { worker: alice }),
    tr('task.completed', 6, T + 162_000, { worker: alice }),
    { eventType: 'worker.activity.update', eventSid: EV(20), atMs: T + 300_000, worker: { ...alice, activity: 'Break' } },
  ];

  it.each(EVERY_TYPE.map((e) => [e.eventType, e] as const))('%s through Event Streams = the callback', async (_type, e) => {
    const viaCallback = await normalize(formReq(taskRouterCallback(e)));
    expect(viaCallback.events.length).toBeGreaterThan(0);
    expect(await normalize(jsonReq([taskRouterCloudEvent(e)]))).toEqual(viaCallback);
  });

  it('takes a single CloudEvent (batch_events off) and keys by the CloudEvent id when the payload has no sid', async () => {
    const ce = taskRouterCloudEvent(entered, 'CE0001');
    (ce.data as { payload: Record<string, unknown> }).payload.sid = undefined;
    const out = await normalize(jsonReq(ce));
    expect(out.events.map((e) => [e.id, e.type, e.queueKey, e.interactionId])).toEqual([
      ['twilio:ce:CE0001:joined', 'queue.joined', TQ, CALL],
    ]);
  });

  it('ignores an unreadable event inside a batch but refuses a body that is not CloudEvents', async () => {
    const out = await normalize(
      jsonReq([{ type: 'com.twilio.taskrouter.task.canceled', id: 'x' }, taskRouterCloudEvent(entered)]),
    );
    expect(out.events).toHaveLength(1);
    expect(out.ignored).toEqual([{ what: 'com.twilio.taskrouter.task.canceled', reason: 'No data.payload.' }]);
    for (const body of [[], { hello: 'world' }, [taskRouterCloudEvent(entered), 42], '"just text"']) {
      const err = await normalize(jsonReq(body)).catch((e) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdapterInputError);
      expect(err.status).toBe(422);
    }
    const bad = await normalize(jsonReq([{ type: 'com.twilio.taskrouter.x' }, {}])).catch((e) => e);
    expect(bad.issues).toEqual([{ in: 'body', pointer: '/1/type', detail: expect.any(String) }]);
  });
});

describe('twilio adapter: malformed deliveries', () => {
  const refuse = async (req: InboundRequest) => {
    const err = await normalize(req).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterInputError);
    return err as AdapterInputError;
  };

  it('415 for a content type Twilio does not send, 400 for unreadable bodies', async () => {
    expect((await refuse({ ...jsonReq('x'), contentType: 'text/plain' })).status).toBe(415);
    expect(await refuse(jsonReq('{"type": '))).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect((await refuse({ ...formReq({}), rawBody: '' })).status).toBe(400);
  });

  it('422 naming the field for a readable but invalid payload', async () => {
    const cases: [Params, string][] = [
      [{ hello: 'world' }, '/AccountSid'],
      [{ ...enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE }), CallSid: undefined }, '/CallSid'],
      [{ ...waitUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 0 }), CallSid: undefined }, '/CallSid'],
      [{ ...callStatus({ callSid: CALL, status: 'ringing' }), Timestamp: 'yesterday' }, '/Timestamp'],
      [
        callStatus({ callSid: AGENT_LEG, parentCallSid: CALL, status: 'completed', to: 'client:alice', durationS: -3 }),
        '/CallDuration',
      ],
      [enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE, queueTimeS: 1e12 }), '/QueueTime'],
      [{ ...taskRouterCallback(tr('task-queue.entered', 2, T)), TimestampMs: '17e11' }, '/TimestampMs'],
      [
        {
          ...conferenceEvent({ conferenceSid: CONF, event: 'participant-hold', callSid: CALL, seq: 1, atMs: T }),
          CallSid: undefined,
        },
        '/CallSid',
      ],
    ];
    for (const [params, pointer] of cases) {
      const err = await refuse(formReq(params));
      expect(err.status, pointer).toBe(422);
      expect(err.issues.map((i) => i.pointer)).toEqual([pointer]);
    }
  });
});

// ---- verification ------------------------------------------------------------------------------

async function signedForm(
  params: Params,
  opts: { token?: string; signUrl?: string; url?: string } = {},
): Promise<InboundRequest> {
  const body = formBody(params);
  const signature = await signTwilio(opts.token ?? AUTH_TOKEN, opts.signUrl ?? opts.url ?? URL_, formPairs(body));
  return formReq(params, opts.url ?? URL_, { 'X-Twilio-Signature': signature });
}

async function signedJson(body: string, opts: { token?: string } = {}): Promise<InboundRequest> {
  const url = await withBodyHash(URL_, body);
  return {
    ...jsonReq(body, url),
    headers: new Headers({ 'X-Twilio-Signature': await signTwilio(opts.token ?? AUTH_TOKEN, url, null) }),
  };
}

describe('twilio adapter: verify', () => {
  const status = callStatus({ callSid: CALL, status: 'completed', atMs: T, durationS: 42 });
  const verify = (req: InboundRequest, c: AdapterContext = ctx) => twilioAdapter.verify(req, c);

  it('accepts a form signed over the exact URL and the sorted parameters', async () => {
    expect(await verify(await signedForm(status))).toEqual({ ok: true, credentialIndex: 0 });
    const withQuery = `${URL_}?next=${encodeURIComponent('https://app.example.com/after?x=1&y=2')}`;
    expect(await verify(await signedForm(status, { url: withQuery }))).toEqual({ ok: true, credentialIndex: 0 });
  });

  it('says which credential matched during a rotation', async () => {
    const both = { ...ctx, credentials: [{ authToken: OTHER_AUTH_TOKEN }, { authToken: AUTH_TOKEN }] };
    expect(await verify(await signedForm(status), both)).toEqual({ ok: true, credentialIndex: 1 });
  });

  it('refuses a wrong token, a tampered or extended body, another URL, or a signature without the query', async () => {
    const good = await signedForm(status);
    const cases: InboundRequest[] = [
      await signedForm(status, { token: OTHER_AUTH_TOKEN }),
      { ...good, rawBody: good.rawBody.replace('CallDuration=42', 'CallDuration=4200') },
      { ...good, rawBody: `${good.rawBody}&Extra=1` },
      { ...good, url: URL_.replace('con_test', 'con_other') },
      { ...good, url: `${URL_}?next=x` },
      { ...good, headers: new Headers({ 'X-Twilio-Signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }) },
    ];
    for (const req of cases) expect(await verify(req)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses a missing or empty signature header as missing, and a connector without a token as invalid', async () => {
    expect(await verify(formReq(status))).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verify(formReq(status, URL_, { 'X-Twilio-Signature': '' }))).toMatchObject({ ok: false, reason: 'missing' });
    expect(await verify(await signedForm(status), { ...ctx, credentials: [{}] })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('accepts the URL signed with or without the default port, as the library does', async () => {
    const signedWithPort = await signedForm(status, { signUrl: 'https://cb.example.com:443/v1/webhooks/twilio/con_test' });
    expect(await verify(signedWithPort)).toEqual({ ok: true, credentialIndex: 0 });
    const reachedWithPort = await signedForm(status, {
      url: 'https://cb.example.com:443/v1/webhooks/twilio/con_test',
      signUrl: URL_,
    });
    expect(await verify(reachedWithPort)).toEqual({ ok: true, credentialIndex: 0 });
    const wrongPort = await signedForm(status, { signUrl: 'https://cb.example.com:8443/v1/webhooks/twilio/con_test' });
    expect(await verify(wrongPort)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('signs repeated keys with every distinct value, sorted, whatever their order in the body', async () => {
    const req = await signedForm(status);
    const body = `${req.rawBody}&Tag=b&Tag=a&Tag=b`;
    const signature = await signTwilio(AUTH_TOKEN, URL_, formPairs(body));
    expect(await verify({ ...req, rawBody: body, headers: new Headers({ 'X-Twilio-Signature': signature }) })).toMatchObject({
      ok: true,
    });
    const reordered = `Tag=a&${req.rawBody}&Tag=b`;
    expect(await verify({ ...req, rawBody: reordered, headers: new Headers({ 'X-Twilio-Signature': signature }) })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(
      await verify({ ...req, rawBody: `${req.rawBody}&Tag=a`, headers: new Headers({ 'X-Twilio-Signature': signature }) }),
    ).toMatchObject({
      ok: false,
    });
  });

  it('JSON bodies: the URL with bodySHA256 is signed, and the body must hash to it', async () => {
    const body = JSON.stringify([taskRouterCloudEvent(tr('task-queue.entered', 2, T + 2_000))]);
    const req = await signedJson(body);
    expect(await verify(req)).toEqual({ ok: true, credentialIndex: 0 });
    expect(await verify({ ...req, rawBody: body.replace('Billing', 'Billinh') })).toMatchObject({
      ok: false,
      reason: 'invalid',
      detail: expect.stringMatching(/bodySHA256/),
    });
    expect(await verify(await signedJson(body, { token: OTHER_AUTH_TOKEN }))).toMatchObject({ ok: false, reason: 'invalid' });
    // The same body and signature without the hash in the URL: the body would be unauthenticated.
    expect(await verify({ ...req, url: URL_ })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('has no timestamp to expire: a replay verifies, and is made harmless by its identical event ids', async () => {
    // Twilio's scheme signs no time and no nonce, so neither stale nor future deliveries can be told
    // apart: the same delivery again is accepted and normalizes to the same ids (duplicates on ingest).
    const req = await signedForm(status);
    expect(await verify(req)).toMatchObject({ ok: true });
    expect(await verify(req)).toMatchObject({ ok: true });
    const first = await normalize(req);
    const replay = await normalize(req, { ...ctx, nowMs: NOW + 86_400_000 });
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });
});

describe('twilio adapter: respond', () => {
  const respond = (req: InboundRequest) => twilioAdapter.respond?.(req, { accepted: 1, duplicates: 0, rejected: 0 });
  const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>${inner}`;

  it('answers TwiML requests with TwiML', () => {
    expect(respond(formReq(enqueueAction({ callSid: CALL, result: 'hangup', queueSid: QUEUE, queueTimeS: 4 })))).toEqual({
      status: 200,
      contentType: 'text/xml',
      body: xml('<Response/>'),
    });
    expect(
      respond(formReq(dequeueUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 4, dequeuingCallSid: AGENT_LEG })))?.body,
    ).toBe(xml('<Response/>'));
    // An empty wait document would make Twilio re-request the wait URL at once: hold music loops instead.
    expect(respond(formReq(waitUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 0 })))?.body).toBe(
      xml(`<Response><Play loop="0">${DEFAULT_HOLD_MUSIC}</Play></Response>`),
    );
  });

  it('redirects to ?next= and plays ?holdMusic= from the URL configured at Twilio', () => {
    const next = `${URL_}?next=${encodeURIComponent('https://app.example.com/after-queue?a=1&b=2')}`;
    expect(respond(formReq(enqueueAction({ callSid: CALL, result: 'leave', queueSid: QUEUE, queueTimeS: 4 }), next))?.body).toBe(
      xml('<Response><Redirect method="POST">https://app.example.com/after-queue?a=1&amp;b=2</Redirect></Response>'),
    );
    const music = `${URL_}?holdMusic=${encodeURIComponent('https://cdn.example.com/hold.mp3')}`;
    expect(respond(formReq(waitUrl({ callSid: CALL, queueSid: QUEUE, queueTimeS: 0 }), music))?.body).toBe(
      xml('<Response><Play loop="0">https://cdn.example.com/hold.mp3</Play></Response>'),
    );
    const notHttp = `${URL_}?next=${encodeURIComponent('javascript:alert(1)')}`;
    expect(respond(formReq(enqueueAction({ callSid: CALL, result: 'leave', queueSid: QUEUE }), notHttp))?.body).toBe(
      xml('<Response/>'),
    );
  });

  it('leaves callbacks that ignore the body to the default JSON answer', () => {
    expect(respond(formReq(taskRouterCallback(tr('task-queue.entered', 2, T))))).toBeNull();
    expect(respond(formReq(callStatus({ callSid: CALL, status: 'completed', atMs: T })))).toBeNull();
    expect(respond(jsonReq([taskRouterCloudEvent(tr('task-queue.entered', 2, T))]))).toBeNull();
    expect(respond({ ...jsonReq('x'), contentType: 'text/plain' })).toBeNull();
  });
});
