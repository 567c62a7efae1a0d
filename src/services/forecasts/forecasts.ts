import { and, eq } from 'drizzle-orm';
import { DEFAULT_TRAINING_WEEKS, type ForecastQuery, type ForecastResponse, MAX_FORECAST_DAYS } from '../../contracts/forecasts';
import type { Tx } from '../../db/client';
import { queues } from '../../db/schema';
import { type FieldIssue, invalid, notFound } from '../../domain/errors';
import { type BucketActuals, forecastQueue, type QueueForecast } from '../../domain/forecast';
import { computeMetric, factBranchesFor } from '../../domain/kpi/compute';
import type { TenantSettings } from '../../domain/settings';
import { BUCKET_MS } from '../../domain/time/intervals';
import { startOfLocalDay } from '../../domain/time/zones';
import { type ServiceContext, tenantTx } from '../context';
import { loadCells } from '../kpis/cell-source';
import { maxRangeRecords } from '../kpis/records';
import { loadTenantRow } from '../tenants/get-tenant';

const DAY_MS = 86_400_000;
const query = (pointer: string, detail: string): FieldIssue => ({ pointer, in: 'query', detail });

/** What other services ask for: a queue's forecast over [from, to) (epoch ms), trained on `weeks` weeks before its origin. */
export interface QueueForecastRequest {
  queueId: string;
  from: number;
  to: number;
  /** Training weeks before the origin (default {@link DEFAULT_TRAINING_WEEKS}). */
  weeks?: number;
}

/** A queue's forecast (src/domain/forecast/forecast.ts) with what it was asked for, instants as epoch ms. */
export interface QueueForecastResult extends QueueForecast {
  queueId: string;
  timeZone: string;
  /** The range, rounded outward to 15-minute boundaries. */
  from: number;
  to: number;
}

/**
 * The range checked and rounded, and the forecast's origin: the start of the local day of `from`, or of today when
 * `from` is later (history ends there). 422 with a pointer for each problem.
 */
export function forecastRange(r: { from: number; to: number }, now: number, timeZone: string) {
  const from = Math.floor(r.from / BUCKET_MS) * BUCKET_MS;
  const to = Math.ceil(r.to / BUCKET_MS) * BUCKET_MS;
  const origin = startOfLocalDay(Math.min(from, now), timeZone).start;
  if (to <= from) throw invalid([query('/to', '`to` must be after `from`.')]);
  if (to - origin > MAX_FORECAST_DAYS * DAY_MS) {
    throw invalid([
      query(
        '/to',
        `A forecast ends at most ${MAX_FORECAST_DAYS} days after its origin (${new Date(origin).toISOString()}: the start of today, or of \`from\`'s day when earlier).`,
      ),
    ]);
  }
  return { from, to, origin };
}

/**
 * The seam for staffing plans and anomalies (issue 11 §4, §5): a queue's forecast inside the caller's tenant
 * transaction, from the KPI rollups of the weeks before the origin and the tenant's holiday calendar. 404 for a
 * queue the tenant does not have; 422 for a range `forecastRange` refuses.
 */
export async function loadQueueForecast(
  tx: Tx,
  ctx: Pick<ServiceContext, 'tenantId' | 'now' | 'env'>,
  settings: TenantSettings,
  r: QueueForecastRequest,
): Promise<QueueForecastResult> {
  const timeZone = settings.timeZone;
  const { from, to, origin } = forecastRange(r, ctx.now.getTime(), timeZone);
  const [queue] = await tx
    .select({ id: queues.id })
    .from(queues)
    .where(and(eq(queues.tenantId, ctx.tenantId), eq(queues.id, r.queueId)));
  if (!queue) throw notFound('queue', r.queueId);
  const weeks = r.weeks ?? DEFAULT_TRAINING_WEEKS;
  // Half a day past the same local time `weeks` weeks earlier is inside the right local day, DST or not.
  const trainFrom = startOfLocalDay(origin - weeks * 7 * DAY_MS + DAY_MS / 2, timeZone).start;
  const history = await loadQueueBuckets(tx, ctx, settings, r.queueId, trainFrom, origin);
  const forecast = forecastQueue({
    timeZone,
    history,
    trainFrom,
    trainTo: origin,
    from,
    to,
    holidays: (settings.holidays ?? []).map((h) => h.date),
  });
  return { ...forecast, queueId: r.queueId, timeZone, from, to };
}

