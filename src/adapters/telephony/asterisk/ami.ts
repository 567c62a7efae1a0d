import type { ENDED_BY } from '../../../domain/events/event-types';
import { sha256Hex } from '../../../lib/crypto';
import { fact as draft, finish } from '../kit/event';
import { type AdapterEvent, AdapterInputError, type NormalizeResult } from '../types';
import {
  callerOf,
  type Draft,
  durationAttr,
  IgnoredTally,
  millis,
  pauseDraft,
  positionOf,
  presenceId,
  secondsToMs,
  uniqueById,
  unpauseDraft,
} from './drafts';

type EndedBy = (typeof ENDED_BY)[number];

/** One AMI event as a forwarder posts it: its `Key: value` lines as a JSON object. Keys are lowercased here. */
export type AmiEvent = Record<string, string>;

/**
 * Reads the body: one AMI event object or an array of them. Forwarders differ in key case (the
 * node `asterisk-manager` library lowercases keys), so keys are compared case-insensitively.
 */
export function readAmiEvents(body: unknown): AmiEvent[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new AdapterInputError(422, 'The body is an empty array: send AMI events.');
  return list.map((item, i) => {
    const pointer = Array.isArray(body) ? `/${i}` : '';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new AdapterInputError(422, 'Each AMI event must be a JSON object.', [
        { in: 'body', pointer, detail: 'Expected an object of AMI headers.' },
      ]);
    }
    const event: AmiEvent = {};
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') event[k.toLowerCase()] = String(v);
    }
    if (!event.event) {
      throw new AdapterInputError(422, 'Each AMI event needs its Event header.', [
        { in: 'body', pointer: `${pointer}/Event`, detail: 'Required.' },
      ]);
    }
    return event;
  });
}

/** AMI `Timestamp: 1717495401.532144` (manager.conf timestampevents=yes) as epoch ms, or null. */
export function amiTimestampMs(value: string | undefined): number | null {
  const m = value?.trim().match(/^(\d{9,11})(?:\.(\d{1,9}))?$/);
  if (!m) return null;
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0').slice(0, 3));
}

// The caller's channel identifies the call: Linkedid is shared by every channel of the call (so a
// Hold raised on the agent's channel lands on the same interaction), Uniqueid when there is none.
// A header the event lacks reads as empty: the kit leaves an empty reference out, and the wire
// schema refuses that one event by name.
const interactionOf = (e: AmiEvent) => e.linkedid || e.uniqueid || '';
const callRefs = (e: AmiEvent) => ({ interactionId: interactionOf(e), queueKey: e.queue ?? '' });
// MemberName is what queue_log writes in its agent field for call events; it defaults to the interface.
const memberKey = (e: AmiEvent) => e.membername || e.interface || '';
const agentRefs = (e: AmiEvent) => ({ ...callRefs(e), agentKey: memberKey(e) });

const memberPause = (e: AmiEvent) =>
  e.paused === '1' ? pauseDraft(memberKey(e), true, e.pausedreason || e.reason) : unpauseDraft(memberKey(e));

const COMPLETE_REASON: Record<string, EndedBy> = { caller: 'customer', agent: 'agent', transfer: 'transfer' };

type Kind = 'call' | 'agent-call' | 'presence' | 'channel';
type Mapping = { kind: Kind; map: (e: AmiEvent) => Draft[] | { ignore: string } };

