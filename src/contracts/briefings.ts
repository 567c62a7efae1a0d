import { z } from 'zod';
import { AlertSchema } from './alerts';
import { LocalDate } from './common';
import { KpiValueSchema } from './kpis';

export const BRIEFING_DEFAULT_METRICS = ['handled', 'agentAht', 'utilization', 'csat', 'fcrRepeatCaller'] as const;

export const BriefingQuerySchema = z.object({
  date: LocalDate.optional().describe(
    'The day of the shift (default: today in the tenant’s zone); the numbers are of the day before.',
  ),
  metrics: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe(`Comma-separated metric ids (default: ${BRIEFING_DEFAULT_METRICS.join(', ')}).`),
  format: z.enum(['json', 'markdown']).optional().describe('`markdown` (or `Accept: text/markdown`): a short text to read out.'),
});

const PersonSchema = z.object({ agentId: z.string(), name: z.string() });

export const BriefingSchema = z
  .object({
    teamId: z.string(),
    teamName: z.string(),
    timeZone: z.string().describe('The tenant’s time zone: the days and the Markdown’s times are in it.'),
    date: LocalDate,
    day: LocalDate.describe('The day the numbers are of (the day before `date`).'),
    team: z
      .record(z.string(), KpiValueSchema)
      .describe('The team’s KPIs that day, each with its target, gap and whether it was met.'),
    agents: z
      .array(PersonSchema.extend({ metrics: z.record(z.string(), KpiValueSchema) }))
      .describe('Each agent who worked that day.'),
    highlights: z
      .array(
        z.object({
          metric: z.string(),
          best: PersonSchema.extend({ value: z.number() }).nullable(),
          lagging: z
            .array(PersonSchema.extend({ value: z.number(), target: z.number(), gap: z.number() }))
            .describe('Agents who missed their target, furthest first.'),
        }),
      )
      .describe('For each metric with a better side: the best agent and those who missed their target.'),
    openAlerts: z.array(AlertSchema).describe('Open alerts of the team, its agents or the whole tenant.'),
    disputes: z
      .array(
        z.object({
          evaluationId: z.string(),
          agentId: z.string(),
          name: z.string(),
          score: z.number().nullable(),
          comment: z.string(),
        }),
      )
      .describe('QA evaluations of the team’s agents disputed and not yet resolved.'),
    schedule: z
      .array(
        PersonSchema.extend({
          shiftId: z.string(),
          start: z.string(),
          end: z.string(),
          activities: z.array(z.object({ type: z.string(), start: z.string(), end: z.string() })),
        }),
      )
      .describe('Today’s shifts of the team’s agents (GET /v1/schedules), by start.'),
    expected: z
      .object({
        handled: z.number().nullable().describe('The team’s calls handled on this weekday, on average over the last 4 weeks.'),
        weeks: z.number().int().describe('Weeks with data in that average.'),
      })
      .describe('What today may bring.'),
  })
  .meta({ id: 'Briefing' });
export type Briefing = z.infer<typeof BriefingSchema>;
