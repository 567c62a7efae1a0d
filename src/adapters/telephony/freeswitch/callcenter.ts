import type { AgentState, OFFER_RESULTS, QueueOutcome } from '../../../domain/events/event-types';
import { sha256Hex } from '../../../lib/crypto';
import { callerOf, type Draft, durationAttr, IgnoredTally, uniqueById } from '../asterisk/drafts';
import { fact as draft, finish } from '../kit/event';
import { type AdapterEvent, AdapterInputError, type NormalizeResult } from '../types';

type OfferResult = (typeof OFFER_RESULTS)[number];

/** One FreeSWITCH event as ESL `event json` (or mod_amqp) gives it: its headers as a flat object. Keys lowercased here. */
export type FsEvent = Record<string, string>;

/** Reads the body: one event object or an array of them; each must have its `Event-Name`. */
export function readFsEvents(body: unknown): FsEvent[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new AdapterInputError(422, 'The body is an empty array: send FreeSWITCH events.');
  return list.map((item, i) => {
    const pointer = Array.isArray(body) ? `/${i}` : '';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new AdapterInputError(422, 'Each FreeSWITCH event must be a JSON object of its headers.', [
        { in: 'body', pointer, detail: 'Expected an object of event headers.' },
      ]);
    }
    const event: FsEvent = {};
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') event[k.toLowerCase()] = String(v);
    }
    if (!event['event-name']) {
      throw new AdapterInputError(422, 'Each FreeSWITCH event needs its Event-Name header.', [
        { in: 'body', pointer: `${pointer}/Event-Name`, detail: 'Required.' },
      ]);
    }
    return event;
  });
}

/** `Event-Date-Timestamp` is epoch microseconds. */
export function fsTimestampMs(value: string | undefined): number | null {
  return value && /^\d{13,17}$/.test(value) ? Math.floor(Number(value) / 1000) : null;
}

/**
 * When the event happened. A member-queue-end can be raised well after the caller left the queue (the
 * member thread ends later), so it is timed from `CC-Member-Leaving-Time` (epoch seconds) when that is
 * present; the event's own µs stamp is kept when it falls within that second, being the finer one.
 */
export function fsEventTimeMs(e: FsEvent): number | null {
  const stamped = fsTimestampMs(e['event-date-timestamp']);
  const leaving = e['cc-action'] === 'member-queue-end' ? e['cc-member-leaving-time'] : undefined;
  if (!leaving || !/^\d{9,11}$/.test(leaving)) return stamped;
  const leftMs = Number(leaving) * 1000;
  return stamped !== null && stamped >= leftMs && stamped < leftMs + 1000 ? stamped : leftMs;
}

/** `CC-*-Time` headers are epoch seconds: the span between two of them, in ms. */
function spanMs(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to || !/^\d{9,11}$/.test(from) || !/^\d{9,11}$/.test(to)) return undefined;
  const ms = (Number(to) - Number(from)) * 1000;
  return ms >= 0 && ms <= 7 * 24 * 3600 * 1000 ? ms : undefined;
}

// The member session uuid is the caller's channel: stable across queues (a transfer to another queue
// starts a new member uuid, not a new session), so it is the interaction.
// A header the event lacks reads as empty: the kit leaves an empty reference out, and the wire
// schema refuses that one event by name.
const memberRefs = (e: FsEvent) => ({ interactionId: e['cc-member-session-uuid'] ?? '', queueKey: e['cc-queue'] ?? '' });
const agentRefs = (e: FsEvent) => ({ ...memberRefs(e), agentKey: e['cc-agent'] ?? '' });

/** bridge-agent-fail CC-Hangup-Cause (the agent leg's) → how the offer ended; anything else failed. */
const OFFER_FAIL: Record<string, OfferResult> = {
  NO_ANSWER: 'timeout',
  NO_USER_RESPONSE: 'timeout',
  ALLOTTED_TIMEOUT: 'timeout',
  RECOVERY_ON_TIMER_EXPIRE: 'timeout',
  USER_BUSY: 'rejected',
  CALL_REJECTED: 'rejected',
  ORIGINATOR_CANCEL: 'canceled',
  LOSE_RACE: 'canceled',
  PICKED_OFF: 'canceled',
};

/**
 * member-queue-end with CC-Cause Cancel: CC-Cancel-Reason → outcome. mod_callcenter.c reports a caller
 * who hangs up while waiting as BREAK_OUT (the wait loop ends with no agent found, and BREAK_OUT is set
 * whenever no other reason was), not NONE; BREAK_OUT with the caller still up is a break by the core
 * (uuid_transfer, callcenter_break). The event carries the caller channel's data, so Answer-State tells.
 */
function cancelOutcome(e: FsEvent): QueueOutcome {
  switch (e['cc-cancel-reason']) {
    case 'TIMEOUT':
      return 'timeout';
    case 'NO_AGENT_TIMEOUT':
      return 'no_agents';
    case 'EXIT_WITH_KEY':
      return 'exit_key';
    case 'BREAK_OUT':
      return callerGone(e) ? 'abandoned' : 'other';
    default:
      return 'abandoned';
  }
}

