import { z } from 'zod';

/** The most agents a staffing request names, and the most offered load it may carry (in Erlangs). */
export const MAX_STAFFING_AGENTS = 10_000;
/** Intervals in one batch: a week of 15-minute intervals. */
export const MAX_STAFFING_INTERVALS = 672;

const agents = z
  .number()
  .int()
  .min(1)
  .max(MAX_STAFFING_AGENTS)
  .describe(`Agents answering (productive, after shrinkage): 1 … ${MAX_STAFFING_AGENTS}.`);
const arrivals = z.number().min(0).max(1_000_000).describe('Calls offered in the interval (a forecast may be fractional).');
const intervalSeconds = z
  .number()
  .int()
  .min(60)
  .max(86_400)
  .describe('Length of the interval the arrivals come in, in seconds (900 for 15 minutes).');
const ahtSeconds = z.number().min(1).max(86_400).describe('Average handle time (talk, hold and after-call work), in seconds.');
const targetSeconds = z
  .number()
  .min(0)
  .max(3600)
  .describe('Service-level threshold: a caller answered within this many seconds is answered in time (the 20 of 80/20).');
const patienceSeconds = z
  .number()
  .min(1)
  .max(86_400)
  .describe(
    'Mean time a caller waits before hanging up (exponential patience). From history: mean wait of all callers / abandonment rate.',
  );

/** A = arrivals·AHT/interval, the offered load in Erlangs. */
export const offeredErlangs = (i: { arrivals: number; ahtSeconds: number; intervalSeconds: number }) =>
  (i.arrivals * i.ahtSeconds) / i.intervalSeconds;

function checkLoad(i: { arrivals: number; ahtSeconds: number; intervalSeconds: number }, ctx: z.RefinementCtx): void {
  const erlangs = offeredErlangs(i);
  if (erlangs > MAX_STAFFING_AGENTS) {
    ctx.addIssue({
      code: 'custom',
      path: ['arrivals'],
      message: `The offered load arrivals × ahtSeconds / intervalSeconds is ${Math.round(erlangs)} Erlangs; at most ${MAX_STAFFING_AGENTS}.`,
    });
  }
}

/** `POST /v1/staffing/erlang-b`. */
export const ErlangBRequestSchema = z
  .strictObject({
    agents,
    erlangs: z.number().min(0).max(1_000_000).describe('Offered load in Erlangs (arrival rate × AHT).'),
  })
  .meta({ id: 'ErlangBRequest' });
export type ErlangBRequest = z.infer<typeof ErlangBRequestSchema>;

export const ErlangBResultSchema = z
  .object({
    agents: z.number().int(),
    erlangs: z.number(),
    blocking: z.number().describe('Erlang B: the probability a call finds every agent busy and is lost (no queue).'),
  })
  .meta({ id: 'ErlangBResult' });
export type ErlangBResult = z.infer<typeof ErlangBResultSchema>;

const intervalShape = { arrivals, intervalSeconds, ahtSeconds, agents, targetSeconds };

/** `POST /v1/staffing/erlang-c`: one interval, a number of agents. */
export const ErlangCRequestSchema = z.strictObject(intervalShape).superRefine(checkLoad).meta({ id: 'ErlangCRequest' });
export type ErlangCRequest = z.infer<typeof ErlangCRequestSchema>;

/** `POST /v1/staffing/erlang-a`: Erlang C's fields and the callers' patience. */
export const ErlangARequestSchema = z
  .strictObject({ ...intervalShape, patienceSeconds })
  .superRefine(checkLoad)
  .meta({ id: 'ErlangARequest' });
export type ErlangARequest = z.infer<typeof ErlangARequestSchema>;

const measures = {
  agents: z.number().int(),
  erlangs: z.number().describe('Offered load A = arrivals × ahtSeconds / intervalSeconds, in Erlangs.'),
  targetSeconds: z.number(),
  pWait: z.number().describe('Probability that a caller waits at all (finds every agent busy).'),
  serviceLevel: z.number().describe('Share of all callers answered within `targetSeconds`.'),
  occupancy: z.number().describe('Share of agent time spent handling calls.'),
};

