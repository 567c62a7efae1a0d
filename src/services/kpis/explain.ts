import { and, eq } from 'drizzle-orm';
import { MAX_RANGE_DAYS } from '../../contracts/kpis';
import type { KpiExplainItem, KpiExplainQuery, KpiExplainResponse } from '../../contracts/kpis-explain';
import { queues } from '../../db/schema';
import { type Membership, membershipAt } from '../../domain/agents/memberships';
import { AppError, type FieldIssue, invalid } from '../../domain/errors';
import { type FactMetricId, isMetricId, metricDefinition } from '../../domain/kpi/catalog';
import {
  type CellDirection,
  type CellSelector,
  type Decision,
  type ExplainRecord,
  explainCell,
  explainKindOf,
  recordsOfCell,
} from '../../domain/kpi/explain';
import { factsFromRecords, type RecordsInput } from '../../domain/kpi/facts';
import { explainRepeatCaller, judgeRepeatCaller, type RepeatCallerCall } from '../../domain/kpi/repeat-caller';
import { buildReport, type GroupDimension, groupingProblem } from '../../domain/kpi/report';
import { effectiveServiceLevel } from '../../domain/settings';
import { BUCKET_MS, bucket15Of } from '../../domain/time/intervals';
import { type ServiceContext, tenantTx } from '../context';
import { loadTenantRow } from '../tenants/get-tenant';
import { checkExplainCursorFits, decodeExplainCursor, encodeExplainCursor } from './explain-cursor';
import { withOverrides } from './policy';
import { loadMemberships, loadRangeRecords, loadRepeatCallerCalls, maxRangeRecords, type RangeRecords } from './records';

const DAY_MS = 86_400_000;
/** Where the records behind a person metric are listed, by catalog source. */
const PEOPLE_RECORDS: Record<string, string> = {
  shifts: 'GET /v1/attendance',
  evaluations: 'GET /v1/qa/evaluations',
  training: 'GET /v1/training-records',
  employment: 'GET /v1/people/headcount (and GET /v1/agents)',
};
const query = (pointer: string, detail: string): FieldIssue => ({ pointer, in: 'query', detail });
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** The request checked before anything is read: 422 with a pointer for each problem. */
function parseRequest(q: KpiExplainQuery) {
  const issues: FieldIssue[] = [];
  let metric: FactMetricId | 'fcrRepeatCaller' | null = null;
  if (!isMetricId(q.metric)) issues.push(query('/metric', `Unknown metric '${q.metric}' (see GET /v1/kpis/catalog).`));
  else if (q.metric === 'attemptsPerNumber') {
    issues.push(
      query(
        '/metric',
        'attemptsPerNumber divides attempts by the distinct numbers among them: no record is in it on its own. Explain outboundAttempts for the attempts.',
      ),
    );
  } else if (!metricDefinition(q.metric).fromFacts && q.metric !== 'fcrRepeatCaller') {
    const where = PEOPLE_RECORDS[metricDefinition(q.metric).source] ?? 'its own route';
    issues.push(
      query('/metric', `${q.metric} is computed from people records, not calls: ${where} lists the records behind it.`),
    );
  } else metric = q.metric as FactMetricId | 'fcrRepeatCaller';

  // The dimensions the filters stand for: explain only cells GET /v1/kpis can produce.
  const dims: GroupDimension[] = [];
  if (q.queueId) dims.push('queue');
  if (q.agentId) dims.push('agent');
  if (q.teamId !== undefined) dims.push('team');
  if (q.siteId !== undefined) dims.push('site');
  if (q.direction) dims.push('direction');
  const problem = metric ? groupingProblem(metricDefinition(metric), dims) : null;
  if (problem) issues.push(query('/metric', problem));

  const start = Date.parse(q.start);
  const end = Date.parse(q.end);
  // Every period of a report starts and ends on a 15-minute boundary (the grain history is kept in).
  if (start % BUCKET_MS !== 0) issues.push(query('/start', '`start` must be on a 15-minute boundary, as report periods are.'));
  if (end % BUCKET_MS !== 0) issues.push(query('/end', '`end` must be on a 15-minute boundary, as report periods are.'));
  if (end <= start) issues.push(query('/end', '`end` must be after `start`.'));
  else if (end - start > MAX_RANGE_DAYS * DAY_MS) issues.push(query('/end', `A period spans at most ${MAX_RANGE_DAYS} days.`));
  const cursor = q.cursor === undefined ? null : decodeExplainCursor(q.cursor);
  if (issues.length > 0 || metric === null) throw invalid(issues);
  if (cursor) checkExplainCursorFits(cursor, metric === 'fcrRepeatCaller' ? 'call' : explainKindOf(metric));
  return { metric, start, end, cursor };
}

