import type { EventAttrs, QueueOutcome } from '../../../domain/events/event-types';
import { event, type TypedEvent, type Without } from '../kit/event';
import { eventId, field, instant, iso, type Json, num, object, text } from './fields';
import { ignoredRecord, mapped, type RecordResult, UnreadableRecord } from './records';

/** EventBridge's `detail-type` of contact events. */
export const CONTACT_EVENT = 'Amazon Connect Contact Event';

/** The contact event types whose snapshot is mapped; the others (CONTACT_DATA_UPDATED, ...) are ignored. */
const MAPPED = new Set(['INITIATED', 'QUEUED', 'CONNECTED_TO_AGENT', 'DISCONNECTED', 'COMPLETED']);

/**
 * A contact that continues an earlier one of the same customer call (`previousContactId`): the
 * customer left the previous contact's queue or agent for this one. A queued callback counts too:
 * the caller's visit flowed out to the callback queue.
 */
const TRANSFER_KIND: Record<string, EventAttrs['transfer']['kind']> = {
  // Connect does not say whether the agent consulted first.
  TRANSFER: 'blind',
  QUEUE_TRANSFER: 'queue',
  CALLBACK: 'queue',
};

const DIRECTION: Record<string, 'inbound' | 'outbound'> = {
  INBOUND: 'inbound',
  OUTBOUND: 'outbound',
  EXTERNAL_OUTBOUND: 'outbound',
  CALLBACK: 'outbound',
};

type EndedBy = NonNullable<EventAttrs['interaction.ended']['endedBy']>;

const ENDED_BY: Record<string, EndedBy> = {
  CUSTOMER_DISCONNECT: 'customer',
  AGENT_DISCONNECT: 'agent',
  CONTACT_FLOW_DISCONNECT: 'system',
  TELECOM_PROBLEM: 'system',
  TELECOM_BUSY: 'system',
  TELECOM_NUMBER_INVALID: 'system',
  TELECOM_POTENTIAL_BLOCKING: 'system',
  TELECOM_UNANSWERED: 'system',
  TELECOM_TIMEOUT: 'system',
  TELECOM_ORIGINATOR_CANCEL: 'customer',
  BARGED: 'system',
  EXPIRED: 'system',
  API: 'system',
};

/**
 * Whether a disconnect ends the customer's call. A contact also ends when it is handed on: an agent
 * who transfers leaves with AGENT_DISCONNECT, a queue flow's transfer block or a callback ends the
 * waiting contact, and the call goes on in the next contact. So only a customer hang-up or a line
 * failure ends the call (and the visit of a contact still waiting: abandoned); a contact that never
 * queued nor reached an agent also ends it when its flow hung up. Any other end is left to the next
 * contact's transfer, the agent's own disconnect, or the stale-visit sweep.
 */
function customerGone(reason: string | undefined): boolean {
  return reason === 'CUSTOMER_DISCONNECT' || (reason?.startsWith('TELECOM_') ?? false);
}

/** How a waiting contact left its queue when the customer's line went away. */
function leftQueueAs(reason: string | undefined): QueueOutcome {
  return reason === 'CUSTOMER_DISCONNECT' || reason === 'TELECOM_ORIGINATOR_CANCEL' ? 'abandoned' : 'error';
}

/**
 * One contact event (`detail`), with the EventBridge envelope's `time` when it came in one.
 *
 * Each contact event carries a snapshot of the contact (its initiation, enqueue, agent-connect,
 * disconnect and after-contact-work timestamps so far), and events arrive unordered, late and
 * sometimes twice. So every event's snapshot is mapped whole, and each normalized event's id names
 * the fact (`<contactId>:queued`, `<contactId>:answered`...), not the EventBridge event that carried
 * it: the QUEUED event and the later DISCONNECTED event report the same enqueue, under the same id,
 * and any one event that got through gives what it knows.
 *
 * interactionId = initialContactId (a transfer makes a new contact in the same customer call);
 * legId = contactId; queueKey = the queue ARN; agentKey = the agent ARN.
 */
