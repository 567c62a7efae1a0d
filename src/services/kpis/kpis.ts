import { and, eq, inArray } from 'drizzle-orm';
import { type KpiCatalog, type KpiQuery, type KpiResponse, MAX_KPI_ROWS, MAX_RANGE_DAYS } from '../../contracts/kpis';
import { queues } from '../../db/schema';
import { type Membership, membershipAt } from '../../domain/agents/memberships';
import { AppError, type FieldIssue, invalid } from '../../domain/errors';
import {
  type CallsMetricId,
  type FactMetricId,
  isMetricId,
  isPersonMetric,
  METRICS,
  metricDefinition,
  type PersonMetricId,
} from '../../domain/kpi/catalog';
import { factBranchesFor, type KpiPolicy, waitProbeFor } from '../../domain/kpi/compute';
import { judgeRepeatCaller } from '../../domain/kpi/repeat-caller';
import { buildReport, GROUP_DIMENSIONS, type GroupDimension, groupingProblem } from '../../domain/kpi/report';
import { effectiveServiceLevel } from '../../domain/settings';
import { BUCKET_MS, bucket15Of, countPeriods, periods } from '../../domain/time/intervals';
import { type ServiceContext, tenantTx } from '../context';
import { loadTenantRow } from '../tenants/get-tenant';
import { loadCells } from './cell-source';
import { loadContributions } from './people-source';
import { withOverrides } from './policy';
import { loadMemberships, loadOutboundAttempts, loadRepeatCallerCalls, maxRangeRecords } from './records';
import { withTargets } from './targets';

const DAY_MS = 86_400_000;
const query = (pointer: string, detail: string): FieldIssue => ({ pointer, in: 'query', detail });

/** `GET /v1/kpis/catalog`: every metric's definition, as `src/domain/kpi/catalog.ts` states it. */
export function kpiCatalog(): KpiCatalog {
  return {
    metrics: METRICS.map((m) => ({
      id: m.id,
      label: m.label,
      unit: m.unit,
      kind: m.kind,
      scope: m.scope,
      definition: m.definition,
      numerator: m.numerator,
      denominator: m.denominator,
      policy: [...m.policy],
      higherIsBetter: m.higherIsBetter,
      source: m.source,
      available: true,
    })),
  };
}

/** What a request asks for, checked: 422 with a pointer for each problem, before anything is read. */
function parseRequest(q: KpiQuery) {
  const issues: FieldIssue[] = [];
  const metrics: (FactMetricId | CallsMetricId | PersonMetricId)[] = [];
  for (const id of q.metrics
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isMetricId(id))
      issues.push(query('/metrics', `Unknown metric '${String(id).slice(0, 64)}' (see GET /v1/kpis/catalog).`));
    else if (!metrics.includes(id)) metrics.push(id);
  }
  const groupBy: GroupDimension[] = [];
  for (const d of q.groupBy ?? []) {
    if (!(GROUP_DIMENSIONS as readonly string[]).includes(d)) {
      issues.push(query('/groupBy', `Unknown dimension '${d}': one of ${GROUP_DIMENSIONS.join(', ')}.`));
    } else if (!groupBy.includes(d as GroupDimension)) groupBy.push(d as GroupDimension);
  }
  for (const id of metrics) {
    const def = metricDefinition(id);
    const problem = groupingProblem(def, groupBy);
    if (problem) issues.push(query('/groupBy', problem));
    if (def.scope === 'agent' && q.queueIds?.length) {
      issues.push(query('/queueIds', `${id} is agent time, which is not split by queue: filter it by agent, team or site.`));
    }
    if (def.scope === 'tenant' && (q.queueIds?.length || q.agentIds?.length || q.teamIds?.length || q.siteIds?.length)) {
      issues.push(
        query('/metrics', `${id} happens before a call reaches a queue or an agent: it takes no queue or agent filter.`),
      );
    }
  }
  // The range, rounded outward to 15-minute buckets (the grain history is kept in).
  const from = Math.floor(Date.parse(q.from) / BUCKET_MS) * BUCKET_MS;
  const to = Math.ceil(Date.parse(q.to) / BUCKET_MS) * BUCKET_MS;
  if (to <= from) issues.push(query('/to', '`to` must be after `from`.'));
  else if (to - from > MAX_RANGE_DAYS * DAY_MS) issues.push(query('/to', `A range spans at most ${MAX_RANGE_DAYS} days.`));
  if (issues.length > 0) throw invalid(issues);
  return { metrics, groupBy, from, to };
}