/** What `loadRangeRecords` keeps for a queue and an agent filter: visits, segments and state time (calls stay all). */
function ofQueueAndAgent(r: RangeRecords, queueId: string | undefined, agentId: string | undefined): RangeRecords {
  if (!queueId && !agentId) return r;
  const queueOk = (x: { queueId: string }) => !queueId || x.queueId === queueId;
  const agentOk = (x: { agentId: string | null }) => !agentId || x.agentId === agentId;
  return {
    visits: r.visits.filter((v) => queueOk(v) && agentOk(v)),
    segments: r.segments.filter((s) => queueOk(s) && agentOk(s)),
    intervals: r.intervals.filter(agentOk),
    interactions: r.interactions,
  };
}

/** Only the visits, segments and calls of one direction, as a report grouped by direction splits them. */
function ofDirection(records: RecordsInput, direction: CellDirection | undefined): RecordsInput {
  if (!direction) return records;
  const directionOf = new Map((records.interactions ?? []).map((i) => [i.id, i.direction ?? 'unknown']));
  const mine = (r: { interactionId: string }) => (directionOf.get(r.interactionId) ?? 'unknown') === direction;
  return {
    visits: records.visits?.filter(mine),
    segments: records.segments?.filter(mine),
    intervals: records.intervals,
    interactions: records.interactions?.filter((i) => (i.direction ?? 'unknown') === direction),
  };
}

/**
 * `GET /v1/kpis/explain`: the records behind one cell of `GET /v1/kpis` — its period and its group given as
 * filters — each judged by `src/domain/kpi/explain.ts` under the cell's policy. The cell's value, numerator
 * and denominator are computed the way `GET /v1/kpis` computes them, from the same records.
 */
