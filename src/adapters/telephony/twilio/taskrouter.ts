import type { QueueOutcome, TimeSource } from '../../../domain/events/event-types';
import type { AdapterContext } from '../types';
import {
  activityState,
  customerNumber,
  type Draft,
  direction,
  draft,
  type Mapped,
  parseEpoch,
  parseIso,
  unreadable,
} from './shared';
import type { Form } from './voice';

/**
 * One TaskRouter event, from a Workspace event callback (form, PascalCase) or from Event Streams
 * (CloudEvent, snake_case): the fields the mapping reads, already parsed.
 */
export interface TaskRouterEvent {
  eventType: string;
  /** The `EV…` event sid: the same in the callback and in Event Streams, so both deliveries dedupe. */
  eventSid?: string;
  /** Twilio's instant (TimestampMs / timestamp); absent → when it reached us. */
  atMs?: number;
  taskSid?: string;
  taskAttributes?: Record<string, unknown>;
  taskQueueSid?: string;
  taskQueueEnteredMs?: number;
  taskCanceledReason?: string;
  workerSid?: string;
  workerActivityName?: string;
}

type Rule = (e: TaskRouterEvent, ctx: AdapterContext) => Mapped;

const none = (what: string, reason: string): Mapped => ({ drafts: [], ignored: [{ what, reason }] });

/** A fact's natural key: the event sid when Twilio sent one, else the event type, the resource and the instant. */
function keyOf(e: TaskRouterEvent, part: string): string {
  const resource = e.eventType.startsWith('worker.') ? `${e.workerSid}:${e.workerActivityName}` : e.taskSid;
  return e.eventSid ? `${e.eventSid}:${part}` : `tr:${e.eventType}:${resource ?? '-'}:${e.atMs ?? '-'}:${part}`;
}

/**
 * The customer's call: TaskRouter tasks created by `<Enqueue workflowSid>` (and Flex) carry the
 * CallSid in their attributes as `call_sid`, which is also the interaction id of the voice callbacks
 * for that call, so both surfaces merge into one interaction. A task without one (not a call) is
 * its own interaction.
 */
function interactionOf(e: Task): string {
  const callSid = e.taskAttributes?.call_sid;
  return typeof callSid === 'string' && callSid.trim() !== '' ? callSid.trim() : e.taskSid;
}

/** A task event: it has a TaskSid. */
type Task = TaskRouterEvent & { taskSid: string };

/** The fields every event of a task shares (queue and agent where the event names them). */
interface TaskBase {
  atMs: number;
  source?: TimeSource;
  interactionId: string;
  queueKey?: string;
  agentKey?: string;
}

function taskBase(e: Task, ctx: AdapterContext): TaskBase {
  const base: TaskBase = { atMs: e.atMs ?? ctx.nowMs, interactionId: interactionOf(e) };
  if (e.atMs === undefined) base.source = 'received';
  if (e.taskQueueSid) base.queueKey = e.taskQueueSid;
  if (e.workerSid) base.agentKey = e.workerSid;
  return base;
}

/** Direction and caller from the task's attributes (`direction`, `from`, `to`, as `<Enqueue>` sets them). */
function customerOf(e: TaskRouterEvent): Pick<Draft, 'direction' | 'caller'> {
  const a = e.taskAttributes ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const dir = direction(text(a.direction));
  return { direction: dir, caller: customerNumber(dir, text(a.from), text(a.to)) };
}

const needTask = (e: TaskRouterEvent): e is Task => !!e.taskSid;

/** `task.canceled`'s reason as a queue outcome: a caller's hang-up is an abandon, an expiry a timeout. */
export function canceledOutcome(reason: string | undefined): QueueOutcome {
  if (!reason) return 'other';
  if (/hang ?up|abandon/i.test(reason)) return 'abandoned';
  if (/timeout|timed out|ttl|expired/i.test(reason)) return 'timeout';
  return 'other';
}

const offerEnded =
  (result: 'rejected' | 'timeout' | 'canceled'): Rule =>
  (e, ctx) => {
    if (!needTask(e) || !e.workerSid) return none(e.eventType, 'No TaskSid or WorkerSid.');
    return {
      drafts: [
        draft({
          ...taskBase(e, ctx),
          agentKey: e.workerSid,
          key: keyOf(e, 'offer_ended'),
          type: 'agent.offer_ended',
          attrs: { result },
        }),
      ],
      ignored: [],
    };
  };

