import { z } from 'zod';

/** Every normalized event type (docs/ingestion.md, Event types). */
export const EVENT_TYPES = [
  'interaction.started',
  'interaction.ended',
  'queue.joined',
  'queue.left',
  'agent.offered',
  'agent.offer_ended',
  'agent.connected',
  'agent.disconnected',
  'hold.started',
  'hold.ended',
  'transfer',
  'wrapup.started',
  'wrapup.ended',
  'agent.state_changed',
  'call.dispositioned',
  'survey.completed',
  'ivr.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const QUEUE_OUTCOMES = [
  'answered',
  'abandoned',
  'timeout',
  'no_agents',
  'exit_key',
  'rejected_full',
  'transferred',
  'error',
  'other',
  'unknown',
] as const;
export type QueueOutcome = (typeof QUEUE_OUTCOMES)[number];

/** Outcomes counted as "flowed out" (the `flowOutsInDenominator` setting, docs/api.md). */
export const FLOW_OUT_OUTCOMES: readonly QueueOutcome[] = ['timeout', 'no_agents', 'exit_key', 'transferred', 'rejected_full'];

export const OFFER_RESULTS = ['accepted', 'rejected', 'timeout', 'canceled', 'failed'] as const;
export const AGENT_STATES = ['offline', 'available', 'busy', 'wrapup', 'away'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
export const ENDED_BY = ['customer', 'agent', 'system', 'transfer', 'unknown'] as const;
export const TRANSFER_KINDS = ['blind', 'attended', 'queue', 'external'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const TIME_SOURCES = ['provider', 'derived', 'received'] as const;
export type TimeSource = (typeof TIME_SOURCES)[number];

const ms = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600 * 1000);
const ref = z.string().trim().min(1).max(200);

/** The longest survey comment kept, in UTF-16 code units. */
export const MAX_SURVEY_COMMENT = 1000;

/** Typed attributes per event type (durations in ms). Unknown attributes are refused. */
export const ATTRS = {
  'interaction.started': z.strictObject({}),
  'interaction.ended': z.strictObject({ hangupCause: z.string().max(100).optional(), endedBy: z.enum(ENDED_BY).optional() }),
  'queue.joined': z.strictObject({ position: z.number().int().min(0).optional() }),
  'queue.left': z.strictObject({
    outcome: z.enum(QUEUE_OUTCOMES),
    waitMs: ms.optional().describe("The provider's own wait, used when the join was never seen."),
  }),
  'agent.offered': z.strictObject({ ringMs: ms.optional() }),
  'agent.offer_ended': z.strictObject({ result: z.enum(OFFER_RESULTS), ringMs: ms.optional() }),
  'agent.connected': z.strictObject({}),
  'agent.disconnected': z.strictObject({ endedBy: z.enum(ENDED_BY).optional(), talkMs: ms.optional() }),
  'hold.started': z.strictObject({}),
  'hold.ended': z.strictObject({}),
  transfer: z.strictObject({
    kind: z.enum(TRANSFER_KINDS),
    toQueueId: ref.optional(),
    toQueueKey: ref.optional(),
    toAgentId: ref.optional(),
    toAgentKey: ref.optional(),
  }),
  'wrapup.started': z.strictObject({}),
  'wrapup.ended': z.strictObject({ acwMs: ms.optional() }),
  'agent.state_changed': z.strictObject({
    state: z.enum(AGENT_STATES),
    reason: z.string().max(100).optional(),
    unpause: z
      .literal(true)
      .optional()
      .describe('The change only ends a pause or break (an unpause): an agent who is offline stays offline.'),
  }),
  'call.dispositioned': z.strictObject({
    resolved: z.boolean(),
    code: z.string().max(100).optional(),
    category: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe("The disposition's category code; a call is a complaint when it is one of the tenant's `complaintCategories`."),
  }),
  'survey.completed': z.strictObject({
    score: z.number().min(0).max(100),
    scaleMin: z.number().int().min(0).max(10).default(1),
    scaleMax: z.number().int().min(1).max(100).default(5),
    satisfiedScore: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('This survey\'s own "satisfied" threshold: a score at or above it is satisfied (csat, docs/kpis.md).'),
    comment: z
      .string()
      .trim()
      .max(MAX_SURVEY_COMMENT)
      .optional()
      .describe(`The customer's comment, at most ${MAX_SURVEY_COMMENT} characters (trimmed; kept with the call, never in KPIs).`),
  }),
  'ivr.completed': z.strictObject({ selfServed: z.boolean(), menu: z.string().max(100).optional() }),
} satisfies Record<EventType, z.ZodType>;

export type EventAttrs = { [T in EventType]: z.infer<(typeof ATTRS)[T]> };

/** Which references an event type needs: a queue for queue.*, an agent for agent.*, an interaction for all but presence. */
export const NEEDS = {
  'interaction.started': { queue: false, agent: false, interaction: true },
  'interaction.ended': { queue: false, agent: false, interaction: true },
  'queue.joined': { queue: true, agent: false, interaction: true },
  'queue.left': { queue: true, agent: false, interaction: true },
  'agent.offered': { queue: false, agent: true, interaction: true },
  'agent.offer_ended': { queue: false, agent: true, interaction: true },
  'agent.connected': { queue: false, agent: true, interaction: true },
  'agent.disconnected': { queue: false, agent: true, interaction: true },
  'hold.started': { queue: false, agent: false, interaction: true },
  'hold.ended': { queue: false, agent: false, interaction: true },
  transfer: { queue: false, agent: false, interaction: true },
  'wrapup.started': { queue: false, agent: true, interaction: true },
  'wrapup.ended': { queue: false, agent: true, interaction: true },
  'agent.state_changed': { queue: false, agent: true, interaction: false },
  'call.dispositioned': { queue: false, agent: false, interaction: true },
  'survey.completed': { queue: false, agent: false, interaction: true },
  'ivr.completed': { queue: false, agent: false, interaction: true },
} as const satisfies Record<EventType, { queue: boolean; agent: boolean; interaction: boolean }>;

/** The types whose attrs are required: each has a required attribute (`queue.left`'s outcome, a transfer's kind…). */
export const NEEDS_ATTRS = [
  'queue.left',
  'agent.offer_ended',
  'transfer',
  'agent.state_changed',
  'call.dispositioned',
  'survey.completed',
  'ivr.completed',
] as const satisfies readonly EventType[];

/**
 * Order of types at the same instant, so that a projection never depends on arrival order: a call
 * starts, joins, is offered, leaves the queue, connects, holds, ends, wraps up, and is judged.
 */
export const TYPE_RANK: Record<EventType, number> = {
  'interaction.started': 0,
  'ivr.completed': 1,
  'queue.joined': 2,
  'agent.state_changed': 3,
  'agent.offered': 4,
  'agent.offer_ended': 5,
  'queue.left': 6,
  'agent.connected': 7,
  'hold.started': 8,
  'hold.ended': 9,
  transfer: 10,
  'agent.disconnected': 11,
  'wrapup.started': 12,
  'wrapup.ended': 13,
  'interaction.ended': 14,
  'call.dispositioned': 15,
  'survey.completed': 16,
};
