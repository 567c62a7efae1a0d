import { type SQL, sql } from 'drizzle-orm';
import { MAX_RANGE_DAYS } from '../../contracts/kpis';
import type { VolumeMetric, VolumeProfileQuery, VolumeProfileResponse } from '../../contracts/volume-profile';
import type { Tx } from '../../db/client';
import { type FieldIssue, invalid } from '../../domain/errors';
import { type TimedCount, volumeProfile } from '../../domain/kpi/volume-profile';
import { periodOf } from '../../domain/time/intervals';
import { type ServiceContext, tenantTx } from '../context';
import { loadTenantRow } from '../tenants/get-tenant';

const DAY_MS = 86_400_000;
const query = (pointer: string, detail: string): FieldIssue => ({ pointer, in: 'query', detail });

/**
 * `GET /v1/kpis/volume-profile`: visits per local hour of day × weekday, with the hours behind each cell. Postgres
 * counts the visits per 15-minute bucket of their start (every zone offset in use is a whole quarter hour, so a
 * bucket lies in one local hour and places exactly as its visits would); the domain places the buckets.
 */
export async function queryVolumeProfile(ctx: ServiceContext, q: VolumeProfileQuery): Promise<VolumeProfileResponse> {
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (to <= from) throw invalid([query('/to', '`to` must be after `from`.')]);
  if (to - from > MAX_RANGE_DAYS * DAY_MS) throw invalid([query('/to', `A range spans at most ${MAX_RANGE_DAYS} days.`)]);
  const now = ctx.now.getTime();
  const queueIds = q.queueIds?.length ? q.queueIds : null;
  return tenantTx(ctx, async (tx) => {
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    const timeZone = q.timeZone ?? tenant.settings.timeZone;
    // The whole local hours the profile covers, so no visit of a counted hour is left out.
    const start = periodOf(from, 'hour', timeZone).start;
    const end = periodOf(to - 1, 'hour', timeZone).end;
    const { counts, waiting } = await visitCountsPerBucket(tx, ctx.tenantId, start, end, queueIds, q.metric);
    const p = volumeProfile({ from: start, to: end, timeZone, counts, asOf: now, waiting });
    return {
      timeZone,
      metric: q.metric,
      from: new Date(p.from).toISOString(),
      to: new Date(p.to).toISOString(),
      queueIds,
      status: p.status,
      cells: p.cells,
      peak: p.peak,
      trough: p.trough,
      peakToTroughRatio: p.peakToTroughRatio,
      byHourOfDay: p.byHourOfDay,
      byWeekday: p.byWeekday,
      total: p.total,
    };
  });
}

const COUNTED: Record<VolumeMetric, SQL> = {
  offered: sql`true`,
  answered: sql`v.outcome = 'answered'`,
  abandoned: sql`v.outcome = 'abandoned'`,
};

/**
 * Visits of the metric that started in [from, to), per 15-minute UTC bucket of their start (at most 38,400 rows for
 * 400 days), and how many of all those visits still wait (no outcome yet).
 */
async function visitCountsPerBucket(
  tx: Tx,
  tenantId: string,
  from: number,
  to: number,
  queueIds: string[] | null,
  metric: VolumeMetric,
): Promise<{ counts: TimedCount[]; waiting: number }> {
  const res = await tx.execute(sql`
    SELECT (extract(epoch FROM date_bin('15 minutes', v.enqueued_at, TIMESTAMPTZ '1970-01-01T00:00:00Z')) * 1000)::float8 AS bucket,
           (count(*) FILTER (WHERE ${COUNTED[metric]}))::int AS n, (count(*) FILTER (WHERE v.outcome IS NULL))::int AS waiting
    FROM queue_visits v
    WHERE v.tenant_id = ${tenantId} AND v.enqueued_at >= ${new Date(from)} AND v.enqueued_at < ${new Date(to)}
      ${queueIds ? sql` AND v.queue_id = ANY(${sql.param(queueIds)}::text[])` : sql``}
    GROUP BY 1`);
  const rows = res.rows as Record<string, unknown>[];
  return {
    counts: rows.map((r) => ({ at: Number(r.bucket), count: Number(r.n) })),
    waiting: rows.reduce((n, r) => n + Number(r.waiting), 0),
  };
}