/**
 * Wrap-up and completion are reported both per task (`task.*`) and per reservation (`reservation.*`):
 * the same fact for one worker, so they share ids keyed by task and worker. Only the wrap-up ends the
 * talk: a completion without wrap-up leaves the connection to be closed by the call's end (a second
 * disconnect would open a phantom segment).
 */
const wrapupStarted: Rule = (e, ctx) => {
  if (!needTask(e) || !e.workerSid) return none(e.eventType, 'No TaskSid or WorkerSid: subscribe to reservation.wrapup.');
  const base = { ...taskBase(e, ctx), agentKey: e.workerSid };
  const key = `task:${e.taskSid}:${e.workerSid}`;
  return {
    drafts: [
      draft({ ...base, key: `${key}:disconnected`, type: 'agent.disconnected', attrs: {} }),
      draft({ ...base, key: `${key}:wrapup`, type: 'wrapup.started' }),
    ],
    ignored: [],
  };
};

const wrapupEnded: Rule = (e, ctx) => {
  if (!needTask(e) || !e.workerSid) return none(e.eventType, 'No TaskSid or WorkerSid: subscribe to reservation.completed.');
  return {
    drafts: [
      draft({
        ...taskBase(e, ctx),
        agentKey: e.workerSid,
        key: `task:${e.taskSid}:${e.workerSid}:completed`,
        type: 'wrapup.ended',
      }),
    ],
    ignored: [],
  };
};

/** TaskRouter event type → normalized events. Types not listed are accepted and ignored. */
export const TASKROUTER_RULES: Record<string, Rule> = {
  'task.created': (e, ctx) => {
    if (!needTask(e)) return none(e.eventType, 'No TaskSid.');
    const { queueKey: _q, agentKey: _a, ...base } = taskBase(e, ctx);
    return { drafts: [draft({ ...base, ...customerOf(e), key: keyOf(e, 'started'), type: 'interaction.started' })], ignored: [] };
  },
  'task-queue.entered': (e, ctx) => {
    if (!needTask(e) || !e.taskQueueSid) return none(e.eventType, 'No TaskSid or TaskQueueSid.');
    const { agentKey: _a, ...base } = taskBase(e, ctx);
    return {
      drafts: [
        draft({ ...base, ...customerOf(e), queueKey: e.taskQueueSid, key: keyOf(e, 'joined'), type: 'queue.joined', attrs: {} }),
      ],
      ignored: [],
    };
  },
  // The task leaves TaskQueueSid for the next queue of its workflow, whose task-queue.entered follows.
  'task-queue.moved': (e, ctx) => {
    if (!needTask(e) || !e.taskQueueSid) return none(e.eventType, 'No TaskSid or TaskQueueSid.');
    const { agentKey: _a, ...base } = taskBase(e, ctx);
    return {
      drafts: [
        draft({
          ...base,
          queueKey: e.taskQueueSid,
          key: keyOf(e, 'left'),
          type: 'queue.left',
          attrs: { outcome: 'transferred' },
        }),
      ],
      ignored: [],
    };
  },
  'task.canceled': (e, ctx) => {
    if (!needTask(e)) return none(e.eventType, 'No TaskSid.');
    if (!e.taskQueueSid) return none(e.eventType, 'Canceled before it reached a queue.');
    const { agentKey: _a, ...base } = taskBase(e, ctx);
    const outcome = canceledOutcome(e.taskCanceledReason);
    return {
      drafts: [draft({ ...base, queueKey: e.taskQueueSid, key: keyOf(e, 'left'), type: 'queue.left', attrs: { outcome } })],
      ignored: [],
    };
  },
  'reservation.created': (e, ctx) => {
    if (!needTask(e) || !e.workerSid) return none(e.eventType, 'No TaskSid or WorkerSid.');
    return {
      drafts: [draft({ ...taskBase(e, ctx), agentKey: e.workerSid, key: keyOf(e, 'offered'), type: 'agent.offered' })],
      ignored: [],
    };
  },
  // Accepting a reservation connects the worker: the offer ends, the caller leaves the queue answered.
  'reservation.accepted': (e, ctx) => {
    if (!needTask(e) || !e.workerSid) return none(e.eventType, 'No TaskSid or WorkerSid.');
    const base = { ...taskBase(e, ctx), agentKey: e.workerSid };
    const drafts: Draft[] = [
      draft({ ...base, key: keyOf(e, 'offer_ended'), type: 'agent.offer_ended', attrs: { result: 'accepted' } }),
    ];
    if (e.taskQueueSid) {
      const waitMs = e.taskQueueEnteredMs === undefined ? undefined : base.atMs - e.taskQueueEnteredMs;
      const attrs =
        waitMs !== undefined && waitMs >= 0 && waitMs <= 7 * 86_400_000
          ? { outcome: 'answered' as const, waitMs }
          : { outcome: 'answered' as const };
      drafts.push(draft({ ...base, queueKey: e.taskQueueSid, key: keyOf(e, 'left'), type: 'queue.left', attrs }));
    }
    drafts.push(draft({ ...base, key: keyOf(e, 'connected'), type: 'agent.connected' }));
    return { drafts, ignored: [] };
  },
  'reservation.rejected': offerEnded('rejected'),
  'reservation.timeout': offerEnded('timeout'),
  'reservation.canceled': offerEnded('canceled'),
  // Another worker accepted the same task (multi-reservation): this offer is withdrawn.
  'reservation.rescinded': offerEnded('canceled'),
  'task.wrapup': wrapupStarted,
  'reservation.wrapup': wrapupStarted,
  'task.completed': wrapupEnded,
  'reservation.completed': wrapupEnded,
  'worker.activity.update': (e, ctx) => {
    if (!e.workerSid || !e.workerActivityName) return none(e.eventType, 'No WorkerSid or WorkerActivityName.');
    const atMs = e.atMs ?? ctx.nowMs;
    const state = draft({
      key: keyOf(e, 'state'),
      type: 'agent.state_changed',
      atMs,
      agentKey: e.workerSid,
      attrs: activityState(e.workerActivityName, ctx),
    });
    if (e.atMs === undefined) state.source = 'received';
    return { drafts: [state], ignored: [] };
  },
};