/**
 * `GET /v1/kpis`: metrics per period and group, each with its numerator and denominator. Computed from the
 * history records of the range under the policy of the tenant, of each queue (rows grouped by queue), or the
 * request's overrides — so a policy change applies to all history at once.
 */
export async function queryKpis(ctx: ServiceContext, q: KpiQuery): Promise<KpiResponse> {
  const { metrics, groupBy, from, to } = parseRequest(q);
  const now = ctx.now.getTime();
  return tenantTx(ctx, async (tx) => {
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    const timeZone = q.timeZone ?? tenant.settings.timeZone;
    const interval = q.interval;
    const periodCount = countPeriods(from, to, interval, timeZone);
    if (periodCount > MAX_KPI_ROWS) throw tooLarge(periodCount);

    const overrides = new Map<string, KpiPolicy>();
    if (groupBy.includes('queue')) {
      const rows = await tx
        .select({ id: queues.id, serviceLevel: queues.serviceLevel })
        .from(queues)
        .where(and(eq(queues.tenantId, ctx.tenantId), q.queueIds?.length ? inArray(queues.id, q.queueIds) : undefined));
      for (const r of rows)
        overrides.set(
          r.id,
          withOverrides(
            effectiveServiceLevel(tenant.settings.serviceLevel, r.serviceLevel),
            q,
            tenant.settings.complaintCategories,
            tenant.settings.rightPartyCategories,
          ),
        );
    }
    const tenantPolicy = withOverrides(
      tenant.settings.serviceLevel,
      q,
      tenant.settings.complaintCategories,
      tenant.settings.rightPartyCategories,
    );
    // Teams and sites over time, only when the request involves them.
    const involvesTeams = groupBy.includes('team') || groupBy.includes('site') || !!q.teamIds?.length || !!q.siteIds?.length;
    const memberships = involvesTeams ? await loadMemberships(tx, ctx.tenantId) : new Map<string, Membership[]>();
    const teams = q.teamIds?.length ? new Set(q.teamIds) : null;
    const sites = q.siteIds?.length ? new Set(q.siteIds) : null;
    const agents = q.agentIds?.length ? new Set(q.agentIds) : null;
    // Filters on people keep only their cells (a person's queue metrics are the calls they answered).
    const byPeople = teams !== null || sites !== null || agents !== null;
    const perPerson = byPeople || groupBy.some((d) => d === 'agent' || d === 'team' || d === 'site');
    // Call history is read for the metrics computed from it; people records for the person metrics.
    const callMetrics = metrics.filter((id): id is FactMetricId | CallsMetricId => !isPersonMetric(id));
    const personMetrics = metrics.filter(isPersonMetric);
    const scopes = new Set(callMetrics.map((id) => metricDefinition(id).scope));
    const loaded = await loadCells(tx, ctx.tenantId, q.source, {
      waits: waitProbeFor(callMetrics, [tenantPolicy, ...overrides.values()]),
      branches: factBranchesFor(callMetrics),
      maxRecords: maxRangeRecords(ctx.env),
      kinds: {
        queue: scopes.has('queue') && !perPerson,
        queueAgent: scopes.has('queue') && perPerson,
        agent: scopes.has('agent'),
        tenant: scopes.has('tenant'),
      },
      from,
      to,
      queueIds: q.queueIds,
      agentIds: q.agentIds,
      direction: q.direction,
      byDirection: groupBy.includes('direction'),
      now,
      dayZone: ['day', 'week', 'month', 'total'].includes(interval) ? timeZone : undefined,
      splitsDay: involvesTeams
        ? (agentId, start, end) => (memberships.get(agentId) ?? []).some((m) => m.from > start && m.from < end)
        : undefined,
    });

    const membershipOf = (agentId: string, at: number) => {
      const m = membershipAt(memberships.get(agentId) ?? [], at);
      return { teamId: m?.teamId ?? null, siteId: m?.siteId ?? null };
    };
    const admits = (c: { agentId: string | null; bucketStart: number }) => {
      if (!byPeople) return true;
      if (c.agentId === null) return false;
      if (agents && !agents.has(c.agentId)) return false;
      const m = membershipOf(c.agentId, c.bucketStart);
      return (!teams || (m.teamId !== null && teams.has(m.teamId))) && (!sites || (m.siteId !== null && sites.has(m.siteId)));
    };
    const cells = loaded.filter(admits);
    // Repeat-caller FCR is judged per call now, under the window of the request or the tenant.
    const windowMs = (q.fcrWindowHours ?? tenant.settings.fcrWindowHours) * 3_600_000;
    const repeatCallers = !metrics.includes('fcrRepeatCaller')
      ? []
      : (
          await loadRepeatCallerCalls(tx, ctx.tenantId, from, to, {
            queueIds: q.queueIds,
            direction: q.direction,
            budget: { max: maxRangeRecords(ctx.env), tooMany: tooManyCalls },
          })
        )
          .map((c) => ({
            bucketStart: bucket15Of(c.connectedAt),
            queueId: c.queueId,
            agentId: c.agentId,
            direction: c.direction,
            verdict: judgeRepeatCaller(c, windowMs, now),
          }))
          .filter(admits);

    // Attempts per number: the outbound attempts of the range and the numbers they dialled, counted per period.
    const attempts =
      !metrics.includes('attemptsPerNumber') || q.direction === 'inbound'
        ? []
        : await loadOutboundAttempts(tx, ctx.tenantId, from, to, {
            budget: { max: maxRangeRecords(ctx.env), tooMany: tooManyAttempts },
          });

    const reportPeriods = periods(from, to, interval, timeZone);
    const contributions = personMetrics.length
      ? (
          await loadContributions(tx, ctx.tenantId, {
            metrics: personMetrics,
            from,
            to,
            periods: reportPeriods,
            timeZone,
            settings: tenant.settings,
            agentIds: q.agentIds,
            now,
            maxRecords: maxRangeRecords(ctx.env),
          })
        ).filter((c) => admits({ agentId: c.agentId, bucketStart: c.at }))
      : [];

    const rows = buildReport(cells, {
      metrics,
      contributions,
      periods: reportPeriods,
      groupBy,
      byPerson: byPeople,
      repeatCallers,
      attempts,
      policyFor: (queueId) => (queueId !== null ? (overrides.get(queueId) ?? tenantPolicy) : tenantPolicy),
      membershipOf,
      now,
    });
    if (rows.length > MAX_KPI_ROWS) throw tooLarge(rows.length);
    const dated = rows.map((r) => ({ ...r, start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() }));
    // Agents' teams over time for the targets' cascade (loaded already when the request involved teams).
    const periodsOf = !q.targets || involvesTeams ? memberships : await loadMemberships(tx, ctx.tenantId);
    const teamOf = (agentId: string, at: number) => membershipAt(periodsOf.get(agentId) ?? [], at)?.teamId ?? null;
    return {
      timeZone,
      interval,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      groupBy,
      rows: q.targets ? await withTargets(tx, ctx.tenantId, dated, { metrics, from, to, timeZone, teamOf }) : dated,
    };
  });
}

const tooManyAttempts = (max: number) =>
  new AppError(
    'invalid',
    'TOO_MANY_RECORDS',
    `attemptsPerNumber counts the distinct numbers of the range's outbound attempts, and this one holds more than ${max}: use a shorter range.`,
  );

const tooManyCalls = (max: number) =>
  new AppError(
    'invalid',
    'TOO_MANY_RECORDS',
    `fcrRepeatCaller judges each handled call of the range, and this one holds more than ${max} agent segments: use a shorter range, or filter by queue.`,
  );

const tooLarge = (rows: number) =>
  new AppError(
    'invalid',
    'RESULT_TOO_LARGE',
    `The answer would hold ${rows} rows; at most ${MAX_KPI_ROWS} are returned. Use a larger interval, a shorter range or fewer groups.`,
  );
