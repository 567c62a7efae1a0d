import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { ms, num, readInteractions, readIntervals, readSegments, readVisits, texts } from '../../db/history-reader';
import { needsAllRecords } from '../../db/kpi-rollups';
import type { Membership } from '../../domain/agents/memberships';
import type { StateInterval } from '../../domain/agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../../domain/calls/records';
import type { CellDirection } from '../../domain/kpi/facts';
import type { RepeatCallerCall } from '../../domain/kpi/repeat-caller';

/** The records a KPI request reads: visits that started, segments that connected, state time that overlaps [from, to). */
export interface RangeRecords {
  visits: VisitRecord[];
  segments: SegmentRecord[];
  intervals: StateInterval[];
  interactions: InteractionFacts[];
}

export interface RecordFilters {
  queueIds?: string[];
  agentIds?: string[];
  direction?: 'inbound' | 'outbound';
  /**
   * The most visits and segments to read (a Worker holds them in memory, ~1 kB a call): more in the range, and
   * `tooMany` is thrown instead, before anything is read. Undefined: no limit.
   */
  budget?: { max: number; tooMany: (max: number) => Error };
}

/** The default of `KPI_MAX_RANGE_RECORDS` (src/env.ts): visits and segments one request may read from the records. */
export const DEFAULT_MAX_RANGE_RECORDS = 100_000;

/** The records budget of a Worker's environment. */
export function maxRangeRecords(env: { KPI_MAX_RANGE_RECORDS?: string }): number {
  const n = Number(env.KPI_MAX_RANGE_RECORDS);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_RANGE_RECORDS;
}

const any = (column: string, ids: string[] | undefined): SQL =>
  ids && ids.length > 0 ? sql` AND ${sql.raw(column)} = ANY(${texts(ids)})` : sql``;

/**
 * Reads the records of a range straight from the history tables (the exact path: every judgement is made on
 * the records themselves). `direction` keeps only visits and segments of calls of that direction.
 */
export async function loadRangeRecords(
  tx: Tx,
  tenantId: string,
  from: number,
  to: number,
  f: RecordFilters,
): Promise<RangeRecords> {
  const a = new Date(from);
  const b = new Date(to);
  const directionOf = (alias: string) =>
    f.direction
      ? sql` AND EXISTS (SELECT 1 FROM interactions i WHERE i.tenant_id = ${tenantId} AND i.id = ${sql.raw(alias)}.interaction_id AND i.direction = ${f.direction})`
      : sql``;
  const visitsWhere = sql`v.enqueued_at >= ${a} AND v.enqueued_at < ${b}${any('v.queue_id', f.queueIds)}${any('v.agent_id', f.agentIds)}${directionOf('v')}`;
  const segmentsWhere = sql`s.connected_at >= ${a} AND s.connected_at < ${b}${any('s.queue_id', f.queueIds)}${any('s.agent_id', f.agentIds)}${directionOf('s')}`;
  if (f.budget) {
    // Counted by index range, each count stopping just past the budget.
    const cap = f.budget.max + 1;
    const res = await tx.execute(sql`
      SELECT (SELECT count(*) FROM (SELECT 1 FROM queue_visits v WHERE v.tenant_id = ${tenantId} AND ${visitsWhere} LIMIT ${cap}) x)
           + (SELECT count(*) FROM (SELECT 1 FROM agent_segments s WHERE s.tenant_id = ${tenantId} AND ${segmentsWhere} LIMIT ${cap}) y) AS n`);
    if (Number((res.rows[0] as { n: string | number }).n) > f.budget.max) throw f.budget.tooMany(f.budget.max);
  }
  const visits = await readVisits(tx, tenantId, visitsWhere);
  const segments = await readSegments(tx, tenantId, segmentsWhere);
  const intervals = await readIntervals(
    tx,
    tenantId,
    sql`x.started_at < ${b} AND (x.ended_at IS NULL OR x.ended_at > ${a})${any('x.agent_id', f.agentIds)}`,
  );
  // The calls of those visits and segments (direction, disposition, survey), and IVR sessions of the range.
  const interactions = await readInteractions(
    tx,
    tenantId,
    sql`(i.id IN (SELECT v.interaction_id FROM queue_visits v WHERE v.tenant_id = ${tenantId} AND v.enqueued_at >= ${a} AND v.enqueued_at < ${b})
      OR i.id IN (SELECT s.interaction_id FROM agent_segments s WHERE s.tenant_id = ${tenantId} AND s.connected_at >= ${a} AND s.connected_at < ${b})
      OR (i.ivr IS NOT NULL AND i.first_event_at < ${b} AND (i.ivr->>'at')::bigint >= ${from} AND (i.ivr->>'at')::bigint < ${to})
      OR (i.direction = 'outbound' AND i.started_at IS NOT NULL AND i.started_at >= ${a} AND i.started_at < ${b}))
      ${f.direction ? sql` AND i.direction = ${f.direction}` : sql``}`,
  );
  // A call's disposition and survey go to its last segment (or visit), wherever it lies, and an outbound attempt
  // is judged on all of its: read all of them, as the rollups do (src/db/kpi-rollups.ts); cells outside the range
  // or the filters are dropped by the caller.
  const quality = interactions.filter(needsAllRecords).map((i) => i.id);
  if (quality.length > 0) {
    const known = new Set([...visits.map((v) => v.id), ...segments.map((s) => s.id)]);
    for (const v of await readVisits(tx, tenantId, sql`v.interaction_id = ANY(${texts(quality)})`))
      if (!known.has(v.id)) visits.push(v);
    for (const s of await readSegments(tx, tenantId, sql`s.interaction_id = ANY(${texts(quality)})`))
      if (!known.has(s.id)) segments.push(s);
  }
  return { visits, segments, intervals, interactions };
}

