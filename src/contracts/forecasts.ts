import { z } from 'zod';
import { FORECAST_METHODS } from '../domain/forecast';
import { Timestamp } from './common';

/** The longest range forecast, and how far after the forecast's origin it may end. */
export const MAX_FORECAST_DAYS = 35;
/** Training weeks read before the origin: the default and the bounds. */
export const DEFAULT_TRAINING_WEEKS = 8;
export const MAX_TRAINING_WEEKS = 26;

export const ForecastQuerySchema = z.object({
  queueId: z.string().min(1).max(64).describe('The queue forecast.'),
  from: Timestamp.describe('Start of the range (inclusive), rounded down to a 15-minute boundary.'),
  to: Timestamp.describe(
    `End of the range (exclusive), rounded up to a 15-minute boundary; at most ${MAX_FORECAST_DAYS} days after the forecast's origin: the start of today in the tenant's zone, or of \`from\`'s day when that is earlier.`,
  ),
  weeks: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_TRAINING_WEEKS)
    .default(DEFAULT_TRAINING_WEEKS)
    .describe('Weeks of history before the origin the forecast is trained on (from the queue’s first call, if later).'),
});
export type ForecastQuery = z.infer<typeof ForecastQuerySchema>;

const method = z
  .enum(FORECAST_METHODS)
  .describe(
    '`seasonalNaive`: the same quarter hour of the last usable same weekday; `seasonalMean`: its mean over the last 4; `holtWinters`: daily totals by Holt-Winters (damped trend, multiplicative weekly season) × the weekday’s intraday profile.',
  );

const ratio = (what: string) => z.number().nullable().describe(`${what}; null when the held-out weeks offered nothing.`);

export const ForecastMethodScoreSchema = z
  .object({
    method,
    wape: ratio('Σ|actual − forecast| / Σ actual over the held-out quarter hours'),
    bias: ratio('Σ(forecast − actual) / Σ actual: above 0 over-forecasts'),
  })
  .meta({ id: 'ForecastMethodScore' });

export const ForecastIntervalSchema = z
  .object({
    start: Timestamp,
    end: Timestamp,
    offered: z
      .object({
        point: z.number().describe('Forecast visits offered in the interval.'),
        lower: z.number().describe('Lower bound of the prediction interval (never below 0).'),
        upper: z.number().describe('Upper bound of the prediction interval.'),
      })
      .describe('Offered visits (the catalog’s `offered`): the forecast and its prediction interval at `level`.'),
    ahtSeconds: z
      .number()
      .nullable()
      .describe(
        'Forecast AHT (the catalog’s `aht`) of the calls handled in the interval, seconds; null when training handled none.',
      ),
    holiday: z
      .boolean()
      .describe('The interval’s local date is in the tenant’s holiday calendar; its forecast is an ordinary day’s.'),
  })
  .meta({ id: 'ForecastInterval' });

export const ForecastSchema = z
  .object({
    queueId: z.string(),
    timeZone: z.string().describe('The tenant’s zone: weekdays, quarter hours and holidays are local to it.'),
    from: Timestamp.describe('The range, rounded outward to 15-minute boundaries.'),
    to: Timestamp,
    method: method.describe('The method chosen by the backtest (least WAPE; the simpler of equals).'),
    backtest: z
      .object({
        weeks: z.number().int().describe('Weeks held out, each forecast by every method fitted on the days before it.'),
        wape: ratio('WAPE of the chosen method: Σ|actual − forecast| / Σ actual over the held-out quarter hours'),
        bias: ratio('Bias of the chosen method: Σ(forecast − actual) / Σ actual'),
        ahtWape: z
          .number()
          .nullable()
          .describe(
            'Σ|handled × forecast AHT − handle time| / Σ handle time over the held-out quarter hours; null when none was handled.',
          ),
        methods: z.array(ForecastMethodScoreSchema).describe('Every method that could be fitted for every held-out week.'),
      })
      .nullable()
      .describe('The accuracy of the forecast on the last weeks of training; null with less than two weeks of history.'),
    training: z.object({
      from: Timestamp.nullable().describe(
        'The first day of training read: the window’s start, or the queue’s first call if later; null: no history.',
      ),
      to: Timestamp.describe('The forecast’s origin: training ends here.'),
      days: z.number().int(),
      excludedDays: z
        .array(z.object({ date: z.iso.date(), reason: z.enum(['holiday', 'outlier']) }))
        .describe(
          'Local days left out of training: holidays of the calendar, and days off their weekday’s median by more than 2×.',
        ),
      replacedIntervals: z
        .number()
        .int()
        .describe('Quarter hours off their weekday’s median by more than 3× (outliers), replaced by that median for training.'),
    }),
    level: z.number().describe('The central probability of the prediction intervals (0.9: from the 5th to the 95th percentile).'),
    intervals: z.array(ForecastIntervalSchema).describe('Every 15-minute interval of the range, in order.'),
  })
  .meta({ id: 'Forecast' });
export type ForecastResponse = z.infer<typeof ForecastSchema>;