export const ErlangCResultSchema = z
  .object({
    model: z.literal('erlang-c'),
    stable: z
      .boolean()
      .describe(
        'false when erlangs ≥ agents: the queue grows without bound. Then pWait is 1, serviceLevel 0, occupancy 1, and the means (asaSeconds, meanDelaySeconds, expectedQueueLength), infinite in theory, are null.',
      ),
    ...measures,
    asaSeconds: z
      .number()
      .nullable()
      .describe('Average speed of answer: mean wait over all callers (all are answered in Erlang C). null when unstable.'),
    meanDelaySeconds: z.number().nullable().describe('Mean wait of the callers who wait. null when unstable.'),
    expectedQueueLength: z.number().nullable().describe('Mean number of callers waiting. null when unstable.'),
  })
  .meta({ id: 'ErlangCResult' });
export type ErlangCResult = z.infer<typeof ErlangCResultSchema>;

export const ErlangAResultSchema = z
  .object({
    model: z.literal('erlang-a'),
    stable: z.literal(true).describe('Always: callers who hang up keep the queue finite at any load, erlangs ≥ agents too.'),
    ...measures,
    serviceLevel: measures.serviceLevel.describe(
      'Share of all callers (abandoned ones included, as misses) answered within `targetSeconds`.',
    ),
    pAbandon: z.number().describe('Probability that a caller hangs up before an agent answers.'),
    occupancy: measures.occupancy.describe('Handled load (offered less what abandons) over agents.'),
    asaSeconds: z
      .number()
      .nullable()
      .describe(
        'Average speed of answer: mean wait of the answered callers (as the `asa` KPI counts it). null if none is answered.',
      ),
    meanWaitSeconds: z
      .number()
      .describe("Mean time in queue over all callers, the abandoners' time included (what pyworkforce calls ASA)."),
    expectedQueueLength: z.number().describe('Mean number of callers waiting.'),
  })
  .meta({ id: 'ErlangAResult' });
export type ErlangAResult = z.infer<typeof ErlangAResultSchema>;

export const STAFFING_MODELS = ['erlang-c', 'erlang-a'] as const;

/** `POST /v1/staffing/required-agents`: the fewest agents meeting every target given. */
export const RequiredAgentsRequestSchema = z
  .strictObject({
    arrivals,
    intervalSeconds,
    ahtSeconds,
    targetSeconds,
    targetServiceLevel: z
      .number()
      .min(0)
      .lt(1)
      .describe('Share of callers to answer within `targetSeconds`, 0 ≤ x < 1 (0.8 for 80/20).'),
    maxOccupancy: z.number().gt(0).max(1).optional().describe('Occupancy at most this (0 < x ≤ 1), e.g. 0.85.'),
    shrinkage: z
      .number()
      .min(0)
      .lt(1)
      .default(0)
      .describe(
        'Share of paid time lost to breaks, training, absence (0 ≤ x < 1): scheduledAgents = ⌈agents / (1 − shrinkage)⌉.',
      ),
    model: z
      .enum(STAFFING_MODELS)
      .default('erlang-c')
      .describe('`erlang-c`: callers never hang up; `erlang-a`: they do, after `patienceSeconds` on average (required then).'),
    patienceSeconds: patienceSeconds.optional().describe('Erlang A only (and required by it): the callers’ mean patience.'),
    targetAsaSeconds: z.number().gt(0).max(3600).optional().describe('ASA at most this many seconds.'),
    targetAbandonRate: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Erlang A only: share of callers who hang up at most this (0 < x ≤ 1).'),
  })
  .superRefine((r, ctx) => {
    checkLoad(r, ctx);
    if (r.model === 'erlang-a' && r.patienceSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['patienceSeconds'], message: 'Required with model erlang-a.' });
    }
    if (r.model === 'erlang-c') {
      for (const key of ['patienceSeconds', 'targetAbandonRate'] as const) {
        if (r[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'Only with model erlang-a (Erlang C callers never hang up).' });
        }
      }
    }
  })
  .meta({ id: 'RequiredAgentsRequest' });
export type RequiredAgentsRequest = z.infer<typeof RequiredAgentsRequestSchema>;

export const STAFFING_CONSTRAINTS = ['stability', 'serviceLevel', 'asa', 'abandonRate', 'occupancy'] as const;

