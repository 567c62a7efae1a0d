// The model's facts as the requests a Twilio contact center posts (docs/providers/twilio.md): TaskRouter
// Workspace event callbacks for the queues, offers, answers, wrap-up and agents' activities, conference
// callbacks for hold, and the customer's call status callback for the end. Field names and shapes as in
// Twilio's references (and test/adapters/twilio/fixtures.ts). Every sid is derived from the run's tag and
// the model's counters, so a resend carries the same sids and Callboard's ids (derived from them) repeat.
import { createHash } from 'node:crypto';

/** A Twilio-shaped sid: two letters and 32 hex digits, derived from a label. */
export function twilioSid(prefix, label) {
  return `${prefix}${createHash('sha256').update(label).digest('hex').slice(0, 32)}`;
}

/** The activity a TaskRouter worker is in for each agent state (the demo connector maps Busy and Wrap Up). */
export const ACTIVITY_FOR_STATE = { available: 'Available', busy: 'Busy', wrapup: 'Wrap Up', offline: 'Offline' };
/** What the connector's `options.activityStates` must say for the activities above (Break and Lunch are away by default). */
export const TWILIO_ACTIVITY_STATES = { Busy: 'busy', 'Wrap Up': 'wrapup' };

/** TaskRouter's `TaskCanceledReason` for a queue leave (Callboard reads abandons and timeouts from it; anything else is `other`). */
const CANCELED_REASONS = { abandoned: 'hangup', timeout: 'Workflow Timeout' };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');