export async function explainKpi(ctx: ServiceContext, q: KpiExplainQuery): Promise<KpiExplainResponse> {
  const { metric, start, end, cursor } = parseRequest(q);
  const now = ctx.now.getTime();
  return tenantTx(ctx, async (tx) => {
    const tenant = await loadTenantRow(tx, ctx.tenantId);
    let base = tenant.settings.serviceLevel;
    if (q.queueId) {
      // A row grouped by queue is computed under the queue's policy.
      const [row] = await tx
        .select({ serviceLevel: queues.serviceLevel })
        .from(queues)
        .where(and(eq(queues.tenantId, ctx.tenantId), eq(queues.id, q.queueId)));
      if (row) base = effectiveServiceLevel(base, row.serviceLevel);
    }
    const policy = withOverrides(base, q, tenant.settings.complaintCategories, tenant.settings.rightPartyCategories);

    const byPeople = q.agentId !== undefined || q.teamId !== undefined || q.siteId !== undefined;
    const byMembership = q.teamId !== undefined || q.siteId !== undefined;
    const memberships = byMembership ? await loadMemberships(tx, ctx.tenantId) : new Map<string, Membership[]>();
    // People at the time of each record, as GET /v1/kpis filters its cells (the team and site of the bucket).
    const person = byPeople
      ? (agentId: string, bucketStart: number) => {
          if (q.agentId && agentId !== q.agentId) return false;
          if (!byMembership) return true;
          const m = membershipAt(memberships.get(agentId) ?? [], bucketStart);
          // An empty id is the row of agents in no team (or at no site) at the time, which GET /v1/kpis groups as null.
          const is = (want: string | undefined, has: string | null | undefined) => want === undefined || (has ?? '') === want;
          return is(q.teamId, m?.teamId) && is(q.siteId, m?.siteId);
        }
      : null;
    const group: Record<string, string | null> = {};
    for (const k of ['queueId', 'agentId', 'teamId', 'siteId', 'direction'] as const) {
      const v = q[k];
      if (v !== undefined) group[k] = v === '' ? null : v;
    }
    const head = {
      metric,
      start: iso(start),
      end: iso(end),
      group,
      policy: {
        ...policy,
        csatSatisfiedScore: policy.csatSatisfiedScore ?? null,
        complaintCategories: [...(policy.complaintCategories ?? [])],
        rightPartyCategories: [...(policy.rightPartyCategories ?? [])],
      },
    };

    if (metric === 'fcrRepeatCaller') {
      // Each handled call whose last segment connected in the cell, judged now under the request's or the tenant's window.
      const windowMs = (q.fcrWindowHours ?? tenant.settings.fcrWindowHours) * 3_600_000;
      const calls = (
        await loadRepeatCallerCalls(tx, ctx.tenantId, start, end, {
          queueIds: q.queueId ? [q.queueId] : undefined,
          direction: q.direction,
          budget: { max: maxRangeRecords(ctx.env), tooMany: tooManyToExplain },
        })
      )
        .filter((c) => person === null || person(c.agentId, bucket15Of(c.connectedAt)))
        .sort((a, b) => a.connectedAt - b.connectedAt || (a.interactionId < b.interactionId ? -1 : 1));
      const judged = calls.map((c) => ({ c, d: explainRepeatCaller(c, windowMs, now) }));
      const numerator = judged.filter((x) => x.d.inNumerator).length;
      const denominator = judged.filter((x) => x.d.inDenominator).length;
      const page = pageOf(
        judged.map(({ c, d }) => ({ at: c.connectedAt, id: c.interactionId, d, item: callItemOf(c, d, windowMs, now) })),
        q,
        cursor,
      );
      return {
        ...head,
        value: denominator === 0 ? null : numerator / denominator,
        numerator,
        denominator,
        unit: 'ratio' as const,
        records: 'call' as const,
        items: page.items,
        nextCursor: page.last ? encodeExplainCursor({ kind: 'call', ...page.last }) : null,
      };
    }
    // The queue and agent filters are applied here with the meaning records.ts gives them in SQL, whose
    // `= ANY(${ids})` Postgres refuses as written (drizzle expands a JS array into a list of parameters).
    const loaded = await loadRangeRecords(tx, ctx.tenantId, start, end, {
      direction: q.direction === 'unknown' ? undefined : q.direction,
      budget: { max: maxRangeRecords(ctx.env), tooMany: tooManyToExplain },
    });
    const records = ofDirection(ofQueueAndAgent(loaded, q.queueId, q.agentId), q.direction);

    const cells = factsFromRecords(records, { asOf: now }).filter(
      (c) =>
        c.bucketStart >= start &&
        c.bucketStart < end &&
        (person === null || (c.agentId !== null && person(c.agentId, c.bucketStart))),
    );
    const [row] = buildReport(cells, {
      metrics: [metric],
      periods: [{ start, end }],
      groupBy: [],
      byPerson: byPeople,
      policyFor: () => policy,
      membershipOf: () => ({ teamId: null, siteId: null }),
      now,
    });
    const cell = row?.metrics[metric];
    if (!cell) throw new Error('a report of one period without grouping has one row');

    const selector: CellSelector = { start, end, person, direction: q.direction ?? null, asOf: now };
    const listed = recordsOfCell(metric, records, selector);
    const { decisions } = explainCell(metric, listed, policy);
    const page = pageOf(
      listed.map((r, i) => ({
        at: r.at,
        id: r.id,
        d: decisions[i] as Decision,
        item: () => itemOf(r, decisions[i] as Decision),
      })),
      q,
      cursor,
    );
    const kind = explainKindOf(metric);
    return {
      ...head,
      value: cell.value,
      numerator: cell.numerator,
      denominator: cell.denominator,
      unit: cell.unit,
      records: kind,
      items: page.items,
      nextCursor: page.last ? encodeExplainCursor({ kind, ...page.last }) : null,
    };
  });
}

/**
 * One page of judged records (in listing order): those of the asked part, after the cursor, at most `limit`;
 * `last` is where the next page starts, null when this one is the last.
 */
