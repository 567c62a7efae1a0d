import { and, asc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { AlertRuleOut } from '../../contracts/alerts';
import { MAX_FORECAST_DAYS } from '../../contracts/forecasts';
import type { Tx } from '../../db/client';
import { agentQueues, alertRules, queues, shifts } from '../../db/schema';
import { hourlyBaseline } from '../../domain/alerts/baseline';
import {
  type AlertForecast,
  type AlertRule,
  type AlertRuleCreate,
  AlertRuleCreateSchema,
  judgedByForecast,
  MEAN_MEASURES,
  ruleProblem,
} from '../../domain/alerts/rules';
import { AppError, invalid, notFound } from '../../domain/errors';
import type { TenantSettings } from '../../domain/settings';
import { expectedWaitBand, onQueueAgents, type PlanShift } from '../../domain/staffing/plan';
import { startOfLocalDay } from '../../domain/time/zones';
import { callLiveHub } from '../../durable-objects/live/live-hub.client';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { loadQueueForecast } from '../forecasts/forecasts';
import { queryKpis } from '../kpis/kpis';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';
import { loadTenantRow } from '../tenants/get-tenant';

type Row = typeof alertRules.$inferSelect;

/** Rules a tenant may have: each is looked at on every change of every queue it watches. */
export const MAX_ALERT_RULES = 200;
/** Weeks of history an anomaly rule's normal values are computed from. */
const BASELINE_WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
const INTERVAL_MS = 900_000;

export function presentRule(r: Row): AlertRuleOut {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    severity: r.severity as AlertRuleOut['severity'],
    scope: r.scope,
    condition: r.condition,
    forSeconds: r.forSeconds,
    cooldownSeconds: r.cooldownSeconds,
    baselineComputedAt: r.baselineComputedAt?.toISOString() ?? null,
    forecastUntil: r.forecast ? new Date(r.forecast.from + r.forecast.bands.length * INTERVAL_MS).toISOString() : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The rule as the hub evaluates it. */
export function hubRule(r: Row, timeZone: string | null): AlertRule {
  return { ...presentRule(r), baseline: r.baseline ?? null, baselineTimeZone: timeZone, forecast: r.forecast ?? null };
}

const mirror = (ctx: ServiceContext, rule: AlertRule | null, id: string) =>
  callLiveHub(ctx.env, ctx.tenantId, (s) => (rule ? s.putAlertRule(ctx.tenantId, rule) : s.removeAlertRule(ctx.tenantId, id)));

/** The scope names something of the tenant, and the condition fits the scope. */
async function checkRule(tx: Tx, tenantId: string, rule: AlertRuleCreate): Promise<void> {
  const problem = ruleProblem(rule);
  if (problem) throw invalid([{ in: 'body', ...problem }]);
  const { kind, id } = rule.scope;
  if (kind !== 'tenant' && id) await assertReferences(tx, tenantId, [{ kind, items: [{ pointer: '/scope/id', id }] }]);
}

/**
 * The normal value of an anomaly rule's measure for each 15-minute slot of the week, from the last weeks of its
 * queue's history (`GET /v1/kpis` by 15 minutes): what the hub compares the last hour with.
 */
async function baselineOf(ctx: ServiceContext, rule: AlertRuleCreate, timeZone: string): Promise<(number | null)[] | null> {
  if (rule.condition.type !== 'anomaly' || !rule.scope.id) return null;
  const end = Math.floor(ctx.now.getTime() / 900_000) * 900_000;
  const from = end - BASELINE_WEEKS * WEEK_MS;
  const siteId = rule.scope.kind === 'site' ? rule.scope.id : null;
  // A site's queues now, their history together (a queue moved to the site brings its past weeks with it).
  const queueIds =
    siteId === null
      ? [rule.scope.id]
      : (
          await tenantTx(ctx, (tx) =>
            tx
              .select({ id: queues.id })
              .from(queues)
              .where(and(eq(queues.tenantId, ctx.tenantId), eq(queues.siteId, siteId), isNull(queues.archivedAt))),
          )
        ).map((q) => q.id);
  if (queueIds.length === 0) return null;
  const report = await queryKpis(ctx, {
    metrics: rule.condition.measure,
    from: new Date(from).toISOString(),
    to: new Date(end).toISOString(),
    interval: '15m',
    groupBy: ['queue'],
    queueIds,
    source: 'rollups',
  } as unknown as Parameters<typeof queryKpis>[1]);
  const byStart = new Map<number, { start: number; numerator: number; denominator: number | null }>();
  for (const r of report.rows) {
    const m = r.metrics[(rule.condition as { measure: string }).measure];
    const start = Date.parse(r.start);
    const sum = byStart.get(start) ?? { start, numerator: 0, denominator: null };
    sum.numerator += m?.numerator ?? 0;
    if (m?.denominator != null) sum.denominator = (sum.denominator ?? 0) + m.denominator;
    byStart.set(start, sum);
  }
  const periods = [...byStart.values()];
  const weekOf = (t: number) => from + Math.floor((t - from) / WEEK_MS) * WEEK_MS;
  return hourlyBaseline(periods, timeZone, weekOf);
}

/**
 * An anomaly rule's forecast (docs/forecasts.md), from the hour before now to as far ahead as a forecast goes (35
 * days from today's start), per 15 minutes with its prediction interval: of the queue's offered volume, or of the
 * wait Erlang C expects of that volume and AHT with the agents the queue's schedules put on it — what the hub
 * judges the last hour against (src/domain/alerts/engine.ts `forecastBand`). Null for rules judged against history,
 * and for a queue with no history.
 */
async function forecastOf(ctx: ServiceContext, rule: AlertRuleCreate, settings: TenantSettings): Promise<AlertForecast | null> {
  const c = rule.condition;
  if (c.type !== 'anomaly' || !rule.scope.id || !judgedByForecast(c, rule.scope.kind)) return null;
  const queueId = rule.scope.id;
  const from = Math.floor(ctx.now.getTime() / INTERVAL_MS) * INTERVAL_MS - 3_600_000;
  const to = startOfLocalDay(from, settings.timeZone).start + MAX_FORECAST_DAYS * DAY_MS;
  return tenantTx(ctx, async (tx) => {
    const f = await loadQueueForecast(tx, ctx, settings, { queueId, from, to });
    if (f.training.from === null) return null;
    if (!MEAN_MEASURES.includes(c.measure)) {
      return { from: f.from, bands: f.intervals.map((i) => [round2(i.lower), round2(i.offered), round2(i.upper)]) };
    }
    const shifts = await scheduledShifts(tx, ctx.tenantId, queueId, f.from, f.to);
    return {
      from: f.from,
      bands: f.intervals.map((i) => {
        const agents = Math.floor(onQueueAgents(shifts, i.start, i.start + INTERVAL_MS) + 1e-9);
        return expectedWaitBand({ lower: i.lower, point: i.offered, upper: i.upper }, i.ahtSeconds, agents, INTERVAL_MS / 1000);
      }),
      weights: f.intervals.map((i) => round2(i.offered)),
    };
  });
}

/** The shifts of the agents who serve a queue that overlap [from, to). */
async function scheduledShifts(tx: Tx, tenantId: string, queueId: string, from: number, to: number): Promise<PlanShift[]> {
  const serving = (
    await tx
      .select({ agentId: agentQueues.agentId })
      .from(agentQueues)
      .where(and(eq(agentQueues.tenantId, tenantId), eq(agentQueues.queueId, queueId)))
  ).map((r) => r.agentId);
  if (serving.length === 0) return [];
  const rows = await tx
    .select({ startsAt: shifts.startsAt, endsAt: shifts.endsAt, activities: shifts.activities })
    .from(shifts)
    .where(
      and(
        eq(shifts.tenantId, tenantId),
        inArray(shifts.agentId, serving),
        lt(shifts.startsAt, new Date(to)),
        gt(shifts.endsAt, new Date(from)),
      ),
    );
  return rows.map((s) => ({ start: s.startsAt.getTime(), end: s.endsAt.getTime(), activities: s.activities }));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export async function createAlertRule(ctx: ServiceContext, input: AlertRuleCreate): Promise<AlertRuleOut> {
  const id = newId('alertRule', ctx.now.getTime());
  const settings = (await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId))).settings;
  const timeZone = settings.timeZone;
  const baseline = await baselineOf(ctx, input, timeZone);
  const forecast = await forecastOf(ctx, input, settings);
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      await checkRule(tx, ctx.tenantId, input);
      const count = await tx.$count(alertRules, and(eq(alertRules.tenantId, ctx.tenantId), isNull(alertRules.archivedAt)));
      if (count >= MAX_ALERT_RULES) {
        throw new AppError('conflict', 'TOO_MANY_ALERT_RULES', `A tenant has at most ${MAX_ALERT_RULES} alert rules.`);
      }
      const [created] = await tx
        .insert(alertRules)
        .values({
          tenantId: ctx.tenantId,
          id,
          ...input,
          baseline,
          baselineComputedAt: baseline ? ctx.now : null,
          forecast,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      if (!created) throw new Error('alert rule insert returned nothing');
      return created;
    },
    durable: (r) => mirror(ctx, hubRule(r, timeZone), id),
    undo: () => mirror(ctx, null, id),
  });
  return presentRule(row);
}

