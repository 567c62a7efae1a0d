import { and, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { AppraisalOut, AppraisalRun } from '../../contracts/appraisal';
import type { Tx } from '../../db/client';
import { agents, appraisalRules, appraisals, qaEvaluations } from '../../db/schema';
import { membershipAt } from '../../domain/agents/memberships';
import type { ApiKeyLimit } from '../../domain/api-keys';
import type { AppraisalRuleBody } from '../../domain/appraisal/rules';
import { type AgentPeriod, type AgentResult, scoreAppraisal } from '../../domain/appraisal/score';
import { AppError, invalid, notFound } from '../../domain/errors';
import { seesResult } from '../../domain/key-limits';
import { startOfDate } from '../../domain/time/zones';
import { newId } from '../../lib/ids';
import { type Actor, audit } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import { queryKpis } from '../kpis/kpis';
import { loadMemberships } from '../kpis/records';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { loadTenantRow } from '../tenants/get-tenant';
import { versionInEffect } from './rules';

type Row = typeof appraisals.$inferSelect;
const RESOURCE = 'appraisal';
/** QA evaluations that count for the agent: review ones, submitted (a disputed one stands until resolved). */
const COUNTED_QA = ['submitted', 'acknowledged', 'disputed', 'resolved'];

/** A month (`2026-03`) or a quarter (`2026-Q1`) as days `[from, to)`. */
export function periodDays(period: string): { from: string; to: string } {
  const [y, p] = period.split('-') as [string, string];
  const year = Number(y);
  const startMonth = p.startsWith('Q') ? (Number(p.slice(1)) - 1) * 3 + 1 : Number(p);
  const months = p.startsWith('Q') ? 3 : 1;
  const day = (yy: number, mm: number) =>
    `${String(yy + Math.floor((mm - 1) / 12)).padStart(4, '0')}-${String(((mm - 1) % 12) + 1).padStart(2, '0')}-01`;
  return { from: day(year, startMonth), to: day(year, startMonth + months) };
}

function present(r: Row): AppraisalOut {
  return {
    id: r.id,
    ruleId: r.ruleId,
    ruleVersion: r.ruleVersion,
    period: r.period,
    from: r.periodStart,
    to: r.periodEnd,
    status: r.status as AppraisalOut['status'],
    computedAt: r.computedAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
    results: r.results,
  };
}

/** Best first: by total (withheld last), then by agent id. */
const byTotal = (a: AgentResult, b: AgentResult) =>
  (b.total ?? Number.NEGATIVE_INFINITY) - (a.total ?? Number.NEGATIVE_INFINITY) || (a.agentId < b.agentId ? -1 : 1);

/**
 * Runs a rule for a period: the version in effect on its first day, every live agent it covers (the rule's team on
 * that day, or all), each one's value of every metric the rule names (`GET /v1/kpis` by agent over the period) and
 * its QA evaluations with a failed critical item. An open appraisal of the same rule and period is computed again;
 * a closed one is answered as it was frozen.
 */
export async function runAppraisal(
  ctx: ServiceContext,
  actor: Actor,
  input: AppraisalRun,
): Promise<{ appraisal: AppraisalOut; computed: boolean }> {
  const days = periodDays(input.period);
  const prepared = await tenantTx(ctx, async (tx) => {
    const [rule] = await tx
      .select()
      .from(appraisalRules)
      .where(
        and(eq(appraisalRules.tenantId, ctx.tenantId), eq(appraisalRules.id, input.ruleId), isNull(appraisalRules.archivedAt)),
      );
    if (!rule) throw invalid([{ in: 'body', pointer: '/ruleId', detail: `No appraisal rule '${input.ruleId}' in this tenant.` }]);
    const existing = await byRulePeriod(tx, ctx.tenantId, rule.id, input.period);
    if (existing?.status === 'closed') return { kind: 'frozen', row: existing } as const;
    const version = await versionInEffect(tx, ctx.tenantId, rule.id, days.from);
    if (!version) {
      throw invalid([
        { in: 'body', pointer: '/period', detail: `The rule has no version in effect on ${days.from}, the period's first day.` },
      ]);
    }
    const timeZone = (await loadTenantRow(tx, ctx.tenantId)).settings.timeZone;
    const from = startOfDate(days.from, timeZone);
    const to = startOfDate(days.to, timeZone);
    const memberships = await loadMemberships(tx, ctx.tenantId);
    const live = await tx
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.tenantId, ctx.tenantId), isNull(agents.archivedAt)));
    const covered = live
      .map((a) => ({ agentId: a.id, teamId: membershipAt(memberships.get(a.id) ?? [], from)?.teamId ?? null }))
      .filter((a) => rule.teamId === null || a.teamId === rule.teamId);
    const fails = covered.length
      ? await tx
          .select({ agentId: qaEvaluations.agentId, n: sql<number>`count(*)::int` })
          .from(qaEvaluations)
          .where(
            and(
              eq(qaEvaluations.tenantId, ctx.tenantId),
              eq(qaEvaluations.purpose, 'review'),
              inArray(qaEvaluations.status, COUNTED_QA),
              inArray(
                qaEvaluations.agentId,
                covered.map((a) => a.agentId),
              ),
              gte(qaEvaluations.submittedAt, new Date(from)),
              lt(qaEvaluations.submittedAt, new Date(to)),
              sql`jsonb_array_length(${qaEvaluations.criticalFailed}) > 0`,
            ),
          )
          .groupBy(qaEvaluations.agentId)
      : [];
    const body: AppraisalRuleBody = { name: rule.name, ...version.body };
    return { kind: 'run', existing, version, body, covered, fails, from, to } as const;
  });
  if (prepared.kind === 'frozen') return { appraisal: present(prepared.row), computed: false };

  const { existing, version, body, covered, fails, from, to } = prepared;
  const metrics = [...new Set(body.categories.flatMap((c) => c.metrics.map((m) => m.metric)))];
  const report = covered.length
    ? await queryKpis(ctx, {
        metrics: metrics.join(','),
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        interval: 'total',
        groupBy: ['agent'],
        agentIds: covered.map((a) => a.agentId),
        source: 'rollups',
      } as unknown as Parameters<typeof queryKpis>[1])
    : { rows: [] };
  const samples = new Map(report.rows.map((r) => [r.group.agentId, r.metrics]));
  const failsOf = new Map(fails.map((f) => [f.agentId, f.n]));
  const inputs: AgentPeriod[] = covered.map((a) => ({
    agentId: a.agentId,
    teamId: a.teamId,
    metrics: Object.fromEntries(
      metrics.map((m) => {
        const s = samples.get(a.agentId)?.[m];
        return [
          m,
          s
            ? { value: s.value, numerator: s.numerator, denominator: s.denominator }
            : { value: null, numerator: 0, denominator: 0 },
        ];
      }),
    ),
    criticalQaFails: failsOf.get(a.agentId) ?? 0,
  }));
  const results = scoreAppraisal(body, inputs).sort(byTotal);

  return tenantTx(ctx, async (tx) => {
    // Closed meanwhile by another request: what it froze stands.
    const current = await byRulePeriod(tx, ctx.tenantId, input.ruleId, input.period, true);
    if (current?.status === 'closed') return { appraisal: present(current), computed: false };
    const values = { ruleVersion: version.version, inputs, results, computedAt: ctx.now };
    const [row] = current
      ? await tx
          .update(appraisals)
          .set(values)
          .where(and(eq(appraisals.tenantId, ctx.tenantId), eq(appraisals.id, current.id)))
          .returning()
      : await tx
          .insert(appraisals)
          .values({
            tenantId: ctx.tenantId,
            id: existing?.id ?? newId('appraisal', ctx.now.getTime()),
            ruleId: input.ruleId,
            period: input.period,
            periodStart: days.from,
            periodEnd: days.to,
            status: 'open',
            createdAt: ctx.now,
            ...values,
          })
          .returning();
    if (!row) throw new Error('appraisal write returned nothing');
    await audit(tx, ctx, actor, {
      action: 'appraisal.computed',
      resourceType: RESOURCE,
      resourceId: row.id,
      details: { ruleId: input.ruleId, ruleVersion: version.version, period: input.period, agents: results.length },
    });
    return { appraisal: present(row), computed: true };
  });
}

