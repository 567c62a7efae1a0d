import { and, asc, eq, gt, isNull, lt, lte, ne, or, type SQL } from 'drizzle-orm';
import type {
  EffectiveTarget,
  TargetCreate,
  TargetOut,
  TargetPatch,
  TargetReview,
  TargetSuggestion,
  TargetSuggestRequest,
} from '../../contracts/targets';
import type { Tx } from '../../db/client';
import { targets } from '../../db/schema';
import type { Membership } from '../../domain/agents/memberships';
import { conflict, invalid, notFound } from '../../domain/errors';
import { isMetricId, metricDefinition } from '../../domain/kpi/catalog';
import { reviewTarget, suggestTarget, targetFor } from '../../domain/people/targets';
import { startOfDate } from '../../domain/time/zones';
import { newId } from '../../lib/ids';
import { type Actor, audit } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import { queryKpis } from '../kpis/kpis';
import { loadMemberships } from '../kpis/records';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';
import { loadTenantRow } from '../tenants/get-tenant';

type Row = typeof targets.$inferSelect;
const RESOURCE = 'target';
/** Targets a tenant may have (every metric × team × agent × period). */
export const MAX_TARGETS = 10_000;

function present(r: Row): TargetOut {
  return {
    id: r.id,
    metric: r.metric,
    level: r.agentId ? 'agent' : r.teamId ? 'team' : 'center',
    teamId: r.teamId,
    agentId: r.agentId,
    value: r.value,
    validFrom: r.validFrom,
    validTo: r.validTo,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function checkShape(t: {
  metric: string;
  teamId: string | null;
  agentId: string | null;
  validFrom: string;
  validTo: string | null;
}) {
  const issues = [];
  if (!isMetricId(t.metric))
    issues.push({ in: 'body' as const, pointer: '/metric', detail: `No metric '${t.metric}' in the catalog.` });
  if (t.teamId && t.agentId) {
    issues.push({
      in: 'body' as const,
      pointer: '/teamId',
      detail: 'An agent’s target is its own: give `agentId` or `teamId`, not both (the agent’s team comes from its membership).',
    });
  }
  if (t.validTo !== null && t.validTo <= t.validFrom) {
    issues.push({ in: 'body' as const, pointer: '/validTo', detail: 'Must be after `validFrom` (it is exclusive).' });
  }
  if (issues.length > 0) throw invalid(issues);
}

/** The same metric for the same centre, team or agent over overlapping days: one target at a time. */
async function checkOverlap(
  tx: Tx,
  tenantId: string,
  t: Omit<Row, 'createdAt' | 'updatedAt' | 'tenantId' | 'value'>,
): Promise<void> {
  const same = (col: typeof targets.teamId | typeof targets.agentId, v: string | null): SQL | undefined =>
    v === null ? isNull(col) : eq(col, v);
  const [other] = await tx
    .select({ id: targets.id, validFrom: targets.validFrom, validTo: targets.validTo })
    .from(targets)
    .where(
      and(
        eq(targets.tenantId, tenantId),
        eq(targets.metric, t.metric),
        same(targets.teamId, t.teamId),
        same(targets.agentId, t.agentId),
        ne(targets.id, t.id),
        // [a, b) and [c, d) overlap when a < d and c < b (null: no end).
        or(isNull(targets.validTo), gt(targets.validTo, t.validFrom)),
        t.validTo === null ? undefined : lt(targets.validFrom, t.validTo),
      ),
    )
    .limit(1);
  if (other) {
    throw conflict('TARGET_OVERLAPS', `Target ${other.id} sets this metric for the same people from ${other.validFrom}.`, [
      { in: 'body', pointer: '/validFrom', detail: `Overlaps ${other.id} (${other.validFrom} – ${other.validTo ?? 'open'}).` },
    ]);
  }
}

async function load(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(targets)
    .where(and(eq(targets.tenantId, tenantId), eq(targets.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('target', id);
  return row;
}

export async function createTarget(ctx: ServiceContext, actor: Actor, input: TargetCreate): Promise<TargetOut> {
  checkShape(input);
  const id = newId('target', ctx.now.getTime());
  return tenantTx(ctx, async (tx) => {
    await assertReferences(tx, ctx.tenantId, [
      ...(input.teamId ? [{ kind: 'team' as const, items: [{ pointer: '/teamId', id: input.teamId }] }] : []),
      ...(input.agentId ? [{ kind: 'agent' as const, items: [{ pointer: '/agentId', id: input.agentId }] }] : []),
    ]);
    if ((await tx.$count(targets, eq(targets.tenantId, ctx.tenantId))) >= MAX_TARGETS) {
      throw conflict('TOO_MANY_TARGETS', `A tenant has at most ${MAX_TARGETS} targets.`);
    }
    await checkOverlap(tx, ctx.tenantId, { id, ...input });
    const [row] = await tx
      .insert(targets)
      .values({ tenantId: ctx.tenantId, id, ...input, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    if (!row) throw new Error('target insert returned nothing');
    await audit(tx, ctx, actor, { action: 'target.created', resourceType: RESOURCE, resourceId: id, details: { ...input } });
    return present(row);
  });
}

export async function updateTarget(ctx: ServiceContext, actor: Actor, id: string, patch: TargetPatch): Promise<TargetOut> {
  return tenantTx(ctx, async (tx) => {
    const before = await load(tx, ctx.tenantId, id, true);
    const next = { ...before, ...patch };
    checkShape(next);
    await checkOverlap(tx, ctx.tenantId, next);
    const [after] = await tx
      .update(targets)
      .set({ ...patch, updatedAt: ctx.now })
      .where(and(eq(targets.tenantId, ctx.tenantId), eq(targets.id, id)))
      .returning();
    if (!after) throw notFound('target', id);
    const changed = (['value', 'validTo'] as const).filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
    if (changed.length > 0) {
      await audit(tx, ctx, actor, {
        action: 'target.updated',
        resourceType: RESOURCE,
        resourceId: id,
        details: {
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        },
      });
    }
    return present(after);
  });
}

export async function deleteTarget(ctx: ServiceContext, actor: Actor, id: string): Promise<{ id: string; outcome: 'deleted' }> {
  await tenantTx(ctx, async (tx) => {
    const row = await load(tx, ctx.tenantId, id, true);
    await tx.delete(targets).where(and(eq(targets.tenantId, ctx.tenantId), eq(targets.id, id)));
    await audit(tx, ctx, actor, {
      action: 'target.deleted',
      resourceType: RESOURCE,
      resourceId: id,
      details: { ...present(row) },
    });
  });
  return { id, outcome: 'deleted' };
}

export async function getTarget(ctx: ServiceContext, id: string): Promise<TargetOut> {
  return present(await tenantTx(ctx, (tx) => load(tx, ctx.tenantId, id)));
}

export interface TargetListQuery {
  metric?: string;
  teamId?: string;
  agentId?: string;
  /** Only the targets in effect on this day. */
  at?: string;
}

export async function listTargets(ctx: ServiceContext, q: TargetListQuery, page: PageRequest): Promise<Page<TargetOut>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(targets)
      .where(
        and(
          eq(targets.tenantId, ctx.tenantId),
          q.metric ? eq(targets.metric, q.metric) : undefined,
          q.teamId ? eq(targets.teamId, q.teamId) : undefined,
          q.agentId ? eq(targets.agentId, q.agentId) : undefined,
          q.at ? lte(targets.validFrom, q.at) : undefined,
          q.at ? or(isNull(targets.validTo), gt(targets.validTo, q.at)) : undefined,
          page.afterId ? gt(targets.id, page.afterId) : undefined,
        ),
      )
      .orderBy(asc(targets.id))
      .limit(page.limit + 1),
  );
  return pageFrom(rows.map(present), page.limit);
}

/** The targets of a metric in effect on a day. */
async function inEffect(tx: Tx, tenantId: string, metric: string, date: string): Promise<Row[]> {
  return tx
    .select()
    .from(targets)
    .where(
      and(
        eq(targets.tenantId, tenantId),
        eq(targets.metric, metric),
        lte(targets.validFrom, date),
        or(isNull(targets.validTo), gt(targets.validTo, date)),
      ),
    );
}

/** An agent's team at an instant (null: none). */
function teamOn(memberships: Map<string, Membership[]>, agentId: string, at: number): string | null {
  return (memberships.get(agentId) ?? []).find((p) => p.from <= at && (p.to === null || at < p.to))?.teamId ?? null;
}

/** Which of the targets in effect applies to an agent (the cascade), with its row. */
function applying(rows: Row[], metric: string, agentId: string, teamId: string | null) {
  const found = targetFor(rows, metric, { agentId, teamId });
  if (!found) return null;
  const row = rows.find((r) =>
    found.from === 'agent'
      ? r.agentId === agentId
      : found.from === 'team'
        ? !r.agentId && r.teamId === teamId
        : !r.agentId && !r.teamId,
  );
  return row ? { ...found, row } : null;
}

/** The target an agent has for a metric on a day: its own, else its team's that day, else the centre's. */
export async function effectiveTarget(
  ctx: ServiceContext,
  q: { metric: string; agentId: string; date: string },
): Promise<EffectiveTarget> {
  if (!isMetricId(q.metric))
    throw invalid([{ in: 'query', pointer: '/metric', detail: `No metric '${q.metric}' in the catalog.` }]);
  return tenantTx(ctx, async (tx) => {
    await assertReferences(tx, ctx.tenantId, [{ kind: 'agent', items: [{ pointer: '/agentId', id: q.agentId }] }]);
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    const at = startOfDate(q.date, tenant.settings.timeZone) + 12 * 3_600_000;
    const teamId = teamOn(await loadMemberships(tx, ctx.tenantId), q.agentId, at);
    const rows = await inEffect(tx, ctx.tenantId, q.metric, q.date);
    const found = applying(rows, q.metric, q.agentId, teamId);
    return {
      metric: q.metric,
      agentId: q.agentId,
      date: q.date,
      teamId,
      value: found?.value ?? null,
      from: found?.from ?? null,
      targetId: found?.row.id ?? null,
    };
  });
}

/**
 * Suggested targets from a past period: per team (and for the centre), the average of its agents' values of the
 * metric (each agent once, from `GET /v1/kpis` by team and agent), made easier by the margin and rounded.
 */
export async function suggestTargets(ctx: ServiceContext, q: TargetSuggestRequest): Promise<TargetSuggestion> {
  if (!isMetricId(q.metric))
    throw invalid([{ in: 'body', pointer: '/metric', detail: `No metric '${q.metric}' in the catalog.` }]);
  const def = metricDefinition(q.metric);
  if (def.higherIsBetter === null) {
    throw invalid([
      { in: 'body', pointer: '/metric', detail: `'${q.metric}' has no better direction (a volume): no target to suggest.` },
    ]);
  }
  if (q.to <= q.from) throw invalid([{ in: 'body', pointer: '/to', detail: 'Must be after `from` (it is exclusive).' }]);
  const { byTeam, byAgent } = await agentValues(ctx, q);
  const suggestion = (values: number[]) => ({
    agents: values.length,
    average: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
    suggested: suggestTarget(values, {
      higherIsBetter: def.higherIsBetter as boolean,
      unit: def.unit,
      marginPercent: q.marginPercent,
    }),
  });
  const teams = [...byTeam.keys()].filter((t): t is string => t !== null).sort();
  return {
    metric: q.metric,
    from: q.from,
    to: q.to,
    marginPercent: q.marginPercent,
    suggestions: [
      { teamId: null, ...suggestion([...byAgent.values()]) },
      ...teams.map((teamId) => ({ teamId, ...suggestion(byTeam.get(teamId) ?? []) })),
    ],
  };
}

/**
 * Each agent's value of a metric over days `[from, to)` (`GET /v1/kpis` by team and agent), and the values by team: an
 * agent who moved team in the period has a row per team; each counts for its team, and their mean for the agent.
 */
async function agentValues(
  ctx: ServiceContext,
  q: { metric: string; from: string; to: string; teamIds?: string[] | undefined },
): Promise<{ byTeam: Map<string | null, number[]>; byAgent: Map<string, number>; timeZone: string }> {
  const timeZone = (await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId))).settings.timeZone;
  const report = await queryKpis(ctx, {
    metrics: q.metric,
    from: new Date(startOfDate(q.from, timeZone)).toISOString(),
    to: new Date(startOfDate(q.to, timeZone)).toISOString(),
    interval: 'total',
    groupBy: ['team', 'agent'],
    ...(q.teamIds?.length ? { teamIds: q.teamIds } : {}),
    source: 'rollups',
  } as unknown as Parameters<typeof queryKpis>[1]);
  const byTeam = new Map<string | null, number[]>();
  const sums = new Map<string, { sum: number; n: number }>();
  for (const row of report.rows) {
    const v = row.metrics[q.metric]?.value;
    const agentId = row.group.agentId;
    if (v === null || v === undefined || !agentId) continue;
    const teamId = row.group.teamId ?? null;
    byTeam.set(teamId, [...(byTeam.get(teamId) ?? []), v]);
    const a = sums.get(agentId) ?? { sum: 0, n: 0 };
    sums.set(agentId, { sum: a.sum + v, n: a.n + 1 });
  }
  return { byTeam, byAgent: new Map([...sums].map(([id, a]) => [id, a.sum / a.n])), timeZone };
}

/**
 * The quarterly review of a metric's targets in effect on a period's first day: for each, the agents it applied to
 * by the cascade (their team on that day) who have a value in the period, how many met it, and whether it was far
 * too easy (90 % or more met it) or too hard (10 % or fewer).
 */
export async function reviewTargets(ctx: ServiceContext, q: { metric: string; from: string; to: string }): Promise<TargetReview> {
  if (!isMetricId(q.metric))
    throw invalid([{ in: 'query', pointer: '/metric', detail: `No metric '${q.metric}' in the catalog.` }]);
  const higherIsBetter = metricDefinition(q.metric).higherIsBetter;
  if (higherIsBetter === null) {
    throw invalid([
      { in: 'query', pointer: '/metric', detail: `'${q.metric}' has no better direction: a target cannot be met or missed.` },
    ]);
  }
  if (q.to <= q.from) throw invalid([{ in: 'query', pointer: '/to', detail: 'Must be after `from` (it is exclusive).' }]);
  const { byAgent, timeZone } = await agentValues(ctx, q);
  const { rows, memberships } = await tenantTx(ctx, async (tx) => ({
    rows: await inEffect(tx, ctx.tenantId, q.metric, q.from),
    memberships: await loadMemberships(tx, ctx.tenantId),
  }));
  const at = startOfDate(q.from, timeZone);
  const achieved = new Map<string, number[]>(rows.map((r) => [r.id, []]));
  for (const [agentId, value] of byAgent) {
    const found = applying(rows, q.metric, agentId, teamOn(memberships, agentId, at));
    if (found) achieved.get(found.row.id)?.push(value);
  }
  return {
    metric: q.metric,
    from: q.from,
    to: q.to,
    reviews: rows
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => {
        const { level, teamId, agentId, value } = present(r);
        return {
          targetId: r.id,
          level,
          teamId,
          agentId,
          value,
          ...reviewTarget(r.value, achieved.get(r.id) ?? [], { higherIsBetter }),
        };
      }),
  };
}