/** Every agent's periods of team and site (a tenant has few agents; a report may need any of them). */
export async function loadMemberships(tx: Tx, tenantId: string): Promise<Map<string, Membership[]>> {
  const rows = await tx.execute(sql`
    SELECT agent_id, ${ms('valid_from')} AS valid_from, ${ms('valid_to')} AS valid_to, team_id, site_id
    FROM agent_memberships WHERE tenant_id = ${tenantId} ORDER BY agent_id, valid_from`);
  const out = new Map<string, Membership[]>();
  for (const r of rows.rows as Record<string, unknown>[]) {
    const agentId = r.agent_id as string;
    const list = out.get(agentId) ?? [];
    list.push({
      from: Number(r.valid_from),
      to: num(r.valid_to),
      teamId: (r.team_id as string | null) ?? null,
      siteId: (r.site_id as string | null) ?? null,
    });
    out.set(agentId, list);
  }
  return out;
}

/**
 * The handled calls whose last agent segment connected in [from, to), for repeat-caller FCR: that segment, when the
 * call ended, and when the same caller (salted hash of the number) next started a call after it. Calls without a
 * caller number cannot be matched and are left out.
 */
export async function loadRepeatCallerCalls(
  tx: Tx,
  tenantId: string,
  from: number,
  to: number,
  f: Pick<RecordFilters, 'queueIds' | 'budget'> & { direction?: CellDirection },
): Promise<RepeatCallerCall[]> {
  const a = new Date(from);
  const b = new Date(to);
  if (f.budget) {
    // At most one call per segment that connected in the range: counted by index range, stopping past the budget.
    const res = await tx.execute(sql`
      SELECT count(*) AS n FROM (SELECT 1 FROM agent_segments s WHERE s.tenant_id = ${tenantId}
        AND s.connected_at >= ${a} AND s.connected_at < ${b}${any('s.queue_id', f.queueIds)} LIMIT ${f.budget.max + 1}) x`);
    if (Number((res.rows[0] as { n: string | number }).n) > f.budget.max) throw f.budget.tooMany(f.budget.max);
  }
  const direction =
    f.direction === undefined
      ? sql``
      : f.direction === 'unknown'
        ? sql` AND i.direction IS NULL`
        : sql` AND i.direction = ${f.direction}`;
  const res = await tx.execute(sql`
    WITH last AS (
      SELECT DISTINCT ON (s.interaction_id) s.interaction_id, s.queue_id, s.agent_id, s.connected_at, s.disconnected_at
      FROM agent_segments s
      WHERE s.tenant_id = ${tenantId} AND s.interaction_id IN (
        SELECT interaction_id FROM agent_segments WHERE tenant_id = ${tenantId} AND connected_at >= ${a} AND connected_at < ${b})
      ORDER BY s.interaction_id, s.connected_at DESC, s.id DESC)
    SELECT l.interaction_id, l.queue_id, l.agent_id, i.direction, ${ms('l.connected_at')} AS connected_at,
           ${ms('CASE WHEN l.disconnected_at IS NULL THEN NULL ELSE coalesce(i.ended_at, l.disconnected_at) END')} AS end_at,
           ${ms('nx.first_event_at')} AS next_at, nx.id AS next_id
    FROM last l JOIN interactions i ON i.tenant_id = ${tenantId} AND i.id = l.interaction_id
    LEFT JOIN LATERAL (
      SELECT n.id, n.first_event_at FROM interactions n
      WHERE n.tenant_id = i.tenant_id AND n.caller_hash = i.caller_hash AND n.id <> i.id
        AND n.first_event_at > coalesce(i.ended_at, l.disconnected_at)
      ORDER BY n.first_event_at, n.id LIMIT 1) nx ON true
    WHERE l.connected_at >= ${a} AND l.connected_at < ${b} AND i.caller_hash IS NOT NULL${any('l.queue_id', f.queueIds)}${direction}`);
  return (res.rows as Record<string, unknown>[]).map((r) => ({
    interactionId: r.interaction_id as string,
    queueId: r.queue_id as string,
    agentId: r.agent_id as string,
    connectedAt: Number(r.connected_at),
    endAt: num(r.end_at),
    nextCallAt: num(r.next_at),
    nextCallId: (r.next_id as string | null) ?? null,
    direction: (r.direction as 'inbound' | 'outbound' | null) ?? 'unknown',
  }));
}

