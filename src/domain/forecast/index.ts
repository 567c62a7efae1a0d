export { cleanDays, DAY_FACTOR, medianOf, SLOT_FACTOR } from './clean';
export {
  type Backtest,
  backtestWeeks,
  bias,
  type ForecastInput,
  forecastQueue,
  INTERVAL_LEVEL,
  type IntervalForecast,
  type MethodScore,
  type QueueForecast,
  quantile,
  wape,
} from './forecast';
export { FORECAST_METHODS, type ForecastMethod, fitAht, fitMethod, RECENT_WEEKS, type TrainingDay } from './methods';
export {
  type BucketActuals,
  dateOfDay,
  dayOfDate,
  type LocalDay,
  localDays,
  localSlot,
  SLOTS_PER_DAY,
  weekdayOfDay,
} from './series';