function pageOf(
  listed: { at: number; id: string; d: Decision; item: () => KpiExplainItem }[],
  q: Pick<KpiExplainQuery, 'part' | 'limit'>,
  cursor: { at: number; id: string } | null,
): { items: KpiExplainItem[]; last: { at: number; id: string } | null } {
  const wanted = (d: Decision) =>
    q.part === undefined ||
    (q.part === 'numerator' && d.inNumerator) ||
    (q.part === 'denominator' && d.inDenominator) ||
    (q.part === 'excluded' && !d.inNumerator && !d.inDenominator);
  const after = (r: { at: number; id: string }) =>
    cursor === null || r.at > cursor.at || (r.at === cursor.at && r.id > cursor.id);
  const items: KpiExplainItem[] = [];
  let last: { at: number; id: string } | null = null;
  for (const r of listed) {
    if (!wanted(r.d) || !after(r)) continue;
    if (items.length === q.limit) return { items, last };
    items.push(r.item());
    last = { at: r.at, id: r.id };
  }
  return { items, last: null };
}

function callItemOf(c: RepeatCallerCall, d: Decision, windowMs: number, now: number): () => KpiExplainItem {
  return () => ({
    kind: 'call',
    interactionId: c.interactionId,
    queueId: c.queueId,
    agentId: c.agentId,
    connectedAt: iso(c.connectedAt),
    endedAt: isoOrNull(c.endAt),
    nextCallId: c.nextCallId ?? null,
    nextCallAt: isoOrNull(c.nextCallAt),
    verdict: judgeRepeatCaller(c, windowMs, now),
    ...judgementOf(d),
  });
}

const tooManyToExplain = (max: number) =>
  new AppError(
    'invalid',
    'TOO_MANY_RECORDS',
    `An explanation reads the records of its cell, and this one holds more than ${max} visits and segments: explain a shorter period (a row of a report by hour or day).`,
  );

/** A decision as an explanation item states it. */
const judgementOf = (d: Decision) => ({
  inNumerator: d.inNumerator,
  inDenominator: d.inDenominator,
  adds: { numerator: d.numerator, denominator: d.denominator },
  reason: d.reason,
});

function itemOf(r: ExplainRecord, d: Decision): KpiExplainItem {
  const judgement = judgementOf(d);
  switch (r.kind) {
    case 'visit': {
      const v = r.visit;
      return {
        kind: 'visit',
        visitId: v.id,
        interactionId: v.interactionId,
        queueId: v.queueId,
        enqueuedAt: iso(v.enqueuedAt),
        leftAt: isoOrNull(v.leftAt),
        waitMs: v.waitMs,
        outcome: v.outcome,
        agentId: v.agentId,
        direction: r.direction,
        ...judgement,
      };
    }
    case 'segment': {
      const s = r.segment;
      return {
        kind: 'segment',
        segmentId: s.id,
        interactionId: s.interactionId,
        queueId: s.queueId,
        agentId: s.agentId,
        connectedAt: iso(s.connectedAt),
        disconnectedAt: isoOrNull(s.disconnectedAt),
        talkMs: s.talkMs,
        holdMs: s.holdMs,
        holdCount: s.holdCount,
        acwMs: s.acwMs,
        transferred: s.transferred,
        direction: r.direction,
        ...judgement,
      };
    }
    case 'interval': {
      const i = r.interval;
      return {
        kind: 'interval',
        intervalId: i.id,
        agentId: i.agentId,
        state: i.state,
        stateReason: i.reason,
        startedAt: iso(i.startedAt),
        endedAt: isoOrNull(i.endedAt),
        overlapMs: r.share.overlapMs,
        startedInCell: r.share.startedInCell,
        ...judgement,
      };
    }
    case 'interaction': {
      const { disposition, survey, ivr } = r.interaction;
      return {
        kind: 'interaction',
        interactionId: r.interaction.id,
        at: iso(r.at),
        queueId: r.attribution.queueId,
        agentId: r.attribution.agentId,
        direction: r.direction,
        disposition: disposition
          ? { resolved: disposition.resolved, code: disposition.code, category: disposition.category ?? null }
          : null,
        survey: survey
          ? {
              score: survey.score,
              scaleMin: survey.scaleMin,
              scaleMax: survey.scaleMax,
              satisfiedScore: survey.satisfiedScore ?? null,
            }
          : null,
        ivr: ivr ? { selfServed: ivr.selfServed } : null,
        ...judgement,
      };
    }
  }
}
