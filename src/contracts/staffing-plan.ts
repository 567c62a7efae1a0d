import { z } from 'zod';
import { FORECAST_METHODS } from '../domain/forecast';
import { LocalDate, Timestamp } from './common';
import { DEFAULT_TRAINING_WEEKS, MAX_TRAINING_WEEKS } from './forecasts';

export const StaffingPlanQuerySchema = z
  .object({
    queueId: z.string().min(1).max(64).describe('The queue planned.'),
    date: LocalDate.describe('The day planned, in the tenant’s time zone (at most 35 days ahead).'),
    shrinkage: z.coerce
      .number()
      .min(0)
      .max(0.9)
      .default(0)
      .describe(
        'The share of the scheduled on-queue time expected to be lost anyway (absence, unplanned aux), 0..0.9: the requirement is scaled by 1 / (1 − shrinkage). Breaks and other activities of the schedules are already out of `scheduledAgents`.',
      ),
    maxOccupancy: z.coerce.number().gt(0).max(1).optional().describe('Plan at most this occupancy (0..1] per interval.'),
    model: z
      .enum(['erlang-c', 'erlang-a'])
      .default('erlang-c')
      .describe('`erlang-c` (callers wait for ever) or `erlang-a` (callers hang up after `patienceSeconds` on average).'),
    patienceSeconds: z.coerce.number().gt(0).max(3600).optional().describe('Erlang A: the callers’ mean patience, seconds.'),
    weeks: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_TRAINING_WEEKS)
      .default(DEFAULT_TRAINING_WEEKS)
      .describe('Weeks of history the forecast is trained on (GET /v1/forecasts).'),
    format: z.enum(['json', 'csv']).optional().describe('`csv` (or `Accept: text/csv`): one line per interval.'),
  })
  .superRefine((q, ctx) => {
    if (q.model === 'erlang-a' && q.patienceSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['patienceSeconds'], message: 'Erlang A needs the callers’ patience.' });
    }
  });
export type StaffingPlanQuery = z.infer<typeof StaffingPlanQuerySchema>;

const agents = (what: string) => z.number().nullable().describe(what);

export const StaffingPlanIntervalSchema = z
  .object({
    start: Timestamp,
    end: Timestamp,
    offered: z.object({ point: z.number(), lower: z.number(), upper: z.number() }).describe('The forecast (GET /v1/forecasts).'),
    ahtSeconds: z.number().nullable().describe('The forecast AHT; null: no handle time to plan from.'),
    holiday: z.boolean(),
    requiredAgents: agents('Productive agents the forecast needs for the policy (null: no handle time to plan from).'),
    requiredScheduled: agents('The same to schedule: ⌈requiredAgents / (1 − shrinkage)⌉.'),
    serviceLevel: agents('Service level expected with `requiredAgents`.'),
    occupancy: agents('Occupancy expected with `requiredAgents`.'),
    scheduledAgents: z
      .number()
      .describe(
        'Agents of the queue the schedules put on it, on average over the interval (on-queue time / the interval: a shift starting 5 minutes in is ⅔).',
      ),
    gap: agents('scheduledAgents − requiredScheduled: below 0 the interval is short of staff.'),
    scheduledServiceLevel: agents(
      'Service level expected with the scheduled agents after shrinkage (whole agents, rounded down).',
    ),
  })
  .meta({ id: 'StaffingPlanInterval' });

export const StaffingPlanSchema = z
  .object({
    queueId: z.string(),
    date: LocalDate,
    timeZone: z.string(),
    policy: z
      .object({
        thresholdSeconds: z.number().int(),
        targetServiceLevel: z.number().describe('The queue’s service-level goal, 0..1 (its policy, else the tenant’s).'),
        shrinkage: z.number(),
        maxOccupancy: z.number().nullable(),
        model: z.enum(['erlang-c', 'erlang-a']),
        patienceSeconds: z.number().nullable(),
      })
      .describe('What the requirement is computed for.'),
    forecast: z.object({
      method: z.enum(FORECAST_METHODS),
      wape: z.number().nullable().describe('The forecast’s backtest WAPE (null: too little history to backtest).'),
      bias: z.number().nullable(),
    }),
    agentsServing: z.number().int().describe('Agents who serve the queue (their shifts are counted; multi-skill is not split).'),
    intervals: z.array(StaffingPlanIntervalSchema).describe('Every 15-minute interval of the local day.'),
    totals: z.object({
      offered: z.number(),
      requiredHours: z.number().describe('Agent-hours to schedule (Σ requiredScheduled × ¼ h).'),
      scheduledHours: z.number().describe('Agent-hours scheduled on the queue.'),
      understaffedIntervals: z.number().int(),
      overstaffedIntervals: z.number().int().describe('Intervals with at least one whole agent more than required.'),
    }),
  })
  .meta({ id: 'StaffingPlan' });
export type StaffingPlan = z.infer<typeof StaffingPlanSchema>;
