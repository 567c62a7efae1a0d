import { z } from 'zod';
import { UNSTORABLE_TEXT_MESSAGE, unstorablePaths } from '../text';
import { ATTRS, DIRECTIONS, EVENT_TYPES, type EventType, NEEDS, NEEDS_ATTRS } from './event-types';

/** The most events one request may carry. */
export const MAX_BATCH_EVENTS = 1000;

const ref = z.string().trim().min(1).max(200);

const Base = {
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces.')
    .describe('Your deterministic id for the event: a retry must send the same id. Unique per tenant.'),
  occurredAt: z.iso.datetime({ offset: true, precision: undefined }).describe('When it happened, ISO-8601 with an offset.'),
  interactionId: ref.optional().describe("The customer's logical contact (call)."),
  legId: ref.optional(),
  queueId: ref.optional().describe('A Callboard queue id (que_…).'),
  queueKey: ref.optional().describe("A provider's key for the queue, mapped by the connector or the queue's external keys."),
  agentId: ref.optional().describe('A Callboard agent id (agt_…).'),
  agentKey: ref.optional(),
  direction: z.enum(DIRECTIONS).optional(),
  caller: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'The customer’s number: the caller of an inbound call, the number dialled for an outbound one. Stored only as a salted hash and a masked form.',
    ),
};

function variant<T extends EventType>(type: T) {
  return z.strictObject({ ...Base, type: z.literal(type), attrs: ATTRS[type].optional() });
}

const variants = EVENT_TYPES.map((t) => variant(t)) as unknown as [
  ReturnType<typeof variant<EventType>>,
  ...ReturnType<typeof variant<EventType>>[],
];

/** One event on the wire (`POST /v1/events`, the generic webhook). */
export const WireEventSchema = z
  .discriminatedUnion('type', variants)
  .superRefine((e, ctx) => {
    // Every string of the event, ids, keys and attributes alike, must be storable: one such
    // event answered 200 would later fail its queue's outbox flush.
    for (const path of unstorablePaths(e)) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE });
    const needs = NEEDS[e.type];
    if (needs.interaction && !e.interactionId) {
      ctx.addIssue({ code: 'custom', path: ['interactionId'], message: `Required for ${e.type}.` });
    }
    if (needs.queue && !e.queueId && !e.queueKey) {
      ctx.addIssue({ code: 'custom', path: ['queueId'], message: `${e.type} needs queueId or queueKey.` });
    }
    if (needs.agent && !e.agentId && !e.agentKey) {
      ctx.addIssue({ code: 'custom', path: ['agentId'], message: `${e.type} needs agentId or agentKey.` });
    }
    if (e.queueId && e.queueKey)
      ctx.addIssue({ code: 'custom', path: ['queueKey'], message: 'Send queueId or queueKey, not both.' });
    if (e.agentId && e.agentKey)
      ctx.addIssue({ code: 'custom', path: ['agentKey'], message: 'Send agentId or agentKey, not both.' });
    if ((NEEDS_ATTRS as readonly EventType[]).includes(e.type) && !e.attrs)
      ctx.addIssue({ code: 'custom', path: ['attrs'], message: `Required for ${e.type}.` });
  })
  .meta({ id: 'Event' });
export type WireEvent = z.infer<typeof WireEventSchema>;

/** A batch may repeat an id: the first occurrence counts, the later ones answer `duplicate` (as across batches). */
export const EventBatchSchema = z
  .strictObject({ events: z.array(WireEventSchema).min(1).max(MAX_BATCH_EVENTS) })
  .meta({ id: 'EventBatch' });
export type EventBatch = z.infer<typeof EventBatchSchema>;