/** Whether the caller's channel was down; without channel data (a forwarder that strips it) a hang-up is by far the likeliest. */
function callerGone(e: FsEvent): boolean {
  if (e['answer-state']) return e['answer-state'] === 'hangup';
  if (e['channel-call-state']) return e['channel-call-state'] === 'HANGUP';
  return true;
}

/** agent-status-change CC-Agent-Status → agent state. */
const STATUS: Record<string, { state: AgentState; reason?: string }> = {
  'Logged Out': { state: 'offline' },
  Available: { state: 'available' },
  'Available (On Demand)': { state: 'available' },
  'On Break': { state: 'away', reason: 'On Break' },
};

/**
 * agent-state-change CC-Agent-State → agent state. Receiving and Reserved are the offer in flight (the
 * agent.offered event says it). Waiting follows every call and every failed offer, whatever the
 * status: an agent who went On Break during a call would look available again, unless the forwarder
 * adds the agent's current `CC-Agent-Status` to the event, which then wins when it is not Available.
 */
const STATE: Record<string, { state: AgentState; reason?: string } | null> = {
  'In a queue call': { state: 'busy' },
  Waiting: { state: 'available' },
  Idle: { state: 'away', reason: 'Idle' },
  Receiving: null,
  Reserved: null,
};

function presence(agentKey: string, s: { state: AgentState; reason?: string }): Draft {
  return draft('agent.state_changed', s.reason ? { state: s.state, reason: s.reason } : { state: s.state }, { agentKey });
}

type Kind = 'member' | 'agent-call' | 'agent';
type Mapping = { kind: Kind; map: (e: FsEvent) => Draft[] | { ignore: string } };

const joined = (e: FsEvent): Draft[] => {
  const direction = e['call-direction'] === 'inbound' || e['call-direction'] === 'outbound' ? e['call-direction'] : undefined;
  return [
    draft('interaction.started', undefined, { ...memberRefs(e), direction }),
    draft('queue.joined', undefined, {
      ...memberRefs(e),
      legId: e['cc-member-session-uuid'],
      caller: callerOf(e['cc-member-cid-number']),
      direction,
    }),
  ];
};

/** callcenter::info CC-Action → normalized events (docs/providers/freeswitch.md; header names per mod_callcenter.c). */
const ACTIONS: Record<string, Mapping> = {
  'member-queue-start': { kind: 'member', map: joined },
  // The same member back after an abandon (abandoned_resume_allowed), on a new call.
  'member-queue-resume': { kind: 'member', map: joined },
  'agent-offering': { kind: 'agent-call', map: (e) => [draft('agent.offered', undefined, agentRefs(e))] },
  'bridge-agent-start': {
    kind: 'agent-call',
    map: (e) => [
      draft(
        'agent.offer_ended',
        { result: 'accepted', ...durationAttr('ringMs', spanMs(e['cc-agent-called-time'], e['cc-agent-answered-time'])) },
        agentRefs(e),
      ),
      draft(
        'queue.left',
        { outcome: 'answered', ...durationAttr('waitMs', spanMs(e['cc-member-joined-time'], e['cc-agent-answered-time'])) },
        { ...agentRefs(e), legId: e['cc-member-session-uuid'] },
      ),
      draft('agent.connected', undefined, { ...agentRefs(e), legId: e['cc-agent-uuid'] }),
    ],
  },
  // Who hung up is not said (CC-Hangup-Cause is the agent leg's cause); the talk time is.
  'bridge-agent-end': {
    kind: 'agent-call',
    map: (e) => [
      draft('agent.disconnected', durationAttr('talkMs', spanMs(e['cc-agent-answered-time'], e['cc-bridge-terminated-time'])), {
        ...agentRefs(e),
        legId: e['cc-agent-uuid'],
      }),
    ],
  },
  'bridge-agent-fail': {
    kind: 'agent-call',
    map: (e) => [
      draft(
        'agent.offer_ended',
        {
          result: OFFER_FAIL[e['cc-hangup-cause'] ?? ''] ?? 'failed',
          ...durationAttr('ringMs', spanMs(e['cc-agent-called-time'], e['cc-agent-aborted-time'])),
        },
        agentRefs(e),
      ),
    ],
  },
  'member-queue-end': {
    kind: 'member',
    map: (e) => {
      if (e['cc-cause'] === 'Terminated') {
        const cause = e['cc-hangup-cause']?.slice(0, 100);
        return [draft('interaction.ended', cause ? { hangupCause: cause } : undefined, memberRefs(e))];
      }
      if (e['cc-cause'] !== 'Cancel') return { ignore: `unknown CC-Cause '${e['cc-cause'] ?? ''}'` };
      const outcome = cancelOutcome(e);
      const waitMs = spanMs(e['cc-member-joined-time'], e['cc-member-leaving-time']);
      const left = draft(
        'queue.left',
        { outcome, ...durationAttr('waitMs', waitMs) },
        { ...memberRefs(e), legId: e['cc-member-session-uuid'] },
      );
      return outcome === 'abandoned' ? [left, draft('interaction.ended', { endedBy: 'customer' }, memberRefs(e))] : [left];
    },
  },
  'agent-status-change': {
    kind: 'agent',
    map: (e) => {
      const s = STATUS[e['cc-agent-status'] ?? ''];
      return s ? [presence(e['cc-agent'] ?? '', s)] : { ignore: `unknown CC-Agent-Status '${e['cc-agent-status'] ?? ''}'` };
    },
  },
  'agent-state-change': {
    kind: 'agent',
    map: (e) => {
      const status = STATUS[e['cc-agent-status'] ?? ''];
      if (status && status.state !== 'available') return [presence(e['cc-agent'] ?? '', status)];
      const s = STATE[e['cc-agent-state'] ?? ''];
      if (s === undefined) return { ignore: `unknown CC-Agent-State '${e['cc-agent-state'] ?? ''}'` };
      return s ? [presence(e['cc-agent'] ?? '', s)] : { ignore: 'an offer in flight (agent-offering carries it)' };
    },
  },
};

