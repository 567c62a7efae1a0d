import type { AgentState } from '../../../domain/events/event-types';
import { event } from '../kit/event';
import type { AdapterEvent } from '../types';
import { arnId, eventId, instant, isObject, iso, type Json, list, object, text } from './fields';
import { ignoredRecord, mapped, type RecordResult, UnreadableRecord } from './records';

/** Contact states of an offer still ringing the agent. */
const OFFERING = new Set(['INCOMING', 'PENDING', 'CONNECTING']);

/**
 * One Agent Event Stream record (docs/providers/amazon-connect.md): the agent's status, and from the contacts in its
 * snapshots what the contact events cannot tell — holds, after-contact work as the agent lived it,
 * offers that rang and were missed or rejected.
 *
 * - AgentStatus → agent.state_changed at its StartTimestamp: type ROUTABLE (the "Available"
 *   status) → available, OFFLINE → offline, CUSTOM → away with the status name as reason. The id
 *   is the status's own (agent, StartTimestamp), so the same status seen in the next record's
 *   PreviousAgentSnapshot, or again on a later record, is one fact. LOGOUT → offline.
 * - a contact entering INCOMING/PENDING/CONNECTING → agent.offered; MISSED → agent.offer_ended
 *   {timeout}; REJECTED → {rejected}; ERROR → {failed}; dropped from the list while still ringing →
 *   {canceled} (the caller hung up, or the contact was routed elsewhere).
 * - CONNECTED_ONHOLD → hold.started; back to CONNECTED → hold.ended.
 * - ENDED (the agent is in after-contact work while the contact stays listed) → wrapup.started;
 *   dropped from the list after ENDED → wrapup.ended.
 * - HEART_BEAT is liveness only: ignored.
 *
 * Answer, talk and disconnect come from contact events, which carry their exact timestamps.
 * agentKey = the agent ARN (the contact events' agentInfo.agentArn), interactionId = InitialContactId.
 */
export async function agentEventFacts(record: Json): Promise<RecordResult> {
  const type = text(record, 'EventType')?.toUpperCase() ?? 'UNKNOWN';
  const agentArn = text(record, 'AgentARN');
  if (type === 'HEART_BEAT') return ignoredRecord('agent event HEART_BEAT', 'Liveness only.');
  if (type !== 'LOGIN' && type !== 'LOGOUT' && type !== 'STATE_CHANGE') {
    return ignoredRecord(`agent event ${type}`, 'Not an agent event type Callboard maps.');
  }
  if (!agentArn) throw new UnreadableRecord('An agent event without AgentARN.', '/AgentARN');
  const at = instant(record, 'EventTimestamp');
  if (at === undefined) throw new UnreadableRecord('An agent event without a valid EventTimestamp.', '/EventTimestamp');
  const agent = { id: arnId(agentArn), arn: agentArn, at };
  const current = object(record, 'CurrentAgentSnapshot');
  const previous = object(record, 'PreviousAgentSnapshot');
  const all = [...(await statusFacts(type, previous, current, agent)), ...(await contactFacts(previous, current, agent))];
  // A fact both snapshots show (a status, a hold still on) is one event.
  const events = all.filter((e, i) => all.findIndex((x) => x.id === e.id) === i);
  if (events.length === 0) return ignoredRecord(`agent event ${type}`, 'No status or contact change to map.');
  return mapped(events);
}

/** The agent a record is about: the id in its ARN (for event ids), the ARN (the agent key), the record's time. */
interface Agent {
  id: string;
  arn: string;
  at: number;
}

/** The status of both snapshots (a lost record still leaves its status in the next one's previous snapshot). */
async function statusFacts(
  type: string,
  previous: Json | undefined,
  current: Json | undefined,
  agent: Agent,
): Promise<AdapterEvent[]> {
  const was = status(previous);
  const is = status(current);
  const facts: [StatusFact | null, number | undefined][] = [
    [was, was?.startedAt],
    [is, is?.startedAt ?? agent.at],
  ];
  const events: AdapterEvent[] = [];
  for (const [s, startedAt] of facts) {
    if (!s || startedAt === undefined) continue;
    events.push(
      event({
        id: await eventId('agent', agent.id, 'status', iso(startedAt)),
        type: 'agent.state_changed',
        occurredAt: iso(startedAt),
        agentKey: agent.arn,
        attrs: { state: s.state, ...(s.reason ? { reason: s.reason } : {}) },
      }),
    );
  }
  // A LOGOUT whose snapshot still shows the last status signs the agent off itself.
  if (type === 'LOGOUT' && is?.state !== 'offline') {
    events.push(
      event({
        id: await eventId('agent', agent.id, 'logout', iso(agent.at)),
        type: 'agent.state_changed',
        occurredAt: iso(agent.at),
        agentKey: agent.arn,
        attrs: { state: 'offline' },
      }),
    );
  }
  return events;
}

