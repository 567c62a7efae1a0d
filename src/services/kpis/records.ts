import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import type { Membership } from '../../domain/agents/memberships';
import type { StateInterval } from '../../domain/agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../../domain/calls/records';

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
}

const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);
const any = (column: string, ids: string[] | undefined): SQL =>
  ids && ids.length > 0 ? sql` AND ${sql.raw(column)} = ANY(${ids})` : sql``;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

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
  const visits = await tx.execute(sql`
    SELECT v.id, v.interaction_id, v.queue_id, v.leg_id, ${ms('v.enqueued_at')} AS enqueued_at, v.enqueued_at_source,
           ${ms('v.left_at')} AS left_at, v.outcome, v.closed_by, v.wait_ms, v.agent_id, ${ms('v.answered_at')} AS answered_at
    FROM queue_visits v
    WHERE v.tenant_id = ${tenantId} AND v.enqueued_at >= ${a} AND v.enqueued_at < ${b}
      ${any('v.queue_id', f.queueIds)}${f.agentIds?.length ? sql` AND v.agent_id = ANY(${f.agentIds})` : sql``}${directionOf('v')}`);
  const segments = await tx.execute(sql`
    SELECT s.id, s.interaction_id, s.agent_id, s.queue_id, s.visit_id, ${ms('s.connected_at')} AS connected_at,
           ${ms('s.disconnected_at')} AS disconnected_at, s.talk_ms, s.hold_ms, s.hold_count, ${ms('s.wrapup_started_at')} AS wrapup_started_at,
           ${ms('s.wrapup_ended_at')} AS wrapup_ended_at, s.acw_ms, s.transferred, s.ended_by
    FROM agent_segments s
    WHERE s.tenant_id = ${tenantId} AND s.connected_at >= ${a} AND s.connected_at < ${b}
      ${any('s.queue_id', f.queueIds)}${any('s.agent_id', f.agentIds)}${directionOf('s')}`);
  const intervals = await tx.execute(sql`
    SELECT x.id, x.agent_id, x.state, x.reason, ${ms('x.started_at')} AS started_at, ${ms('x.ended_at')} AS ended_at
    FROM agent_state_intervals x
    WHERE x.tenant_id = ${tenantId} AND x.started_at < ${b} AND (x.ended_at IS NULL OR x.ended_at > ${a})
      ${any('x.agent_id', f.agentIds)}`);
  // The calls of those visits and segments (direction, disposition, survey), and IVR sessions of the range.
  const interactions = await tx.execute(sql`
    SELECT i.id, i.direction, i.disposition, i.survey, i.ivr, ${ms('i.started_at')} AS started_at, ${ms('i.ended_at')} AS ended_at
    FROM interactions i
    WHERE i.tenant_id = ${tenantId} AND (
      i.id IN (SELECT v.interaction_id FROM queue_visits v WHERE v.tenant_id = ${tenantId} AND v.enqueued_at >= ${a} AND v.enqueued_at < ${b})
      OR i.id IN (SELECT s.interaction_id FROM agent_segments s WHERE s.tenant_id = ${tenantId} AND s.connected_at >= ${a} AND s.connected_at < ${b})
      OR (i.ivr IS NOT NULL AND i.first_event_at < ${b} AND (i.ivr->>'at')::bigint >= ${from} AND (i.ivr->>'at')::bigint < ${to}))
      ${f.direction ? sql` AND i.direction = ${f.direction}` : sql``}`);
  type Row = Record<string, unknown>;
  return {
    visits: (visits.rows as Row[]).map((r) => ({
      id: r.id as string,
      interactionId: r.interaction_id as string,
      queueId: r.queue_id as string,
      legId: (r.leg_id as string | null) ?? null,
      enqueuedAt: Number(r.enqueued_at),
      enqueuedAtSource: r.enqueued_at_source as VisitRecord['enqueuedAtSource'],
      leftAt: num(r.left_at),
      outcome: (r.outcome as VisitRecord['outcome']) ?? null,
      closedBy: (r.closed_by as VisitRecord['closedBy']) ?? null,
      waitMs: num(r.wait_ms),
      agentId: (r.agent_id as string | null) ?? null,
      answeredAt: num(r.answered_at),
    })),
    segments: (segments.rows as Row[]).map((r) => ({
      id: r.id as string,
      interactionId: r.interaction_id as string,
      agentId: r.agent_id as string,
      queueId: r.queue_id as string,
      visitId: (r.visit_id as string | null) ?? null,
      connectedAt: Number(r.connected_at),
      disconnectedAt: num(r.disconnected_at),
      talkMs: num(r.talk_ms),
      holdMs: Number(r.hold_ms),
      holdCount: Number(r.hold_count),
      onHoldSince: null,
      wrapupStartedAt: num(r.wrapup_started_at),
      wrapupEndedAt: num(r.wrapup_ended_at),
      acwMs: num(r.acw_ms),
      transferred: Boolean(r.transferred),
      endedBy: (r.ended_by as string | null) ?? null,
    })),
    intervals: (intervals.rows as Row[]).map((r) => ({
      id: r.id as string,
      agentId: r.agent_id as string,
      state: r.state as StateInterval['state'],
      reason: (r.reason as string | null) ?? null,
      startedAt: Number(r.started_at),
      endedAt: num(r.ended_at),
    })) as StateInterval[],
    interactions: (interactions.rows as Row[]).map((r) => ({
      id: r.id as string,
      direction: (r.direction as InteractionFacts['direction']) ?? null,
      callerHash: null,
      callerMasked: null,
      startedAt: num(r.started_at),
      endedAt: num(r.ended_at),
      hangupCause: null,
      endedBy: null,
      disposition: (r.disposition as InteractionFacts['disposition']) ?? null,
      survey: (r.survey as InteractionFacts['survey']) ?? null,
      ivr: (r.ivr as InteractionFacts['ivr']) ?? null,
    })),
  };
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