/** AMI event (lowercase name) → normalized events. HoldTime/TalkTime/AgentConnect RingTime in seconds, AgentRingNoAnswer RingTime in ms. */
const MAPPINGS: Record<string, Mapping> = {
  queuecallerjoin: {
    kind: 'call',
    map: (e) => [
      draft('interaction.started', undefined, callRefs(e)),
      draft('queue.joined', positionOf(e.position), { ...callRefs(e), legId: e.uniqueid, caller: callerOf(e.calleridnum) }),
    ],
  },
  // HoldTime is the seconds the caller waited (app_queue.c: time(NULL) - qe->start), not an epoch.
  queuecallerabandon: {
    kind: 'call',
    map: (e) => [
      draft(
        'queue.left',
        { outcome: 'abandoned', ...durationAttr('waitMs', secondsToMs(e.holdtime)) },
        { ...callRefs(e), legId: e.uniqueid },
      ),
      draft('interaction.ended', { endedBy: 'customer' }, callRefs(e)),
    ],
  },
  agentcalled: {
    kind: 'agent-call',
    map: (e) => [draft('agent.offered', undefined, { ...agentRefs(e), legId: e.destuniqueid })],
  },
  agentringnoanswer: {
    kind: 'agent-call',
    map: (e) => [draft('agent.offer_ended', { result: 'timeout', ...durationAttr('ringMs', millis(e.ringtime)) }, agentRefs(e))],
  },
  agentdump: { kind: 'agent-call', map: (e) => [draft('agent.offer_ended', { result: 'rejected' }, agentRefs(e))] },
  agentconnect: {
    kind: 'agent-call',
    map: (e) => [
      draft('agent.offer_ended', { result: 'accepted', ...durationAttr('ringMs', secondsToMs(e.ringtime)) }, agentRefs(e)),
      draft(
        'queue.left',
        { outcome: 'answered', ...durationAttr('waitMs', secondsToMs(e.holdtime)) },
        { ...agentRefs(e), legId: e.uniqueid },
      ),
      draft('agent.connected', undefined, { ...agentRefs(e), legId: e.destuniqueid }),
    ],
  },
  // Reason caller | agent | transfer; TalkTime runs from the connect, hold included.
  agentcomplete: {
    kind: 'agent-call',
    map: (e) => {
      const endedBy = COMPLETE_REASON[e.reason?.toLowerCase() ?? ''] ?? 'unknown';
      const disconnected = draft(
        'agent.disconnected',
        { endedBy, ...durationAttr('talkMs', secondsToMs(e.talktime)) },
        agentRefs(e),
      );
      // After a transfer the caller is still on the line, talking to someone else.
      return endedBy === 'transfer' ? [disconnected] : [disconnected, draft('interaction.ended', { endedBy }, callRefs(e))];
    },
  },
  queuememberpause: { kind: 'presence', map: (e) => [memberPause(e)] },
  // Asterisk 11 and older name of QueueMemberPause.
  queuememberpaused: { kind: 'presence', map: (e) => [memberPause(e)] },
  queuememberadded: {
    kind: 'presence',
    map: (e) => [pauseDraft(memberKey(e), e.paused === '1', e.paused === '1' ? 'paused' : undefined)],
  },
  queuememberremoved: {
    kind: 'presence',
    map: (e) => [draft('agent.state_changed', { state: 'offline' }, { agentKey: memberKey(e) })],
  },
  hold: {
    kind: 'channel',
    map: (e) => [draft('hold.started', undefined, { interactionId: interactionOf(e), legId: e.uniqueid })],
  },
  unhold: {
    kind: 'channel',
    map: (e) => [draft('hold.ended', undefined, { interactionId: interactionOf(e), legId: e.uniqueid })],
  },
  blindtransfer: {
    kind: 'channel',
    map: (e) =>
      e.result && e.result !== 'Success'
        ? { ignore: `transfer did not succeed (${e.result})` }
        : [draft('transfer', { kind: 'blind' }, { interactionId: e.transfereelinkedid || e.transfererlinkedid || '' })],
  },
  attendedtransfer: {
    kind: 'channel',
    map: (e) =>
      e.result && e.result !== 'Success'
        ? { ignore: `transfer did not succeed (${e.result})` }
        : [draft('transfer', { kind: 'attended' }, { interactionId: e.transfereelinkedid || e.origtransfererlinkedid || '' })],
  },
};

const IGNORED: Record<string, string> = {
  queuecallerleave:
    'says only that the caller left: AgentConnect and QueueCallerAbandon carry the outcome (send queue_log for timeouts and exits)',
  queuememberstatus: 'device state, not agent presence (QueueMemberPause carries pauses)',
};

/** What one AMI event becomes: drafts, or why it is skipped. */
export function mapAmiEvent(e: AmiEvent): Draft[] | { ignore: string } {
  const name = e.event?.toLowerCase() ?? '';
  const mapping = MAPPINGS[name];
  if (!mapping) return { ignore: IGNORED[name] ?? 'not an AMI event Callboard maps' };
  if ((mapping.kind === 'call' || mapping.kind === 'agent-call') && (!interactionOf(e) || !e.queue)) {
    return { ignore: 'no Uniqueid/Linkedid or Queue' };
  }
  if ((mapping.kind === 'agent-call' || mapping.kind === 'presence') && !memberKey(e))
    return { ignore: 'no MemberName or Interface' };
  const drafts = mapping.map(e);
  if (Array.isArray(drafts) && drafts.some((d) => d.interactionId === undefined && d.type !== 'agent.state_changed')) {
    return { ignore: 'no channel ids to tell which call it is' };
  }
  return drafts;
}

/** The event's content, keys sorted: the same event forwarded twice hashes the same. */
const canonical = (e: AmiEvent) =>
  Object.keys(e)
    .sort()
    .map((k) => `${k}:${e[k]}`)
    .join('\n');

/**
 * AMI events as JSON. AMI events carry no id: an event's id is the SHA-256 of its content. That is
 * unique when the forwarder keeps `Timestamp` (timestampevents=yes, microseconds); without it, two
 * identical events (a second Hold on the same channel) would collide, so the delivery's `webhook-id`
 * and the event's index are mixed in — a retry of the delivery keeps them, so it still dedupes.
 */
export async function normalizeAmi(body: unknown, ctx: { nowMs: number; deliveryId: string | null }): Promise<NormalizeResult> {
  const ignored = new IgnoredTally('event');
  const events = await Promise.all(
    readAmiEvents(body).map(async (e, index): Promise<AdapterEvent[]> => {
      const drafts = mapAmiEvent(e);
      if (!Array.isArray(drafts)) {
        ignored.add(e.event ?? '?', drafts.ignore, index);
        return [];
      }
      const at = amiTimestampMs(e.timestamp);
      const material = at === null ? `${canonical(e)}\ndelivery:${ctx.deliveryId ?? ''}#${index}` : canonical(e);
      const base = `asterisk:ami:${await sha256Hex(material)}`;
      return Promise.all(
        drafts.map(async (d) => {
          const id =
            d.type === 'agent.state_changed' && at !== null
              ? await presenceId(d.agentKey, Math.floor(at / 1000), d.attrs.state, d.attrs.reason)
              : `${base}:${d.type}`;
          return finish(d, id, at ?? ctx.nowMs, at === null ? 'received' : 'provider');
        }),
      );
    }),
  );
  return { events: uniqueById(events.flat()), ignored: ignored.list() };
}