/** What the contacts' states began with, then what changed between the two snapshots. */
async function contactFacts(previous: Json | undefined, current: Json | undefined, agent: Agent): Promise<AdapterEvent[]> {
  const before = new Map(contacts(previous).map((c) => [c.contactId, c]));
  const now = contacts(current);
  const events: AdapterEvent[] = [];
  for (const c of [...before.values(), ...now]) {
    const e = await stateEntered(c, agent);
    if (e) events.push(e);
  }
  for (const c of now) {
    const p = before.get(c.contactId);
    if (p?.state === 'CONNECTED_ONHOLD' && c.state === 'CONNECTED' && c.since !== undefined) {
      const at = iso(c.since);
      events.push(
        event({ id: await eventId(c.contactId, agent.id, 'unhold', at), type: 'hold.ended', occurredAt: at, ...refs(c, agent) }),
      );
    }
  }
  const listed = new Set(now.map((c) => c.contactId));
  for (const p of before.values()) {
    if (listed.has(p.contactId) || p.since === undefined) continue;
    const at = iso(agent.at);
    if (p.state === 'ENDED') {
      const id = await eventId(p.contactId, agent.id, 'acw-cleared', iso(p.since));
      events.push(event({ id, type: 'wrapup.ended', occurredAt: at, ...refs(p, agent) }));
    } else if (OFFERING.has(p.state)) {
      const id = await eventId(p.contactId, agent.id, 'offer-dropped', iso(p.since));
      const attrs = { result: 'canceled' as const, ringMs: Math.max(0, agent.at - p.since) };
      events.push(event({ id, type: 'agent.offer_ended', occurredAt: at, ...refs(p, agent), attrs }));
    }
  }
  return events;
}

interface StatusFact {
  state: AgentState;
  reason?: string;
  startedAt?: number;
}

/** An AgentStatus by its type (names of routable and offline statuses can be localized), else by its name. */
function status(snapshot: Json | undefined): StatusFact | null {
  const s = object(snapshot, 'AgentStatus');
  if (!s) return null;
  const name = text(s, 'Name');
  const type = text(s, 'Type')?.toUpperCase();
  const startedAt = instant(s, 'StartTimestamp');
  const withStart = (fact: StatusFact): StatusFact => (startedAt !== undefined ? { ...fact, startedAt } : fact);
  if (type === 'ROUTABLE' || (type === undefined && name === 'Available')) return withStart({ state: 'available' });
  if (type === 'OFFLINE' || (type === undefined && name === 'Offline')) return withStart({ state: 'offline' });
  if (!name && type === undefined) return null;
  return withStart({ state: 'away', reason: (name ?? type ?? 'custom').slice(0, 100) });
}

interface ContactView {
  contactId: string;
  interactionId: string;
  state: string;
  since: number | undefined;
  queueKey: string | undefined;
}

/** The voice contacts listed in a snapshot. */
function contacts(snapshot: Json | undefined): ContactView[] {
  return list(snapshot, 'Contacts').flatMap((c): ContactView[] => {
    if (!isObject(c)) return [];
    const contactId = text(c, 'ContactId');
    const state = text(c, 'State')?.toUpperCase();
    const channel = text(c, 'Channel');
    if (!contactId || !state || (channel && channel.toUpperCase() !== 'VOICE')) return [];
    return [
      {
        contactId,
        interactionId: text(c, 'InitialContactId') ?? contactId,
        state,
        since: instant(c, 'StateStartTimestamp'),
        queueKey: text(object(c, 'Queue'), 'ARN'),
      },
    ];
  });
}

/** The references of an event about a listed contact. */
function refs(c: ContactView, agent: Agent) {
  return {
    interactionId: c.interactionId,
    legId: c.contactId,
    agentKey: agent.arn,
    ...(c.queueKey ? { queueKey: c.queueKey } : {}),
  };
}

/** The fact a contact's current state began with, keyed by that state's start so any record carrying it agrees. */
async function stateEntered(c: ContactView, agent: Agent): Promise<AdapterEvent | null> {
  if (c.since === undefined) return null;
  const at = iso(c.since);
  const id = (fact: string) => eventId(c.contactId, agent.id, fact, at);
  if (OFFERING.has(c.state)) return event({ id: await id('offered'), type: 'agent.offered', occurredAt: at, ...refs(c, agent) });
  switch (c.state) {
    case 'CONNECTED_ONHOLD':
      return event({ id: await id('hold'), type: 'hold.started', occurredAt: at, ...refs(c, agent) });
    case 'ENDED':
      return event({ id: await id('acw'), type: 'wrapup.started', occurredAt: at, ...refs(c, agent) });
    case 'MISSED':
      return event({
        id: await id('missed'),
        type: 'agent.offer_ended',
        occurredAt: at,
        ...refs(c, agent),
        attrs: { result: 'timeout' },
      });
    case 'REJECTED':
      return event({
        id: await id('rejected'),
        type: 'agent.offer_ended',
        occurredAt: at,
        ...refs(c, agent),
        attrs: { result: 'rejected' },
      });
    case 'ERROR':
      return event({
        id: await id('error'),
        type: 'agent.offer_ended',
        occurredAt: at,
        ...refs(c, agent),
        attrs: { result: 'failed' },
      });
    default:
      return null;
  }
}