export async function contactEventFacts(detail: Json, envelopeTime: number | undefined): Promise<RecordResult> {
  const eventType = text(detail, 'eventType') ?? 'UNKNOWN';
  if (!MAPPED.has(eventType)) {
    return ignoredRecord(`contact event ${eventType}`, 'Carries no queue or agent fact Callboard maps.');
  }
  const contactId = text(detail, 'contactId');
  if (!contactId) throw new UnreadableRecord('A contact event without detail.contactId.', '/detail/contactId');
  const channel = text(detail, 'channel');
  if (channel && channel.toUpperCase() !== 'VOICE') {
    return ignoredRecord(`contact event ${eventType} (${channel})`, 'Callboard counts voice contacts.');
  }
  const c = readContact(detail, contactId, eventType, envelopeTime);
  if (c.method === 'MONITOR') return ignoredRecord(`contact event ${eventType} (MONITOR)`, "A supervisor's monitoring contact.");
  const facts = [...beginning(c), ...answer(c), ...ending(c), ...afterWork(c)];
  if (facts.length === 0) return ignoredRecord(`contact event ${eventType}`, 'Its snapshot holds no timestamp to map.');
  const base = { interactionId: c.interactionId, legId: contactId };
  return mapped(await Promise.all(facts.map(async ([name, e]) => event({ id: await eventId(contactId, name), ...base, ...e }))));
}

/** What a contact event's snapshot says about its contact. */
interface Contact {
  contactId: string;
  interactionId: string;
  previousContactId: string | undefined;
  method: string | undefined;
  caller: string | undefined;
  queueKey: string | undefined;
  agentKey: string | undefined;
  initiatedAt: number | undefined;
  enqueuedAt: number | undefined;
  connectedAt: number | undefined;
  disconnectedAt: number | undefined;
  reason: string | undefined;
  acw: { start: number | undefined; end: number | undefined; seconds: number | undefined };
}

function readContact(detail: Json, contactId: string, eventType: string, envelopeTime: number | undefined): Contact {
  const queueInfo = object(detail, 'queueInfo');
  const agentInfo = object(detail, 'agentInfo');
  // A contact event's own moment, when its snapshot lacks the timestamp (older events have none).
  const own = (type: string) => (eventType === type ? envelopeTime : undefined);
  return {
    contactId,
    interactionId: text(detail, 'initialContactId') ?? contactId,
    previousContactId: text(detail, 'previousContactId'),
    method: text(detail, 'initiationMethod')?.toUpperCase(),
    caller: text(object(detail, 'customerEndpoint'), 'address'),
    queueKey: text(queueInfo, 'queueArn', 'arn'),
    agentKey: text(agentInfo, 'agentArn', 'arn'),
    initiatedAt: instant(detail, 'initiationTimestamp') ?? own('INITIATED'),
    enqueuedAt: instant(queueInfo, 'enqueueTimestamp') ?? own('QUEUED'),
    connectedAt: instant(agentInfo, 'connectedToAgentTimestamp') ?? own('CONNECTED_TO_AGENT'),
    disconnectedAt: instant(detail, 'disconnectTimestamp') ?? own('DISCONNECTED'),
    reason: text(detail, 'disconnectReason')?.toUpperCase(),
    acw: {
      start: instant(agentInfo, 'afterContactWorkStartTimestamp'),
      end: instant(agentInfo, 'afterContactWorkEndTimestamp'),
      seconds: num(agentInfo, 'afterContactWorkDuration'),
    },
  };
}

/** A fact's name (the end of its event id) and its event, without the ids and refs every fact shares. */
type Fact = [string, Without<TypedEvent, 'id' | 'interactionId' | 'legId'>];

const fact = (name: string, e: Fact[1]): Fact => [name, e];

/** The call begins with its first contact; a transfer, callback or queue transfer continues it. */
function beginning(c: Contact): Fact[] {
  if (c.initiatedAt === undefined) return [];
  const kind = c.method ? TRANSFER_KIND[c.method] : undefined;
  if (kind && (c.previousContactId ?? c.interactionId) !== c.contactId) {
    return [fact('transfer', { type: 'transfer', occurredAt: iso(c.initiatedAt), attrs: { kind } })];
  }
  const direction = c.method ? DIRECTION[c.method] : undefined;
  return [
    fact('initiated', {
      type: 'interaction.started',
      occurredAt: iso(c.initiatedAt),
      ...(direction ? { direction } : {}),
      ...(c.caller && c.caller.length <= 64 ? { caller: c.caller } : {}),
    }),
  ];
}