/** {@link loadQueueForecast} in a transaction of its own, with the tenant's settings. */
export async function queueForecast(ctx: ServiceContext, r: QueueForecastRequest): Promise<QueueForecastResult> {
  return tenantTx(ctx, async (tx) => {
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    return loadQueueForecast(tx, ctx, tenant.settings, r);
  });
}

const METRICS = ['offered', 'aht'] as const;

/**
 * A queue's 15-minute buckets of [from, to) from the KPI rollups (buckets not recomputed yet from their records, as
 * `GET /v1/kpis` reads them): `offered` and the numerator and denominator of `aht`, as the catalog computes them.
 */
async function loadQueueBuckets(
  tx: Tx,
  ctx: Pick<ServiceContext, 'tenantId' | 'now' | 'env'>,
  settings: TenantSettings,
  queueId: string,
  from: number,
  to: number,
): Promise<BucketActuals[]> {
  if (to <= from) return [];
  const cells = await loadCells(tx, ctx.tenantId, 'rollups', {
    from,
    to,
    queueIds: [queueId],
    byDirection: false,
    now: ctx.now.getTime(),
    kinds: { queue: true, queueAgent: false, agent: false, tenant: false },
    branches: factBranchesFor(METRICS),
    maxRecords: maxRangeRecords(ctx.env),
  });
  const policy = { ...settings.serviceLevel };
  return cells
    .filter((c) => c.queueId === queueId && c.agentId === null)
    .map((c) => {
      const aht = computeMetric('aht', c.facts, policy);
      return {
        start: c.bucketStart,
        offered: computeMetric('offered', c.facts, policy).numerator,
        handled: aht.denominator ?? 0,
        handleSeconds: aht.numerator / 1000,
      };
    });
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const roundOrNull = (v: number | null, digits: number) => (v === null ? null : round(v, digits));
const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /v1/forecasts`: the queue's forecast per 15-minute interval, with the backtest that chose its method. */
export async function getForecast(ctx: ServiceContext, q: ForecastQuery): Promise<ForecastResponse> {
  const f = await queueForecast(ctx, { queueId: q.queueId, from: Date.parse(q.from), to: Date.parse(q.to), weeks: q.weeks });
  return {
    queueId: f.queueId,
    timeZone: f.timeZone,
    from: iso(f.from),
    to: iso(f.to),
    method: f.method,
    backtest: f.backtest && {
      weeks: f.backtest.weeks,
      wape: roundOrNull(f.backtest.wape, 4),
      bias: roundOrNull(f.backtest.bias, 4),
      ahtWape: roundOrNull(f.backtest.ahtWape, 4),
      methods: f.backtest.methods.map((m) => ({ method: m.method, wape: roundOrNull(m.wape, 4), bias: roundOrNull(m.bias, 4) })),
    },
    training: {
      from: f.training.from === null ? null : iso(f.training.from),
      to: iso(f.training.to),
      days: f.training.days,
      excludedDays: f.training.excludedDays,
      replacedIntervals: f.training.replacedIntervals,
    },
    level: f.level,
    intervals: f.intervals.map((i) => ({
      start: iso(i.start),
      end: iso(i.start + BUCKET_MS),
      offered: { point: round(i.offered, 3), lower: round(i.lower, 3), upper: round(i.upper, 3) },
      ahtSeconds: roundOrNull(i.ahtSeconds, 1),
      holiday: i.holiday,
    })),
  };
}