/** Maps one TaskRouter event through the table; unknown and irrelevant types are ignored, never refused. */
export function mapTaskRouter(e: TaskRouterEvent, ctx: AdapterContext): Mapped {
  const rule = TASKROUTER_RULES[e.eventType];
  return rule ? rule(e, ctx) : none(e.eventType, 'Not a TaskRouter event Callboard maps.');
}

/** Task attributes: a JSON object (callbacks send a JSON string, Event Streams a string or an object); anything else → none. */
export function parseAttributes(value: unknown): Record<string, unknown> | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A Workspace event callback (form) as a TaskRouter event; an unreadable timestamp is a 422. */
export function fromCallback(f: Form): TaskRouterEvent {
  const text = (k: string) => {
    const v = f.get(k)?.trim();
    return v ? v : undefined;
  };
  const e: TaskRouterEvent = { eventType: text('EventType') ?? '' };
  const sid = text('Sid');
  if (sid?.startsWith('EV')) e.eventSid = sid;
  const ms = text('TimestampMs');
  const s = text('Timestamp');
  if (ms !== undefined || s !== undefined) {
    const at = ms !== undefined ? parseEpoch(ms, 'ms') : parseEpoch(s ?? '', 's');
    const field = ms !== undefined ? 'TimestampMs' : 'Timestamp';
    if (at === null) throw unreadable(`${field} is not an epoch time.`, [{ field, detail: `Unreadable: '${ms ?? s}'.` }]);
    e.atMs = at;
  }
  e.taskSid = text('TaskSid');
  e.taskAttributes = parseAttributes(f.get('TaskAttributes'));
  e.taskQueueSid = text('TaskQueueSid');
  const entered = text('TaskQueueEnteredDate');
  e.taskQueueEnteredMs = entered === undefined ? undefined : (parseIso(entered) ?? undefined);
  e.taskCanceledReason = text('TaskCanceledReason');
  e.workerSid = text('WorkerSid');
  e.workerActivityName = text('WorkerActivityName');
  return e;
}
