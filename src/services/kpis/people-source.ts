import { and, count, eq, gte, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { agents, qaEvaluations, shifts, trainingRecords } from '../../db/schema';
import { AppError } from '../../domain/errors';
import { metricDefinition, type PersonMetricId } from '../../domain/kpi/catalog';
import {
  type Contribution,
  employmentContributions,
  evaluationContributions,
  shiftContributions,
  trainingContributions,
} from '../../domain/kpi/people';
import { DEFAULT_ATTENDANCE_POLICY } from '../../domain/people/attendance';
import type { TenantSettings } from '../../domain/settings';
import type { Period } from '../../domain/time/intervals';
import { startOfDate, startOfLocalDay } from '../../domain/time/zones';
import { shiftOutcomes } from '../schedules/schedules';

/** The evaluations that count in `qaScore`: submitted review evaluations, whatever happened to them since. */
export const COUNTED_QA_STATUSES = ['submitted', 'acknowledged', 'disputed', 'resolved'];

export interface PeopleRequest {
  metrics: readonly PersonMetricId[];
  from: number;
  to: number;
  periods: readonly Period[];
  timeZone: string;
  settings: TenantSettings;
  agentIds?: readonly string[];
  now: number;
  /** At most this many shifts, evaluations or training records in the range. */
  maxRecords: number;
}

/**
 * The contributions of the people records of a range to the person metrics asked for (src/domain/kpi/people.ts):
 * shifts starting in it against the agents' states, review evaluations submitted in it, training records of its
 * days, and every agent's employment for headcount and attrition. Each source is read only when a metric needs it.
 */
export async function loadContributions(tx: Tx, tenantId: string, req: PeopleRequest): Promise<Contribution[]> {
  const sources = new Set(req.metrics.map((m) => metricDefinition(m).source));
  const agentFilter = req.agentIds?.length ? [...req.agentIds] : null;
  const out: Contribution[] = [];
  const wanted = (c: Contribution) => req.metrics.includes(c.metric);
  const budget = async (what: string, n: Promise<{ n: number }[]>) => {
    const found = (await n)[0]?.n ?? 0;
    if (found > req.maxRecords) throw tooMany(what, found, req.maxRecords);
  };

  if (sources.has('shifts')) {
    const where = and(
      eq(shifts.tenantId, tenantId),
      gte(shifts.startsAt, new Date(req.from)),
      lt(shifts.startsAt, new Date(req.to)),
      agentFilter ? inArray(shifts.agentId, agentFilter) : undefined,
    );
    await budget('shifts', tx.select({ n: count() }).from(shifts).where(where));
    const rows = await tx.select().from(shifts).where(where);
    const policy = { ...DEFAULT_ATTENDANCE_POLICY, ...req.settings.attendance };
    for (const { r, a, adh } of await shiftOutcomes(tx, tenantId, rows, policy, req.now)) {
      out.push(...shiftContributions({ agentId: r.agentId, start: r.startsAt.getTime() }, a, adh).filter(wanted));
    }
  }

  if (sources.has('evaluations')) {
    const where = and(
      eq(qaEvaluations.tenantId, tenantId),
      eq(qaEvaluations.purpose, 'review'),
      inArray(qaEvaluations.status, COUNTED_QA_STATUSES),
      gte(qaEvaluations.submittedAt, new Date(req.from)),
      lt(qaEvaluations.submittedAt, new Date(req.to)),
      isNotNull(qaEvaluations.numerator),
      agentFilter ? inArray(qaEvaluations.agentId, agentFilter) : undefined,
    );
    await budget('evaluations', tx.select({ n: count() }).from(qaEvaluations).where(where));
    const rows = await tx
      .select({
        agentId: qaEvaluations.agentId,
        submittedAt: qaEvaluations.submittedAt,
        numerator: qaEvaluations.numerator,
        denominator: qaEvaluations.denominator,
      })
      .from(qaEvaluations)
      .where(where);
    for (const e of rows) {
      out.push(
        ...evaluationContributions({
          agentId: e.agentId,
          submittedAt: (e.submittedAt as Date).getTime(),
          numerator: e.numerator ?? 0,
          denominator: e.denominator ?? 0,
        }).filter(wanted),
      );
    }
  }

  const dayOf = (t: number) => startOfLocalDay(t, req.timeZone).date;
  if (sources.has('training')) {
    // The days that start in the range (the range is whole 15-minute buckets: a day counts where it starts).
    const where = and(
      eq(trainingRecords.tenantId, tenantId),
      gte(trainingRecords.completedOn, dayOf(req.from)),
      lt(trainingRecords.completedOn, nextDay(dayOf(req.to - 1))),
      agentFilter ? inArray(trainingRecords.agentId, agentFilter) : undefined,
    );
    await budget('training records', tx.select({ n: count() }).from(trainingRecords).where(where));
    for (const t of await tx.select().from(trainingRecords).where(where)) {
      const at = startOfDate(t.completedOn, req.timeZone);
      if (at < req.from || at >= req.to) continue;
      out.push(
        ...trainingContributions({
          agentId: t.agentId,
          at,
          hours: t.hours,
          examScore: t.examScore,
          examMaxScore: t.examMaxScore,
        }).filter(wanted),
      );
    }
  }

  if (sources.has('employment')) {
    const people = (
      await tx
        .select({ id: agents.id, hiredOn: agents.hiredOn, leftOn: agents.leftOn, archivedAt: agents.archivedAt })
        .from(agents)
        .where(and(eq(agents.tenantId, tenantId), agentFilter ? inArray(agents.id, agentFilter) : undefined))
    ).map((a) => ({
      agentId: a.id,
      hiredOn: a.hiredOn,
      // Deleted without a last day: left the day it was deleted (GET /v1/people/headcount does the same).
      leftOn: a.leftOn ?? (a.archivedAt ? dayOf(a.archivedAt.getTime()) : null),
    }));
    out.push(...employmentContributions(people, req.periods, req.metrics, dayOf, (d) => startOfDate(d, req.timeZone)));
  }
  return out;
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const tooMany = (what: string, found: number, max: number) =>
  new AppError(
    'invalid',
    'TOO_MANY_RECORDS',
    `The range holds ${found} ${what}; at most ${max} are read for one answer. Use a shorter range, or filter by agent or team.`,
  );
