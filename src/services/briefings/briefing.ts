import { and, asc, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import { BRIEFING_DEFAULT_METRICS, type Briefing } from '../../contracts/briefings';
import { agents, qaEvaluations, shifts, teams } from '../../db/schema';
import { formatValue } from '../../domain/appraisal/score';
import { invalid, notFound } from '../../domain/errors';
import { isMetricId, metricDefinition } from '../../domain/kpi/catalog';
import { localParts, startOfDate, startOfLocalDay } from '../../domain/time/zones';
import { listAlerts } from '../alerts/alerts';
import { type ServiceContext, tenantTx } from '../context';
import { queryKpis } from '../kpis/kpis';
import { loadTenantRow } from '../tenants/get-tenant';

const EXPECTED_WEEKS = 4;

const addDays = (date: string, n: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/**
 * What a team lead needs before a shift (班前会): the day before's team and agent KPIs against their targets, the best
 * and the lagging, open alerts and disputed QA evaluations, today's shifts of the team, and how many calls this
 * weekday usually brings.
 */
export async function teamBriefing(
  ctx: ServiceContext,
  teamId: string,
  q: { date?: string; metrics?: string },
): Promise<Briefing> {
  const metrics = q.metrics ? q.metrics.split(',').map((m) => m.trim()) : [...BRIEFING_DEFAULT_METRICS];
  const unknown = metrics.filter((m) => !isMetricId(m));
  if (unknown.length > 0)
    throw invalid([{ in: 'query', pointer: '/metrics', detail: `Not in the catalog: ${unknown.join(', ')}.` }]);
  const { team, timeZone } = await tenantTx(ctx, async (tx) => {
    const [row] = await tx
      .select({ id: teams.id, name: teams.name })
      .from(teams)
      .where(and(eq(teams.tenantId, ctx.tenantId), eq(teams.id, teamId), isNull(teams.archivedAt)));
    if (!row) throw notFound('team', teamId);
    return { team: row, timeZone: (await loadTenantRow(tx, ctx.tenantId)).settings.timeZone };
  });
  const date = q.date ?? startOfLocalDay(ctx.now.getTime(), timeZone).date;
  const day = addDays(date, -1);
  const from = new Date(startOfDate(day, timeZone)).toISOString();
  const to = new Date(startOfDate(date, timeZone)).toISOString();
  const kpis = (groupBy: string[]) =>
    queryKpis(ctx, {
      metrics: metrics.join(','),
      from,
      to,
      interval: 'total',
      groupBy,
      teamIds: [teamId],
      targets: true,
      source: 'rollups',
    } as unknown as Parameters<typeof queryKpis>[1]);
  const [teamReport, agentReport, history, alerts] = await Promise.all([
    kpis(['team']),
    kpis(['agent']),
    queryKpis(ctx, {
      metrics: 'handled',
      from: new Date(startOfDate(addDays(date, -7 * EXPECTED_WEEKS), timeZone)).toISOString(),
      to,
      interval: 'day',
      teamIds: [teamId],
      source: 'rollups',
    } as unknown as Parameters<typeof queryKpis>[1]),
    listAlerts(ctx, { status: 'open', limit: 200 }),
  ]);
  const agentIds = agentReport.rows.map((r) => r.group.agentId).filter((id): id is string => !!id);
  const today = { from: startOfDate(date, timeZone), to: startOfDate(addDays(date, 1), timeZone) };
  const { names, disputes, schedule } = await tenantTx(ctx, async (tx) => {
    const members = await tx
      .select({ id: agents.id, name: agents.name, teamId: agents.teamId })
      .from(agents)
      .where(eq(agents.tenantId, ctx.tenantId));
    const inTeam = new Set([...agentIds, ...members.filter((m) => m.teamId === teamId).map((m) => m.id)]);
    const disputed = inTeam.size
      ? await tx
          .select()
          .from(qaEvaluations)
          .where(
            and(
              eq(qaEvaluations.tenantId, ctx.tenantId),
              eq(qaEvaluations.status, 'disputed'),
              inArray(qaEvaluations.agentId, [...inTeam]),
            ),
          )
      : [];
    // Today's shifts of the team's agents (members now, and those who worked the day before).
    const planned = inTeam.size
      ? await tx
          .select()
          .from(shifts)
          .where(
            and(
              eq(shifts.tenantId, ctx.tenantId),
              inArray(shifts.agentId, [...inTeam]),
              gte(shifts.startsAt, new Date(today.from)),
              lt(shifts.startsAt, new Date(today.to)),
            ),
          )
          .orderBy(asc(shifts.startsAt), asc(shifts.agentId))
      : [];
    return { names: new Map(members.map((m) => [m.id, m.name])), disputes: disputed, schedule: planned };
  });
  const nameOf = (id: string) => names.get(id) ?? id;
  const people = agentReport.rows
    .filter((r) => r.group.agentId)
    .map((r) => ({ agentId: r.group.agentId as string, name: nameOf(r.group.agentId as string), metrics: r.metrics }));

  const highlights = metrics
    .filter((m) => metricDefinition(m as Parameters<typeof metricDefinition>[0]).higherIsBetter !== null)
    .map((metric) => {
      const higher = metricDefinition(metric as Parameters<typeof metricDefinition>[0]).higherIsBetter as boolean;
      const valued = people.flatMap((p) => {
        const v = p.metrics[metric];
        return v && v.value !== null ? [{ p, v }] : [];
      });
      valued.sort((a, b) =>
        higher ? (b.v.value as number) - (a.v.value as number) : (a.v.value as number) - (b.v.value as number),
      );
      // Nobody is best at a higher-is-better number everyone has at 0 (calls handled on a day without calls).
      const top = valued[0] && !(higher && valued[0].v.value === 0) ? valued[0] : undefined;
      const lagging = valued
        .filter(
          ({ v }) => v.met === false && v.target !== null && v.target !== undefined && v.gap !== null && v.gap !== undefined,
        )
        .map(({ p, v }) => ({
          agentId: p.agentId,
          name: p.name,
          value: v.value as number,
          target: v.target as number,
          gap: v.gap as number,
        }))
        .sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap));
      return { metric, best: top ? { agentId: top.p.agentId, name: top.p.name, value: top.v.value as number } : null, lagging };
    });

  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  const sameDays = history.rows
    .filter((r) => new Date(`${startOfLocalDay(Date.parse(r.start), timeZone).date}T12:00:00Z`).getUTCDay() === weekday)
    .map((r) => r.metrics.handled?.value ?? null)
    .filter((v): v is number => v !== null && v > 0);
  const teamAgents = new Set(people.map((p) => p.agentId));
  return {
    teamId,
    teamName: team.name,
    timeZone,
    date,
    day,
    team: teamReport.rows[0]?.metrics ?? {},
    agents: people,
    highlights,
    openAlerts: alerts.data.filter(
      (a) =>
        a.scope.kind === 'tenant' ||
        (a.scope.kind === 'team' && a.scope.id === teamId) ||
        (a.agentId !== null && teamAgents.has(a.agentId)),
    ),
    disputes: disputes.map((d) => ({
      evaluationId: d.id,
      agentId: d.agentId,
      name: nameOf(d.agentId),
      score: d.score,
      comment: d.dispute?.comment ?? '',
    })),
    schedule: schedule.map((r) => ({
      shiftId: r.id,
      agentId: r.agentId,
      name: nameOf(r.agentId),
      start: r.startsAt.toISOString(),
      end: r.endsAt.toISOString(),
      activities: r.activities.map((a) => ({
        type: a.type,
        start: new Date(a.start).toISOString(),
        end: new Date(a.end).toISOString(),
      })),
    })),
    expected: {
      handled: sameDays.length ? Math.round(sameDays.reduce((a, b) => a + b, 0) / sameDays.length) : null,
      weeks: sameDays.length,
    },
  };
}