/** RFC 2822 in whole seconds, as Voice's `Timestamp`: `Tue, 04 Jun 2024 10:00:42 +0000`. */
export function rfc2822(ms) {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} +0000`;
}

/** The account-level sids of a run's simulated Twilio project. */
export function twilioAccount(tag) {
  return {
    accountSid: twilioSid('AC', `account:${tag}`),
    workspaceSid: twilioSid('WS', `workspace:${tag}`),
    workflowSid: twilioSid('WW', `workflow:${tag}`),
    number: '+15550100199',
  };
}

/** The CallSid of call `n` of a run: the interaction id Callboard keeps for it. */
export const twilioCallSid = (tag, n) => twilioSid('CA', `${tag}:c${n}`);

/**
 * One fact as the form posts Twilio would make (in order; none for facts Twilio reports with another one).
 * @param {object} fact a fact of `simulate`
 * @param {{ tag: string, account: ReturnType<typeof twilioAccount>,
 *   queues: { name: string, keys: { twilio: string } }[], agents: { name: string, keys: { twilio: string } }[] }} ctx
 * @returns {Record<string, string | number>[]}
 */
export function twilioRequests(fact, ctx) {
  const { tag, account } = ctx;
  if (fact.type === 'agent.state') {
    const agent = ctx.agents[fact.agent];
    const activity = fact.state === 'away' ? (fact.reason ?? 'Break') : ACTIVITY_FOR_STATE[fact.state];
    return [
      taskRouter(account, {
        eventType: 'worker.activity.update',
        eventSid: twilioSid('EV', `${tag}:a${fact.agent}:${fact.k}`),
        atMs: fact.at,
        worker: { sid: agent.keys.twilio, name: agent.name, activity },
      }),
    ];
  }

  const callSid = twilioCallSid(tag, fact.call);
  const ev = (part = '') => twilioSid('EV', `${tag}:c${fact.call}:${fact.k}${part}`);
  const queue = fact.queue === undefined ? undefined : ctx.queues[fact.queue];
  const agent = fact.agent === undefined ? undefined : ctx.agents[fact.agent];
  const task = {
    sid: twilioSid('WT', `${tag}:c${fact.call}:v${fact.visit}`),
    callSid,
    caller: fact.caller,
    to: account.number,
    queueSid: queue?.keys.twilio,
    queueName: queue?.name,
    enteredMs:
      fact.type === 'queue.joined' ? fact.at : fact.joinedT === undefined ? undefined : fact.at - (fact.t - fact.joinedT),
  };
  const worker = agent ? { sid: agent.keys.twilio, name: agent.name, activity: 'Busy' } : undefined;
  const reservationSid = fact.offer === undefined ? undefined : twilioSid('WR', `${tag}:c${fact.call}:o${fact.offer}`);
  const tr = (eventType, extra = {}) =>
    taskRouter(account, { eventType, eventSid: ev(extra.part ?? ''), atMs: fact.at, task, ...extra });

  switch (fact.type) {
    case 'queue.joined':
      return [tr('task.created', { part: 'c', status: 'pending' }), tr('task-queue.entered', { status: 'pending' })];
    case 'agent.offered':
      return [tr('reservation.created', { worker, reservationSid, status: 'reserved' })];
    case 'agent.offer_ended':
      return fact.result === 'accepted'
        ? [tr('reservation.accepted', { worker, reservationSid, status: 'assigned' })]
        : [tr('reservation.canceled', { worker, reservationSid, status: 'canceled' })];
    case 'queue.left':
      // Answered: reported by reservation.accepted.
      if (fact.outcome === 'answered') return [];
      return [
        tr('task.canceled', { status: 'canceled', canceledReason: CANCELED_REASONS[fact.outcome] ?? 'Simulation stopped' }),
      ];
    case 'hold.started':
    case 'hold.ended':
      return [
        {
          Coaching: 'false',
          FriendlyName: task.sid,
          SequenceNumber: fact.k,
          ConferenceSid: twilioSid('CF', `${tag}:c${fact.call}`),
          EndConferenceOnExit: 'false',
          CallSid: callSid,
          StatusCallbackEvent: fact.type === 'hold.started' ? 'participant-hold' : 'participant-unhold',
          Timestamp: rfc2822(fact.at),
          StartConferenceOnEnter: 'true',
          Hold: fact.type === 'hold.started' ? 'true' : 'false',
          AccountSid: account.accountSid,
          Muted: 'false',
        },
      ];
    case 'agent.disconnected':
      return [tr('task.wrapup', { worker, status: 'wrapping' })];
    case 'wrapup.ended':
      return [tr('task.completed', { worker, status: 'completed' })];
    case 'call.ended': {
      // Whole seconds, rounded up: the end is never before the agent's hang-up, and the start Callboard
      // derives (end − CallDuration) never after the call's real start.
      const endMs = Math.ceil(fact.at / 1000) * 1000;
      const startedMs = fact.at - (fact.t - fact.startedT);
      return [
        {
          Called: account.number,
          Direction: 'inbound',
          Timestamp: rfc2822(endMs),
          CallbackSource: 'call-progress-events',
          SequenceNumber: fact.k,
          CallSid: callSid,
          To: account.number,
          ApiVersion: '2010-04-01',
          CallStatus: 'completed',
          CallDuration: Math.ceil((endMs - startedMs) / 1000),
          From: fact.caller,
          Caller: fact.caller,
          AccountSid: account.accountSid,
        },
      ];
    }
    default:
      // call.started (Twilio reports an inbound call's start only with its end), queue.left answered,
      // agent.connected, transfer (the next queue's task shows it) and wrapup.started (task.wrapup).
      return [];
  }
}

const iso = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A TaskRouter Workspace event callback's form fields. */
function taskRouter(account, e) {
  const t = e.task;
  const w = e.worker;
  const resourceType = e.eventType.split('.')[0];
  const params = {
    EventType: e.eventType,
    Sid: e.eventSid,
    AccountSid: account.accountSid,
    WorkspaceSid: account.workspaceSid,
    WorkspaceName: 'Callboard simulator',
    EventDescription: `${e.eventType} for ${t?.sid ?? w?.sid}`,
    ResourceType: resourceType,
    ResourceSid: resourceType === 'worker' ? w?.sid : resourceType === 'reservation' ? e.reservationSid : t?.sid,
    Timestamp: Math.floor(e.atMs / 1000),
    TimestampMs: e.atMs,
  };
  if (t) {
    Object.assign(params, {
      TaskSid: t.sid,
      TaskAttributes: JSON.stringify({ from: t.caller, to: t.to, direction: 'inbound', call_sid: t.callSid }),
      TaskAge: t.enteredMs === undefined ? 0 : Math.max(0, Math.floor((e.atMs - t.enteredMs) / 1000)),
      TaskPriority: 0,
      TaskAssignmentStatus: e.status ?? 'pending',
      TaskCanceledReason: e.canceledReason,
      TaskQueueSid: t.queueSid,
      TaskQueueName: t.queueName,
      TaskQueueEnteredDate: iso(t.enteredMs),
      TaskChannelUniqueName: 'voice',
      WorkflowSid: account.workflowSid,
      WorkflowName: 'Simulated workflow',
    });
  }
  if (e.reservationSid) params.ReservationSid = e.reservationSid;
  if (w) Object.assign(params, { WorkerSid: w.sid, WorkerName: w.name, WorkerActivityName: w.activity });
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
  return params;
}