async function byRulePeriod(
  tx: Tx,
  tenantId: string,
  ruleId: string,
  period: string,
  forUpdate = false,
): Promise<Row | undefined> {
  const q = tx
    .select()
    .from(appraisals)
    .where(and(eq(appraisals.tenantId, tenantId), eq(appraisals.ruleId, ruleId), eq(appraisals.period, period)));
  const [row] = await (forUpdate ? q.for('update') : q);
  return row;
}

async function load(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(appraisals)
    .where(and(eq(appraisals.tenantId, tenantId), eq(appraisals.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('appraisal', id);
  return row;
}

/** Freezes an appraisal: running it again answers these results, whatever comes later. */
export async function closeAppraisal(ctx: ServiceContext, actor: Actor, id: string): Promise<AppraisalOut> {
  return setStatus(ctx, actor, id, 'closed', null);
}

/** Opens a closed appraisal again, for a reason kept in the audit log; the next run recomputes it. */
export async function reopenAppraisal(ctx: ServiceContext, actor: Actor, id: string, reason: string): Promise<AppraisalOut> {
  return setStatus(ctx, actor, id, 'open', reason);
}

async function setStatus(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  status: 'open' | 'closed',
  reason: string | null,
): Promise<AppraisalOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status === status) {
      if (status === 'closed') return present(r);
      throw new AppError('conflict', 'APPRAISAL_OPEN', 'The appraisal is open already.');
    }
    const [row] = await tx
      .update(appraisals)
      .set({ status, closedAt: status === 'closed' ? ctx.now : null })
      .where(and(eq(appraisals.tenantId, ctx.tenantId), eq(appraisals.id, id)))
      .returning();
    if (!row) throw notFound('appraisal', id);
    await audit(tx, ctx, actor, {
      action: status === 'closed' ? 'appraisal.closed' : 'appraisal.reopened',
      resourceType: RESOURCE,
      resourceId: id,
      details: reason ? { reason } : {},
    });
    return present(row);
  });
}