/** HH:MM of an instant in the tenant's zone. */
function clock(iso: string, timeZone: string): string {
  const p = localParts(Date.parse(iso), timeZone);
  return `${String(p.hour % 24).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** The briefing as a short text a team lead reads out (times in the tenant's zone). */
export function briefingMarkdown(b: Briefing): string {
  const fmt = (metric: string, value: number | null | undefined) =>
    value === null || value === undefined
      ? '—'
      : formatValue(value, metricDefinition(metric as Parameters<typeof metricDefinition>[0]).unit);
  const label = (metric: string) => metricDefinition(metric as Parameters<typeof metricDefinition>[0]).label;
  const lines = [`# ${b.teamName} — briefing for ${b.date}`, '', `## Yesterday (${b.day})`, ''];
  const teamMetrics = Object.entries(b.team);
  if (teamMetrics.length === 0) lines.push('No calls or agent time for the team.');
  for (const [metric, v] of teamMetrics) {
    const target =
      v.target === null || v.target === undefined
        ? ''
        : ` (target ${fmt(metric, v.target)}${v.met === true ? ', met' : v.met === false ? ', missed' : ''})`;
    lines.push(`- ${label(metric)}: ${fmt(metric, v.value)}${target}`);
  }
  const notes = b.highlights.flatMap((h) => [
    ...(h.best ? [`- Best ${label(h.metric)}: ${h.best.name}, ${fmt(h.metric, h.best.value)}`] : []),
    ...h.lagging.map(
      (l) => `- ${label(h.metric)} to work on: ${l.name}, ${fmt(h.metric, l.value)} against ${fmt(h.metric, l.target)}`,
    ),
  ]);
  if (notes.length) lines.push('', '## People', '', ...notes);
  if (b.openAlerts.length || b.disputes.length) {
    lines.push('', '## Open', '');
    for (const a of b.openAlerts) lines.push(`- Alert: ${a.ruleName} (${a.severity}) since ${a.triggeredAt}`);
    for (const d of b.disputes) lines.push(`- QA dispute: ${d.name} (score ${d.score ?? '—'}): “${d.comment}”`);
  }
  lines.push(
    '',
    '## Today',
    '',
    b.expected.handled === null
      ? '- No history for this weekday yet.'
      : `- Expect about ${b.expected.handled} calls handled (this weekday, last ${b.expected.weeks} week${b.expected.weeks === 1 ? '' : 's'}).`,
  );
  if (b.schedule.length === 0) lines.push('- Nobody of the team is scheduled.');
  for (const s of b.schedule) {
    const time = (iso: string) => clock(iso, b.timeZone);
    const activities = s.activities.map((a) => `${a.type.replace('_', ' ')} ${time(a.start)}–${time(a.end)}`).join(', ');
    lines.push(`- On shift: ${s.name}, ${time(s.start)}–${time(s.end)}${activities ? ` (${activities})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
