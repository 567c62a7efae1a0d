import { z } from 'zod';
import { Timestamp } from './common';
import { KpiQuerySchema, MAX_RANGE_DAYS } from './kpis';

/** What a volume profile counts, each where the visit started: every visit, or those that ended so. */
export const VOLUME_METRICS = ['offered', 'answered', 'abandoned'] as const;
export type VolumeMetric = (typeof VOLUME_METRICS)[number];

export const VolumeProfileQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).describe('Start of the range (inclusive), rounded down to a whole local hour.'),
  to: z.iso
    .datetime({ offset: true })
    .describe(`End of the range (exclusive), rounded up to a whole local hour; at most ${MAX_RANGE_DAYS} days after \`from\`.`),
  timeZone: KpiQuerySchema.shape.timeZone.describe(
    "IANA time zone whose hours of day and weekdays the profile is cut in; default the tenant's.",
  ),
  queueIds: KpiQuerySchema.shape.queueIds,
  metric: z
    .enum(VOLUME_METRICS)
    .default('offered')
    .describe('`offered`: queue visits that started; `answered`, `abandoned`: those of them that ended so.'),
});
export type VolumeProfileQuery = z.infer<typeof VolumeProfileQuerySchema>;

const slot = {
  count: z.number().int().describe('Visits that started in such hours.'),
  hours: z
    .number()
    .describe(
      'How many such hours the range held: a local hour that a DST fall back repeats counts twice, one a spring forward skips ' +
        "zero, one a 30-minute change cuts (Lord Howe) 0.5; hours after now are not counted. Multiples of 0.25 but for the current hour's part.",
    ),
  perHour: z.number().nullable().describe('count / hours, the exact average per hour; null when hours is 0.'),
};
const weekday = z.number().int().min(1).max(7).describe('ISO weekday: 1 Monday … 7 Sunday.');
const hour = z.number().int().min(0).max(23).describe('Local hour of day.');

const extremes = <T extends z.ZodType>(row: T) => ({
  peak: row.nullable().describe('The row with the highest average per hour (the first of equals); null when none had hours.'),
  trough: row.nullable().describe('The row with the lowest average per hour (the first of equals), zero included.'),
  peakToTroughRatio: z
    .number()
    .nullable()
    .describe('peak.perHour / trough.perHour; null when the trough averaged 0 (the ratio would be infinite) or there is no row.'),
});

export const VolumeCellSchema = z.object({ weekday, hour, ...slot }).meta({ id: 'VolumeProfileCell' });
const HourOfDaySchema = z.object({ hour, ...slot }).meta({ id: 'VolumeProfileHourOfDay' });
const WeekdaySchema = z.object({ weekday, ...slot }).meta({ id: 'VolumeProfileWeekday' });

export const VolumeProfileSchema = z
  .object({
    timeZone: z.string(),
    metric: z.enum(VOLUME_METRICS),
    from: Timestamp.describe('The range, rounded outward to whole local hours.'),
    to: Timestamp,
    queueIds: z.array(z.string()).nullable().describe('The queues counted; null: all.'),
    status: z
      .enum(['complete', 'partial'])
      .describe('`partial` when the range reaches past now or a visit in it still waits (its outcome may change).'),
    cells: z.array(VolumeCellSchema).describe('168 cells: Monday 00:00 first, then Monday 01:00, … Sunday 23:00.'),
    ...extremes(VolumeCellSchema),
    byHourOfDay: z.object({
      rows: z.array(HourOfDaySchema).describe('Hours 0..23 over all weekdays.'),
      ...extremes(HourOfDaySchema),
    }),
    byWeekday: z.object({ rows: z.array(WeekdaySchema).describe('Monday..Sunday over all hours.'), ...extremes(WeekdaySchema) }),
    total: z.object(slot),
  })
  .meta({ id: 'VolumeProfile' });
export type VolumeProfileResponse = z.infer<typeof VolumeProfileSchema>;