/**
 * The outbound attempts that started in [from, to) with a known number (the salted hash of the number dialled,
 * the events' `caller`), for `attemptsPerNumber`. Attempts without a number cannot be matched and are left out.
 */
export async function loadOutboundAttempts(
  tx: Tx,
  tenantId: string,
  from: number,
  to: number,
  f: Pick<RecordFilters, 'budget'>,
): Promise<{ startedAt: number; numberHash: string }[]> {
  const where = sql`i.tenant_id = ${tenantId} AND i.direction = 'outbound' AND i.started_at IS NOT NULL
    AND i.started_at >= ${new Date(from)} AND i.started_at < ${new Date(to)}`;
  if (f.budget) {
    // Counted by index range (interactions_outbound_started_idx), stopping just past the budget.
    const res = await tx.execute(sql`
      SELECT count(*) AS n FROM (SELECT 1 FROM interactions i WHERE ${where} LIMIT ${f.budget.max + 1}) x`);
    if (Number((res.rows[0] as { n: string | number }).n) > f.budget.max) throw f.budget.tooMany(f.budget.max);
  }
  const res = await tx.execute(sql`
    SELECT ${ms('i.started_at')} AS started_at, i.caller_hash FROM interactions i WHERE ${where} AND i.caller_hash IS NOT NULL`);
  return (res.rows as { started_at: string | number; caller_hash: string }[]).map((r) => ({
    startedAt: Number(r.started_at),
    numberHash: r.caller_hash,
  }));
}