export const RequiredAgentsResultSchema = z
  .object({
    model: z.enum(STAFFING_MODELS),
    erlangs: z.number().describe('Offered load in Erlangs.'),
    agents: z.number().int().describe('The fewest agents answering (before shrinkage) that meet every target.'),
    scheduledAgents: z.number().int().describe('Agents to schedule so that `agents` are productive: ⌈agents / (1 − shrinkage)⌉.'),
    shrinkage: z.number(),
    limitedBy: z
      .array(z.enum(STAFFING_CONSTRAINTS))
      .describe(
        'The targets one agent fewer would miss (`stability`: Erlang C needs more agents than Erlangs); empty when agents is 1.',
      ),
    serviceLevel: z.number().describe('Share of callers answered within `targetSeconds` with `agents`.'),
    pWait: z.number(),
    occupancy: z.number(),
    asaSeconds: z.number().nullable().describe('Mean wait of the answered callers with `agents`.'),
    expectedQueueLength: z.number(),
    pAbandon: z.number().optional().describe('Erlang A only: share of callers who hang up.'),
    meanWaitSeconds: z.number().optional().describe("Erlang A only: mean time in queue over all callers, abandoners' included."),
  })
  .meta({ id: 'RequiredAgentsResult' });
export type RequiredAgentsResult = z.infer<typeof RequiredAgentsResultSchema>;

/**
 * The most a batch may hold, in Erlangs (or agents, whichever is larger per interval) summed over its intervals: a
 * busy week of 15-minute intervals is far below it, while 672 intervals of thousands of Erlangs (seconds of CPU for
 * Erlang A) are refused before any is computed.
 */
export const MAX_BATCH_ERLANGS = 100_000;

/** An interval's size for the batch budget: its offered load or its agents, whichever is larger. */
function workOf(i: unknown): number {
  const q = i as { agents?: number; erlangs?: number; arrivals?: number; ahtSeconds?: number; intervalSeconds?: number };
  const load =
    q.erlangs ??
    (q.arrivals !== undefined && q.ahtSeconds !== undefined && q.intervalSeconds
      ? (q.arrivals * q.ahtSeconds) / q.intervalSeconds
      : 0);
  return Math.max(load, q.agents ?? 0);
}

/** A batch: the single form's body for each interval (a day or a week of them), answered in the same order. */
function batchOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({
      intervals: z
        .array(item)
        .min(1)
        .max(MAX_STAFFING_INTERVALS)
        .describe(
          `1 … ${MAX_STAFFING_INTERVALS} intervals (a week of 15-minute ones), each the single form's body; together at most ${MAX_BATCH_ERLANGS} Erlangs (or agents, the larger of the two per interval).`,
        ),
    })
    .superRefine((b, ctx) => {
      const work = b.intervals.reduce((n: number, i) => n + workOf(i), 0);
      if (work > MAX_BATCH_ERLANGS) {
        ctx.addIssue({
          code: 'custom',
          path: ['intervals'],
          message: `The intervals add up to ${Math.round(work)} Erlangs (or agents); a batch holds at most ${MAX_BATCH_ERLANGS}: send it in parts.`,
        });
      }
    })
    .meta({ id });
}
function batchResultOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({ intervals: z.array(item).describe('One answer per interval, in the order sent.') }).meta({ id });
}

export const ErlangBBatchRequestSchema = batchOf(ErlangBRequestSchema, 'ErlangBBatchRequest');
export const ErlangBBatchResultSchema = batchResultOf(ErlangBResultSchema, 'ErlangBBatchResult');
export const ErlangCBatchRequestSchema = batchOf(ErlangCRequestSchema, 'ErlangCBatchRequest');
export const ErlangCBatchResultSchema = batchResultOf(ErlangCResultSchema, 'ErlangCBatchResult');
export const ErlangABatchRequestSchema = batchOf(ErlangARequestSchema, 'ErlangABatchRequest');
export const ErlangABatchResultSchema = batchResultOf(ErlangAResultSchema, 'ErlangABatchResult');
export const RequiredAgentsBatchRequestSchema = batchOf(RequiredAgentsRequestSchema, 'RequiredAgentsBatchRequest');
export const RequiredAgentsBatchResultSchema = batchResultOf(RequiredAgentsResultSchema, 'RequiredAgentsBatchResult');
