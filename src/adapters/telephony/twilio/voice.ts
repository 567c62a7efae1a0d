import type { QueueOutcome } from '../../../domain/events/event-types';
import { parseForm } from '../kit/body';
import type { AdapterContext } from '../types';
import { customerNumber, type Draft, direction, draft, type Mapped, parseRfc2822, secondsToMs, unreadable } from './shared';

/** Form parameters, first value per key (the fields mapped here are never repeated). */
export type Form = ReadonlyMap<string, string>;

/** First value per key (`+` is a space); the repeated keys a signature needs are read from the raw body. */
export function formOf(rawBody: string): Form {
  const form = new Map<string, string>();
  for (const [k, v] of parseForm(rawBody)) if (!form.has(k)) form.set(k, v);
  return form;
}

/**
 * What differs between Twilio's Voice callbacks and a clone of them (Telnyx TeXML posts the same
 * forms): how `Timestamp` is written.
 */
export interface VoiceDialect {
  /** Epoch ms of a `Timestamp`, or null when unreadable. */
  parseTimestamp(value: string): number | null;
  /** The format, for the 422 when it is unreadable. */
  timestampFormat: string;
}

export const TWILIO_VOICE: VoiceDialect = { parseTimestamp: parseRfc2822, timestampFormat: 'an RFC 2822 date' };

/** Which Twilio request a form post is, from the parameters only that kind carries. */
export type FormKind = 'taskrouter' | 'enqueue-action' | 'dequeue-url' | 'wait-url' | 'conference' | 'call-status' | 'other';

export function classifyForm(f: Form): FormKind {
  if (f.has('EventType')) return 'taskrouter';
  if (f.has('QueueResult')) return 'enqueue-action';
  if (f.has('DequeingCallSid')) return 'dequeue-url';
  if (f.has('QueueSid') && (f.has('QueuePosition') || f.has('CurrentQueueSize') || f.has('AvgQueueTime'))) return 'wait-url';
  if (f.has('ConferenceSid') && f.has('StatusCallbackEvent')) return 'conference';
  // A status callback says so (TeXML's `completed` also carries the DialCallStatus of the call's last <Dial>).
  if (f.get('CallbackSource') === 'call-progress-events' && f.has('CallSid') && f.has('CallStatus')) return 'call-status';
  // A `<Dial action>` request also carries the caller's CallStatus, untimed: not a status callback.
  if (f.has('DialCallStatus')) return 'other';
  if (f.has('CallSid') && f.has('CallStatus')) return 'call-status';
  return 'other';
}

/** The named fields, or a 422 listing the missing ones. */
function required<K extends string>(f: Form, what: string, ...keys: K[]): Record<K, string> {
  const missing = keys.filter((k) => !f.get(k));
  if (missing.length > 0)
    throw unreadable(
      `This ${what} lacks ${missing.join(', ')}.`,
      missing.map((k) => ({ field: k, detail: 'Required.' })),
    );
  return Object.fromEntries(keys.map((k) => [k, f.get(k) ?? ''])) as Record<K, string>;
}

/** `Timestamp` when the request has one, else the time it reached us. */
function instant(f: Form, ctx: AdapterContext, dialect: VoiceDialect): Pick<Draft, 'atMs' | 'source'> {
  const raw = f.get('Timestamp');
  if (!raw) return { atMs: ctx.nowMs, source: 'received' };
  const ms = dialect.parseTimestamp(raw);
  if (ms === null)
    throw unreadable(`Timestamp is not ${dialect.timestampFormat}.`, [{ field: 'Timestamp', detail: `Unreadable: '${raw}'.` }]);
  return { atMs: ms };
}

/** A whole-seconds field as ms, undefined when absent, 422 when unreadable. */
function seconds(f: Form, key: string): number | undefined {
  const raw = f.get(key);
  if (raw === undefined || raw === '') return undefined;
  const ms = secondsToMs(raw);
  if (ms === null) throw unreadable(`${key} is not a number of seconds.`, [{ field: key, detail: `Unreadable: '${raw}'.` }]);
  return ms;
}

/** Direction and the customer's number, for the events of the customer's own leg. */
function customer(f: Form): Pick<Draft, 'direction' | 'caller'> {
  const dir = direction(f.get('Direction'));
  return { direction: dir, caller: customerNumber(dir, f.get('From'), f.get('To')) };
}

// ---- call status callbacks ---------------------------------------------------------------------

const CUSTOMER_ALIVE = new Set(['queued', 'initiated', 'ringing', 'in-progress']);
const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'canceled', 'failed']);
const AGENT_LEG_OFFER_END = { busy: 'rejected', 'no-answer': 'timeout', canceled: 'canceled', failed: 'failed' } as const;

