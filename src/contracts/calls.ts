import { z } from 'zod';
import { QUEUE_OUTCOMES } from '../domain/events/event-types';
import { Timestamp } from './common';

export const VisitSchema = z
  .object({
    id: z.string(),
    queueId: z.string(),
    enqueuedAt: Timestamp,
    enqueuedAtSource: z.enum(['provider', 'derived', 'received']),
    leftAt: Timestamp.nullable(),
    outcome: z.enum(QUEUE_OUTCOMES).nullable().describe('null while the caller is still waiting.'),
    closedBy: z.enum(['event', 'derived', 'stale']).nullable(),
    waitMs: z.number().int().nullable(),
    agentId: z.string().nullable(),
    answeredAt: Timestamp.nullable(),
  })
  .meta({ id: 'QueueVisit' });

export const SegmentSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    queueId: z.string(),
    visitId: z.string().nullable(),
    connectedAt: Timestamp,
    disconnectedAt: Timestamp.nullable(),
    talkMs: z.number().int().nullable().describe('Connected to disconnected, minus hold.'),
    holdMs: z.number().int(),
    holdCount: z.number().int(),
    wrapupStartedAt: Timestamp.nullable(),
    wrapupEndedAt: Timestamp.nullable(),
    acwMs: z.number().int().nullable(),
    transferred: z.boolean(),
    endedBy: z.string().nullable(),
  })
  .meta({ id: 'AgentSegment' });

export const CallHandlingSchema = z
  .object({
    agentIds: z.array(z.string()).describe('The agents who talked to the caller, each once, in the order they first connected.'),
    segments: z.number().int().describe('Agent connections (a transfer to another agent makes a second one).'),
    talkMs: z
      .number()
      .int()
      .nullable()
      .describe('Talk time over all segments, without hold. null when no agent connected, or while one still is.'),
    holdMs: z.number().int(),
    holdCount: z.number().int(),
    acwMs: z.number().int().nullable().describe('After-call work over all segments; null when none was measured.'),
    handleMs: z
      .number()
      .int()
      .nullable()
      .describe('talkMs + holdMs + acwMs (no measured after-call work counts as 0), what AHT averages. null when talkMs is.'),
    inProgress: z.boolean().describe('An agent is still connected or in after-call work: the figures may still grow.'),
  })
  .meta({ id: 'CallHandling' });

export const CallSchema = z
  .object({
    id: z.string().describe('The interaction id the provider or client gave.'),
    direction: z.enum(['inbound', 'outbound']).nullable(),
    callerMasked: z.string().nullable(),
    callerHash: z
      .string()
      .nullable()
      .describe('Salted hash of the number (repeat-caller detection); the number itself is never stored.'),
    startedAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    firstEventAt: Timestamp,
    lastEventAt: Timestamp,
    hangupCause: z.string().nullable(),
    endedBy: z.string().nullable(),
    disposition: z
      .object({
        resolved: z.boolean(),
        code: z.string().nullable(),
        category: z.string().optional().describe('The disposition category, when one was given.'),
        at: Timestamp,
      })
      .nullable(),
    survey: z
      .object({
        score: z.number(),
        scaleMin: z.number(),
        scaleMax: z.number(),
        satisfiedScore: z.number().optional().describe("The survey's own satisfied threshold, when it gave one."),
        comment: z.string().optional().describe("The customer's comment, when there was one."),
        at: Timestamp,
      })
      .nullable(),
    enqueuedAt: Timestamp.nullable().describe('When the call first entered a queue; null if it never did.'),
    outcome: z
      .enum(QUEUE_OUTCOMES)
      .nullable()
      .describe('The outcome of its last queue visit (where it ended up); null while it waits there, or if it never queued.'),
    transfers: z
      .number()
      .int()
      .describe('Transfers: agent segments that ended in a transfer, plus queue visits the caller left by a transfer.'),
    handling: CallHandlingSchema,
    visits: z.array(VisitSchema).describe('Its queue visits, in the order they began.'),
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof CallSchema>;

export const CallEventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    provider: z.string(),
    occurredAt: Timestamp,
    occurredAtSource: z.string(),
    receivedAt: Timestamp,
    legId: z.string().nullable(),
    queueId: z.string().nullable(),
    agentId: z.string().nullable(),
    attrs: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CallEvent' });

export const CallDetailSchema = CallSchema.extend({
  segments: z.array(SegmentSchema),
  events: z.array(CallEventSchema).describe('The normalized event timeline, in occurrence order.'),
}).meta({ id: 'CallDetail' });
export type CallDetail = z.infer<typeof CallDetailSchema>;
