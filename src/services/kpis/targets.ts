import { and, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import type { KpiResponse } from '../../contracts/kpis';
import type { Tx } from '../../db/client';
import { targets } from '../../db/schema';
import { metricDefinition } from '../../domain/kpi/catalog';
import { type Target, targetFor } from '../../domain/people/targets';
import { startOfLocalDay } from '../../domain/time/zones';

type Row = KpiResponse['rows'][number];
type StoredTarget = Target & { validFrom: string; validTo: string | null };

/**
 * Puts each value's target beside it (`GET /v1/kpis?targets=true`, docs/targets.md): the target in effect on the
 * row's first day for whom the row is about — an agent's row its own, else its team's that day, else the centre's; a
 * team's row its team's, else the centre's; any other row the centre's — with the gap (value − target) and whether
 * it was met (by the metric's better side; null for a metric without one).
 */
export async function withTargets(
  tx: Tx,
  tenantId: string,
  rows: Row[],
  opts: {
    metrics: string[];
    from: number;
    to: number;
    timeZone: string;
    teamOf: (agentId: string, at: number) => string | null;
  },
): Promise<Row[]> {
  const dayOf = (t: number) => startOfLocalDay(t, opts.timeZone).date;
  const first = dayOf(opts.from);
  const last = dayOf(Math.max(opts.from, opts.to - 1));
  const stored: StoredTarget[] = await tx
    .select({
      metric: targets.metric,
      teamId: targets.teamId,
      agentId: targets.agentId,
      value: targets.value,
      validFrom: targets.validFrom,
      validTo: targets.validTo,
    })
    .from(targets)
    .where(
      and(
        eq(targets.tenantId, tenantId),
        inArray(targets.metric, opts.metrics),
        // Valid some day of [first, last].
        lt(targets.validFrom, nextDay(last)),
        or(isNull(targets.validTo), gt(targets.validTo, first)),
      ),
    );
  if (stored.length === 0) return rows.map((r) => withNone(r));
  return rows.map((row) => {
    const start = Date.parse(row.start);
    const day = dayOf(start);
    const live = stored.filter((t) => t.validFrom <= day && (t.validTo === null || t.validTo > day));
    const agentId = row.group.agentId ?? null;
    const teamId = row.group.teamId ?? (agentId ? opts.teamOf(agentId, start) : null);
    const metrics: Row['metrics'] = {};
    for (const [id, v] of Object.entries(row.metrics)) {
      const found = agentId
        ? targetFor(live, id, { agentId, teamId })
        : teamId
          ? targetFor(live, id, { agentId: '', teamId })
          : targetFor(live, id, { agentId: '', teamId: null });
      const target = found?.value ?? null;
      const better = metricDefinition(id as Parameters<typeof metricDefinition>[0]).higherIsBetter;
      metrics[id] = {
        ...v,
        target,
        targetFrom: found?.from ?? null,
        gap: target === null || v.value === null ? null : v.value - target,
        met: target === null || v.value === null || better === null ? null : better ? v.value >= target : v.value <= target,
      };
    }
    return { ...row, metrics };
  });
}

function withNone(row: Row): Row {
  return {
    ...row,
    metrics: Object.fromEntries(
      Object.entries(row.metrics).map(([id, v]) => [id, { ...v, target: null, targetFrom: null, gap: null, met: null }]),
    ),
  };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