/** Queued, then answered by an agent: the visit closes when the agent connects. */
function answer(c: Contact): Fact[] {
  const facts: Fact[] = [];
  const queue = c.queueKey ? { queueKey: c.queueKey } : {};
  if (c.enqueuedAt !== undefined && c.queueKey) {
    facts.push(fact('queued', { type: 'queue.joined', occurredAt: iso(c.enqueuedAt), queueKey: c.queueKey }));
  }
  if (c.connectedAt === undefined || !c.agentKey) return facts;
  const at = iso(c.connectedAt);
  if (c.queueKey) {
    const waitMs = c.enqueuedAt !== undefined ? { waitMs: Math.max(0, c.connectedAt - c.enqueuedAt) } : {};
    facts.push(
      fact('answered', {
        type: 'queue.left',
        occurredAt: at,
        queueKey: c.queueKey,
        agentKey: c.agentKey,
        attrs: { outcome: 'answered', ...waitMs },
      }),
    );
  }
  facts.push(fact('connected', { type: 'agent.connected', occurredAt: at, agentKey: c.agentKey, ...queue }));
  return facts;
}

/** The contact's disconnect: the agent's talk ends; a waiting customer who hung up abandoned; the call may end. */
function ending(c: Contact): Fact[] {
  if (c.disconnectedAt === undefined) return [];
  const at = iso(c.disconnectedAt);
  const endedBy = (c.reason && ENDED_BY[c.reason]) || 'unknown';
  const answeredBy = c.connectedAt !== undefined ? c.agentKey : undefined;
  const gone = customerGone(c.reason);
  const facts: Fact[] = [];
  if (answeredBy !== undefined) {
    facts.push(
      fact('disconnected', {
        type: 'agent.disconnected',
        occurredAt: at,
        agentKey: answeredBy,
        ...(c.queueKey ? { queueKey: c.queueKey } : {}),
        attrs: { endedBy },
      }),
    );
  } else if (c.enqueuedAt !== undefined && c.queueKey && gone) {
    const waitMs = Math.max(0, c.disconnectedAt - c.enqueuedAt);
    facts.push(
      fact('left', {
        type: 'queue.left',
        occurredAt: at,
        queueKey: c.queueKey,
        attrs: { outcome: leftQueueAs(c.reason), waitMs },
      }),
    );
  }
  const flowEnded =
    answeredBy === undefined && c.enqueuedAt === undefined && (c.reason === undefined || c.reason === 'CONTACT_FLOW_DISCONNECT');
  if (gone || flowEnded) {
    const hangupCause = c.reason ? { hangupCause: c.reason.toLowerCase().slice(0, 100) } : {};
    facts.push(fact('ended', { type: 'interaction.ended', occurredAt: at, attrs: { ...hangupCause, endedBy } }));
  }
  return facts;
}

/** After-contact work, which COMPLETED reports once the agent cleared the contact. */
function afterWork(c: Contact): Fact[] {
  if (!c.agentKey) return [];
  const refs = { agentKey: c.agentKey, ...(c.queueKey ? { queueKey: c.queueKey } : {}) };
  const facts: Fact[] = [];
  if (c.acw.start !== undefined)
    facts.push(fact('acw-started', { type: 'wrapup.started', occurredAt: iso(c.acw.start), ...refs }));
  if (c.acw.end !== undefined) {
    const s = c.acw.seconds;
    const acwMs = s !== undefined && s >= 0 && s <= 604_800 ? { acwMs: Math.round(s * 1000) } : {};
    facts.push(fact('acw-ended', { type: 'wrapup.ended', occurredAt: iso(c.acw.end), ...refs, attrs: acwMs }));
  }
  return facts;
}

/** True for an EventBridge event (any detail-type) rather than a bare record. */
export function isEventBridgeEvent(item: Json): boolean {
  return field(item, 'detail-type') !== undefined && field(item, 'detail') !== undefined;
}