/**
 * Voice status callbacks (`statusCallbackEvent` initiated/ringing/answered/completed, and a number's
 * final status). A leg without `ParentCallSid` is the customer's: its CallSid is the interaction, it
 * starts and ends it. A child leg (a `<Dial>` to an agent) is an agent leg keyed by its `To`
 * (`client:alice`, a SIP URI or a number): ringing offers, answering connects, the end disconnects.
 * Each status happens once per call, so `CallSid` + `CallStatus` identifies the fact (a number's
 * callback and a `statusCallbackEvent` reporting the same end share the id).
 */
export function mapCallStatus(f: Form, ctx: AdapterContext, dialect: VoiceDialect = TWILIO_VOICE): Mapped {
  const { CallSid: callSid, CallStatus: status } = required(f, 'call status callback', 'CallSid', 'CallStatus');
  const at = instant(f, ctx, dialect);
  const key = `call:${callSid}:${status}`;
  const parent = f.get('ParentCallSid');
  const known = CUSTOMER_ALIVE.has(status) || TERMINAL.has(status);
  if (!known) return { drafts: [], ignored: [{ what: `call ${status}`, reason: 'Not a call status Callboard maps.' }] };

  if (!parent) {
    const base = { interactionId: callSid, legId: callSid, ...customer(f), ...at };
    if (CUSTOMER_ALIVE.has(status)) return { drafts: [draft({ ...base, key, type: 'interaction.started' })], ignored: [] };
    const drafts: Draft[] = [draft({ ...base, key, type: 'interaction.ended', attrs: { hangupCause: status } })];
    // A number's status callback reports only the end: the start is the end minus the call's duration.
    const duration = seconds(f, 'CallDuration') ?? 0;
    drafts.push(
      draft({ ...base, key: `${key}:start`, type: 'interaction.started', atMs: at.atMs - duration, source: 'derived' }),
    );
    return { drafts, ignored: [] };
  }

  const agentKey = f.get('To')?.trim();
  if (!agentKey)
    return { drafts: [], ignored: [{ what: `agent leg ${status}`, reason: 'A child leg without To names no agent.' }] };
  const leg = { interactionId: parent, legId: callSid, agentKey, ...at };
  switch (status) {
    case 'ringing':
      return { drafts: [draft({ ...leg, key, type: 'agent.offered' })], ignored: [] };
    case 'in-progress':
      return {
        drafts: [
          draft({ ...leg, key: `${key}:offer`, type: 'agent.offer_ended', attrs: { result: 'accepted' } }),
          draft({ ...leg, key, type: 'agent.connected' }),
        ],
        ignored: [],
      };
    case 'completed': {
      const talkMs = seconds(f, 'CallDuration');
      return {
        drafts: [draft({ ...leg, key, type: 'agent.disconnected', attrs: talkMs === undefined ? {} : { talkMs } })],
        ignored: [],
      };
    }
    case 'busy':
    case 'no-answer':
    case 'canceled':
    case 'failed':
      return {
        drafts: [draft({ ...leg, key, type: 'agent.offer_ended', attrs: { result: AGENT_LEG_OFFER_END[status] } })],
        ignored: [],
      };
    default:
      return { drafts: [], ignored: [{ what: `agent leg ${status}`, reason: "The agent leg's ringing is its offer." }] };
  }
}

// ---- <Enqueue> and <Dial><Queue> ---------------------------------------------------------------

/** `<Enqueue action>`'s `QueueResult` as a queue outcome. */
export const QUEUE_RESULTS: Record<string, QueueOutcome> = {
  bridged: 'answered',
  hangup: 'abandoned',
  // The caller hung up while being connected to the dequeuer: never connected, so still an abandon.
  'bridging-in-process': 'abandoned',
  leave: 'other',
  'redirected-from-waitUrl': 'other',
  redirected: 'transferred',
  'queue-full': 'rejected_full',
  error: 'error',
  'system-error': 'error',
  'system-shutdown': 'error',
};

/**
 * The id of "the caller left this queue answered": the same for the `<Dial><Queue url>` request
 * (sent as the parties connect, so its instant is the answer) and the `bridged` action (sent only when
 * the bridged call ends); Twilio requests them in that order within the call's own flow, so the answer
 * instant wins and the action adds nothing.
 */
const answeredKey = (callSid: string, queueSid: string) => `call:${callSid}:queue:${queueSid}:answered`;

/**
 * `<Enqueue action>`: requested when the caller leaves the queue. No timestamp: the instant is when
 * it reached us, which for `bridged` is the end of the bridged call (configure `<Queue url>` to get
 * the answer instant). `QueueSid` is absent when the call never got into a queue (e.g. queue-full
 * before enqueueing): without a queue there is no visit to close.
 */