const IGNORED_ACTIONS: Record<string, string> = {
  'members-count': 'queue size snapshot; Callboard counts the visits itself',
  'agent-max-no-answer': 'the agent-status-change that follows carries the new status',
  'agent-add': 'configuration, not a call or agent fact',
  'agent-del': 'configuration, not a call or agent fact',
  'agent-contact-change': 'configuration, not a call or agent fact',
};

/**
 * CHANNEL_HOLD / CHANNEL_UNHOLD: raised on the leg whose phone holds, with its channel variables.
 * mod_callcenter sets cc_member_session_uuid on the agent's leg, and cc_member_uuid on the caller's.
 */
function holdDrafts(e: FsEvent, type: 'hold.started' | 'hold.ended'): Draft[] | { ignore: string } {
  const interactionId =
    e.variable_cc_member_session_uuid || (e.variable_cc_member_uuid ? e['unique-id'] : undefined) || undefined;
  if (!interactionId) return { ignore: 'not a leg of a call-center call (no cc_member_* channel variables)' };
  return [draft(type, undefined, { interactionId, queueKey: e.variable_cc_queue, legId: e['unique-id'] })];
}

/** What one event is called in the ignored list. */
const label = (e: FsEvent) =>
  e['event-subclass'] === 'callcenter::info' ? `callcenter::info ${e['cc-action'] ?? '?'}` : (e['event-name'] ?? '?');

/** What one FreeSWITCH event becomes: drafts, or why it is skipped. */
export function mapFsEvent(e: FsEvent): Draft[] | { ignore: string } {
  const name = e['event-name'];
  if (name === 'CHANNEL_HOLD') return holdDrafts(e, 'hold.started');
  if (name === 'CHANNEL_UNHOLD') return holdDrafts(e, 'hold.ended');
  if (name !== 'CUSTOM' || e['event-subclass'] !== 'callcenter::info')
    return { ignore: 'not a call-center event Callboard maps' };
  const action = e['cc-action'] ?? '';
  const mapping = ACTIONS[action];
  if (!mapping) return { ignore: IGNORED_ACTIONS[action] ?? 'not a callcenter::info action Callboard maps' };
  if (mapping.kind !== 'agent' && (!e['cc-member-session-uuid'] || !e['cc-queue'])) {
    return { ignore: 'no CC-Member-Session-UUID or CC-Queue' };
  }
  if (mapping.kind !== 'member' && !e['cc-agent']) return { ignore: 'no CC-Agent' };
  return mapping.map(e);
}

const SAFE_ID = /^[\x21-\x7e]{1,150}$/;

/**
 * The event's own identity: `Event-UUID` when a forwarder or `sendevent` set one, else `Core-UUID` +
 * `Event-Sequence` (the sequence counts every event of one FreeSWITCH run, and the core uuid is new on
 * each start), else a hash of the whole event. Unsafe or long values are hashed.
 */
async function baseId(e: FsEvent): Promise<string> {
  const own = e['event-uuid'] || (e['core-uuid'] && e['event-sequence'] ? `${e['core-uuid']}:${e['event-sequence']}` : '');
  if (own && SAFE_ID.test(own)) return `freeswitch:${own}`;
  const material =
    own ||
    Object.keys(e)
      .sort()
      .map((k) => `${k}:${e[k]}`)
      .join('\n');
  return `freeswitch:h:${await sha256Hex(material)}`;
}

/** FreeSWITCH events (mod_callcenter's callcenter::info, plus CHANNEL_HOLD/UNHOLD) as JSON. */
export async function normalizeFreeswitch(body: unknown, nowMs: number): Promise<NormalizeResult> {
  const ignored = new IgnoredTally('event');
  const events = await Promise.all(
    readFsEvents(body).map(async (e, index): Promise<AdapterEvent[]> => {
      const drafts = mapFsEvent(e);
      if (!Array.isArray(drafts)) {
        ignored.add(label(e), drafts.ignore, index);
        return [];
      }
      const base = await baseId(e);
      const at = fsEventTimeMs(e);
      return drafts.map((d) => finish(d, `${base}:${d.type}`, at ?? nowMs, at === null ? 'received' : 'provider'));
    }),
  );
  return { events: uniqueById(events.flat()), ignored: ignored.list() };
}