/** An appraisal; for a key limited to a team or an agent (docs/roles.md), with only the results it sees. */
export async function getAppraisal(ctx: ServiceContext, id: string, keyLimit: ApiKeyLimit | null = null): Promise<AppraisalOut> {
  const appraisal = present(await tenantTx(ctx, (tx) => load(tx, ctx.tenantId, id)));
  if (!keyLimit) return appraisal;
  return { ...appraisal, results: appraisal.results.filter((r) => seesResult(keyLimit, r)) };
}

/** Newest first, without their results (`GET /v1/appraisals/{id}` has them); `agents` counts those the key sees. */
export async function listAppraisals(
  ctx: ServiceContext,
  q: { ruleId?: string; period?: string },
  page: PageRequest,
  keyLimit: ApiKeyLimit | null = null,
): Promise<Page<Omit<AppraisalOut, 'results'> & { agents: number }>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(appraisals)
      .where(
        and(
          eq(appraisals.tenantId, ctx.tenantId),
          q.ruleId ? eq(appraisals.ruleId, q.ruleId) : undefined,
          q.period ? eq(appraisals.period, q.period) : undefined,
          page.afterId ? lt(appraisals.id, page.afterId) : undefined,
        ),
      )
      .orderBy(desc(appraisals.id))
      .limit(page.limit + 1),
  );
  return pageFrom(
    rows.map((r) => {
      const { results, ...rest } = present(r);
      return { ...rest, agents: keyLimit ? results.filter((r) => seesResult(keyLimit, r)).length : results.length };
    }),
    page.limit,
  );
}
