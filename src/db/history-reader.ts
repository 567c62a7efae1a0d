import { type SQL, sql } from 'drizzle-orm';
import type { StateInterval } from '../domain/agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../domain/calls/records';
import type { Tx } from './client';

/**
 * History rows read back as the domain's records (instants as epoch ms), for what is computed from them: KPI
 * rollups (src/db/kpi-rollups.ts) and KPI queries on records. Each reader takes the tenant and a condition on
 * its table's alias (`v`, `s`, `x`, `i`).
 */

/** A list as one array parameter (drizzle spreads a JS array into separate parameters). */
export const texts = (items: readonly string[]) => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(items)}::jsonb))`;
export const bigints = (items: readonly number[]) =>
  sql`ARRAY(SELECT (jsonb_array_elements_text(${JSON.stringify(items)}::jsonb))::bigint)`;

/** A timestamp column (or expression, never client input) as epoch ms. */
export const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);
/** A nullable numeric column as a number or null. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
type Row = Record<string, unknown>;

export async function readVisits(tx: Tx, tenantId: string, where: SQL): Promise<VisitRecord[]> {
  const res = await tx.execute(sql`
    SELECT v.id, v.interaction_id, v.queue_id, v.leg_id, ${ms('v.enqueued_at')} AS enqueued_at, v.enqueued_at_source,
           ${ms('v.left_at')} AS left_at, v.outcome, v.closed_by, v.wait_ms, v.agent_id, ${ms('v.answered_at')} AS answered_at
    FROM queue_visits v WHERE v.tenant_id = ${tenantId} AND ${where}`);
  return (res.rows as Row[]).map((r) => ({
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
  }));
}

export async function readSegments(tx: Tx, tenantId: string, where: SQL): Promise<SegmentRecord[]> {
  const res = await tx.execute(sql`
    SELECT s.id, s.interaction_id, s.agent_id, s.queue_id, s.visit_id, ${ms('s.connected_at')} AS connected_at,
           ${ms('s.disconnected_at')} AS disconnected_at, s.talk_ms, s.hold_ms, s.hold_count, ${ms('s.wrapup_started_at')} AS wrapup_started_at,
           ${ms('s.wrapup_ended_at')} AS wrapup_ended_at, s.acw_ms, s.transferred, s.ended_by
    FROM agent_segments s WHERE s.tenant_id = ${tenantId} AND ${where}`);
  return (res.rows as Row[]).map((r) => ({
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
  }));
}

export async function readIntervals(tx: Tx, tenantId: string, where: SQL): Promise<StateInterval[]> {
  const res = await tx.execute(sql`
    SELECT x.id, x.agent_id, x.state, x.reason, ${ms('x.started_at')} AS started_at, ${ms('x.ended_at')} AS ended_at
    FROM agent_state_intervals x WHERE x.tenant_id = ${tenantId} AND ${where}`);
  return (res.rows as Row[]).map((r) => ({
    id: r.id as string,
    agentId: r.agent_id as string,
    state: r.state as StateInterval['state'],
    reason: (r.reason as string | null) ?? null,
    startedAt: Number(r.started_at),
    endedAt: num(r.ended_at),
  })) as StateInterval[];
}

/** The facts KPIs read of calls (direction, disposition, survey, IVR); numbers and causes are not read. */
export async function readInteractions(tx: Tx, tenantId: string, where: SQL): Promise<InteractionFacts[]> {
  const res = await tx.execute(sql`
    SELECT i.id, i.direction, i.disposition, i.survey, i.ivr, ${ms('i.started_at')} AS started_at, ${ms('i.ended_at')} AS ended_at
    FROM interactions i WHERE i.tenant_id = ${tenantId} AND ${where}`);
  return (res.rows as Row[]).map((r) => ({
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
  }));
}