export async function listAlertRules(ctx: ServiceContext, page: PageRequest): Promise<Page<AlertRuleOut>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(alertRules)
      .where(
        and(
          eq(alertRules.tenantId, ctx.tenantId),
          isNull(alertRules.archivedAt),
          page.afterId ? gt(alertRules.id, page.afterId) : undefined,
        ),
      )
      .orderBy(asc(alertRules.id))
      .limit(page.limit + 1),
  );
  return pageFrom(rows.map(presentRule), page.limit);
}

async function loadRule(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.tenantId, tenantId), eq(alertRules.id, id), isNull(alertRules.archivedAt)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('alert rule', id);
  return row;
}

export async function getAlertRule(ctx: ServiceContext, id: string): Promise<AlertRuleOut> {
  return presentRule(await tenantTx(ctx, (tx) => loadRule(tx, ctx.tenantId, id)));
}

/**
 * Changes a rule (fields given replace the rule's; `condition` and `scope` as a whole). An anomaly rule's normal
 * values are computed again when its condition or scope change, and on `refreshBaseline`.
 */
export async function updateAlertRule(
  ctx: ServiceContext,
  id: string,
  patch: Partial<AlertRuleCreate>,
  opts: { refreshBaseline?: boolean } = {},
): Promise<AlertRuleOut> {
  const { current, settings } = await tenantTx(ctx, async (tx) => ({
    current: await loadRule(tx, ctx.tenantId, id),
    settings: (await loadTenantRow(tx, ctx.tenantId)).settings,
  }));
  const timeZone = settings.timeZone;
  const { name, enabled, severity, scope, condition, forSeconds, cooldownSeconds } = presentRule(current);
  const next = AlertRuleCreateSchema.parse({ name, enabled, severity, scope, condition, forSeconds, cooldownSeconds, ...patch });
  const rebase = opts.refreshBaseline || patch.condition !== undefined || patch.scope !== undefined;
  const baseline = rebase ? await baselineOf(ctx, next, timeZone) : current.baseline;
  const forecast = rebase ? await forecastOf(ctx, next, settings) : current.forecast;
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      await loadRule(tx, ctx.tenantId, id, true);
      await checkRule(tx, ctx.tenantId, next);
      const [updated] = await tx
        .update(alertRules)
        .set({
          ...next,
          baseline,
          baselineComputedAt: rebase ? (baseline ? ctx.now : null) : current.baselineComputedAt,
          forecast,
          updatedAt: ctx.now,
        })
        .where(and(eq(alertRules.tenantId, ctx.tenantId), eq(alertRules.id, id)))
        .returning();
      if (!updated) throw notFound('alert rule', id);
      return updated;
    },
    durable: (r) => mirror(ctx, hubRule(r, timeZone), id),
    undo: () => mirror(ctx, hubRule(current, timeZone), id),
  });
  return presentRule(row);
}

/** Removes a rule: its open alerts resolve. */
export async function deleteAlertRule(ctx: ServiceContext, id: string): Promise<{ id: string; outcome: 'archived' }> {
  const timeZone = (await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId))).settings.timeZone;
  await writeThrough(ctx, {
    postgres: async (tx) => {
      const row = await loadRule(tx, ctx.tenantId, id, true);
      await tx
        .update(alertRules)
        .set({ archivedAt: ctx.now, updatedAt: ctx.now })
        .where(and(eq(alertRules.tenantId, ctx.tenantId), eq(alertRules.id, id)));
      return row;
    },
    durable: () => mirror(ctx, null, id),
    undo: (row) => mirror(ctx, hubRule(row, timeZone), id),
  });
  return { id, outcome: 'archived' };
}

/** Every live rule of the tenant, as the hub evaluates them (for a resync). */
export async function hubRules(tx: Tx, tenantId: string, timeZone: string): Promise<AlertRule[]> {
  const rows = await tx
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.tenantId, tenantId), isNull(alertRules.archivedAt)));
  return rows.map((r) => hubRule(r, timeZone));
}