export function mapEnqueueAction(f: Form, ctx: AdapterContext): Mapped {
  const { CallSid: callSid, QueueResult: result } = required(f, '<Enqueue> action request', 'CallSid', 'QueueResult');
  const outcome = QUEUE_RESULTS[result];
  if (!outcome) return { drafts: [], ignored: [{ what: `QueueResult ${result}`, reason: 'Not a queue result Callboard maps.' }] };
  const queueSid = f.get('QueueSid');
  if (!queueSid)
    return { drafts: [], ignored: [{ what: `QueueResult ${result}`, reason: 'No QueueSid: the call never entered a queue.' }] };
  const waitMs = seconds(f, 'QueueTime');
  const key =
    outcome === 'answered'
      ? answeredKey(callSid, queueSid)
      : `call:${callSid}:queue:${queueSid}:${result}:${f.get('QueueTime') ?? ''}`;
  const left = draft({
    key,
    type: 'queue.left',
    atMs: ctx.nowMs,
    source: 'received',
    interactionId: callSid,
    legId: callSid,
    queueKey: queueSid,
    attrs: waitMs === undefined ? { outcome } : { outcome, waitMs },
  });
  return { drafts: [left], ignored: [] };
}

/** `<Dial><Queue url>`: requested on the caller's leg just before it is bridged to the dequeuer: the answer. */
export function mapDequeueUrl(f: Form, ctx: AdapterContext): Mapped {
  const { CallSid: callSid, QueueSid: queueSid } = required(f, '<Queue url> request', 'CallSid', 'QueueSid');
  const waitMs = seconds(f, 'QueueTime');
  const left = draft({
    key: answeredKey(callSid, queueSid),
    type: 'queue.left',
    atMs: ctx.nowMs,
    source: 'received',
    interactionId: callSid,
    legId: callSid,
    queueKey: queueSid,
    attrs: waitMs === undefined ? { outcome: 'answered' } : { outcome: 'answered', waitMs },
  });
  return { drafts: [left], ignored: [] };
}

/**
 * `<Enqueue waitUrl>`: requested when the caller joins and again whenever the wait TwiML ends. Every
 * request proves the join; the id has no time in it, so the repeats are duplicates, and the instant is
 * now minus `QueueTime` (the first request has QueueTime 0), so any of them gives about the same join.
 */
export function mapWaitUrl(f: Form, ctx: AdapterContext): Mapped {
  const { CallSid: callSid, QueueSid: queueSid } = required(f, 'wait URL request', 'CallSid', 'QueueSid');
  const waited = seconds(f, 'QueueTime') ?? 0;
  const position = Number(f.get('QueuePosition'));
  const joined = draft({
    key: `call:${callSid}:queue:${queueSid}:joined`,
    type: 'queue.joined',
    atMs: ctx.nowMs - waited,
    source: waited === 0 ? 'received' : 'derived',
    interactionId: callSid,
    legId: callSid,
    queueKey: queueSid,
    ...customer(f),
    attrs: Number.isInteger(position) && position >= 0 ? { position } : {},
  });
  return { drafts: [joined], ignored: [] };
}

// ---- conference status callbacks ---------------------------------------------------------------

const CONFERENCE_EVENTS = { 'participant-hold': 'hold.started', 'participant-unhold': 'hold.ended' } as const;

/**
 * Conference status callbacks: hold exists in Twilio only for conference participants (Flex puts
 * the customer's participant on hold). The held participant's CallSid is the customer's call.
 * `SequenceNumber` counts per conference, so a second hold is a new fact.
 */
export function mapConference(f: Form, ctx: AdapterContext, dialect: VoiceDialect = TWILIO_VOICE): Mapped {
  const { ConferenceSid: conf, StatusCallbackEvent: event } = required(
    f,
    'conference status callback',
    'ConferenceSid',
    'StatusCallbackEvent',
  );
  const type = CONFERENCE_EVENTS[event as keyof typeof CONFERENCE_EVENTS];
  if (!type)
    return { drafts: [], ignored: [{ what: `conference ${event}`, reason: 'Only participant hold and unhold are mapped.' }] };
  const { CallSid: callSid } = required(f, 'participant hold callback', 'CallSid');
  const at = instant(f, ctx, dialect);
  const seq = f.get('SequenceNumber');
  const key = seq ? `conf:${conf}:${seq}` : `conf:${conf}:${callSid}:${event}:${at.atMs}`;
  return { drafts: [draft({ key, type, interactionId: callSid, legId: callSid, ...at })], ignored: [] };
}
