import { and, eq, gt, inArray, lt } from 'drizzle-orm';
import { MAX_FORECAST_DAYS } from '../../contracts/forecasts';
import type { StaffingPlan, StaffingPlanQuery } from '../../contracts/staffing-plan';
import { agentQueues, queues, shifts } from '../../db/schema';
import { invalid, notFound } from '../../domain/errors';
import { effectiveServiceLevel } from '../../domain/settings';
import { type PlanPolicy, planDay } from '../../domain/staffing/plan';
import { BUCKET_MS } from '../../domain/time/intervals';
import { startOfDate, startOfLocalDay } from '../../domain/time/zones';
import { type CsvColumn, csvHeader, csvRow } from '../../lib/csv';
import { type ServiceContext, tenantTx } from '../context';
import { loadQueueForecast } from '../forecasts/forecasts';
import { loadTenantRow } from '../tenants/get-tenant';

const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const round = (x: number | null, digits: number) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * `GET /v1/staffing/plan` (docs/staffing.md): a queue's day, per 15-minute interval — the forecast (GET
 * /v1/forecasts), the agents it needs under the queue's service-level policy, the agents of the queue its schedules
 * put on it, and the gap (src/domain/staffing/plan.ts).
 */
export async function staffingPlan(ctx: ServiceContext, q: StaffingPlanQuery): Promise<StaffingPlan> {
  return tenantTx(ctx, async (tx) => {
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    const timeZone = tenant.settings.timeZone;
    const from = startOfDate(q.date, timeZone);
    const to = startOfDate(nextDay(q.date), timeZone);
    const today = startOfLocalDay(ctx.now.getTime(), timeZone).start;
    if (to - Math.min(from, today) > MAX_FORECAST_DAYS * DAY_MS) {
      throw invalid([{ in: 'query', pointer: '/date', detail: `At most ${MAX_FORECAST_DAYS - 1} days after today.` }]);
    }
    const [queue] = await tx
      .select({ serviceLevel: queues.serviceLevel })
      .from(queues)
      .where(and(eq(queues.tenantId, ctx.tenantId), eq(queues.id, q.queueId)));
    if (!queue) throw notFound('queue', q.queueId);
    const forecast = await loadQueueForecast(tx, ctx, tenant.settings, { queueId: q.queueId, from, to, weeks: q.weeks });

    // The agents who serve the queue, and their shifts that overlap the day.
    const serving = (
      await tx
        .select({ agentId: agentQueues.agentId })
        .from(agentQueues)
        .where(and(eq(agentQueues.tenantId, ctx.tenantId), eq(agentQueues.queueId, q.queueId)))
    ).map((r) => r.agentId);
    const planned = serving.length
      ? await tx
          .select({ startsAt: shifts.startsAt, endsAt: shifts.endsAt, activities: shifts.activities })
          .from(shifts)
          .where(
            and(
              eq(shifts.tenantId, ctx.tenantId),
              inArray(shifts.agentId, serving),
              lt(shifts.startsAt, new Date(to)),
              gt(shifts.endsAt, new Date(from)),
            ),
          )
      : [];

    const sl = effectiveServiceLevel(tenant.settings.serviceLevel, queue.serviceLevel);
    const policy: PlanPolicy = {
      thresholdSeconds: sl.thresholdSeconds,
      targetServiceLevel: sl.targetPercent / 100,
      shrinkage: q.shrinkage,
      model: q.model,
      ...(q.maxOccupancy !== undefined ? { maxOccupancy: q.maxOccupancy } : {}),
      ...(q.patienceSeconds !== undefined ? { patienceSeconds: q.patienceSeconds } : {}),
    };
    const { intervals, totals } = planDay(
      forecast.intervals.map((i) => ({ ...i, end: i.start + BUCKET_MS })),
      planned.map((s) => ({ start: s.startsAt.getTime(), end: s.endsAt.getTime(), activities: s.activities })),
      policy,
    );
    return {
      queueId: q.queueId,
      date: q.date,
      timeZone,
      policy: {
        thresholdSeconds: policy.thresholdSeconds,
        targetServiceLevel: policy.targetServiceLevel,
        shrinkage: policy.shrinkage,
        maxOccupancy: policy.maxOccupancy ?? null,
        model: policy.model,
        patienceSeconds: policy.patienceSeconds ?? null,
      },
      forecast: {
        method: forecast.method,
        wape: round(forecast.backtest?.wape ?? null, 4),
        bias: round(forecast.backtest?.bias ?? null, 4),
      },
      agentsServing: serving.length,
      intervals: intervals.map((r) => ({
        start: iso(r.start),
        end: iso(r.end),
        offered: { point: round(r.offered, 2) as number, lower: round(r.lower, 2) as number, upper: round(r.upper, 2) as number },
        ahtSeconds: round(r.ahtSeconds, 1),
        holiday: r.holiday,
        requiredAgents: r.requiredAgents,
        requiredScheduled: r.requiredScheduled,
        serviceLevel: r.serviceLevel,
        occupancy: r.occupancy,
        scheduledAgents: r.scheduledAgents,
        gap: r.gap,
        scheduledServiceLevel: r.scheduledServiceLevel,
      })),
      totals,
    };
  });
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type PlanInterval = StaffingPlan['intervals'][number];

/** The plan as CSV lines: one per interval. */
export function* staffingPlanCsvLines(p: StaffingPlan): Generator<string> {
  const columns: CsvColumn<PlanInterval>[] = [
    { name: 'start', value: (r) => r.start },
    { name: 'end', value: (r) => r.end },
    { name: 'offered', value: (r) => r.offered.point },
    { name: 'offeredLower', value: (r) => r.offered.lower },
    { name: 'offeredUpper', value: (r) => r.offered.upper },
    { name: 'ahtSeconds', value: (r) => r.ahtSeconds },
    { name: 'holiday', value: (r) => r.holiday },
    { name: 'requiredAgents', value: (r) => r.requiredAgents },
    { name: 'requiredScheduled', value: (r) => r.requiredScheduled },
    { name: 'serviceLevel', value: (r) => r.serviceLevel },
    { name: 'occupancy', value: (r) => r.occupancy },
    { name: 'scheduledAgents', value: (r) => r.scheduledAgents },
    { name: 'gap', value: (r) => r.gap },
    { name: 'scheduledServiceLevel', value: (r) => r.scheduledServiceLevel },
  ];
  yield csvHeader(columns);
  for (const r of p.intervals) yield csvRow(columns, r);
}

export const staffingPlanCsvFilename = (p: StaffingPlan) => `staffing-plan-${p.queueId}-${p.date}.csv`;
