import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Call, CallDetail } from '../../contracts/calls';
import { agentSegments, events, interactions, queueVisits } from '../../db/schema';
import type { ApiKeyLimit } from '../../domain/api-keys';
import { notFound } from '../../domain/errors';
import type { QueueOutcome } from '../../domain/events/event-types';
import { type ServiceContext, tenantTx } from '../context';
import { agentInLimit } from '../key-limits/reach';
import type { Page } from '../pagination';
import { type CallSort, checkCursorFits, decodeCallCursor, encodeCallCursor, type SortOrder } from './call-cursor';

export interface CallFilters {
  queueId?: string | undefined;
  agentId?: string | undefined;
  outcome?: QueueOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
  enqueuedFrom?: string | undefined;
  enqueuedTo?: string | undefined;
  sort?: CallSort | undefined;
  order?: SortOrder | undefined;
  limit: number;
  cursor?: string | undefined;
  /** A limited key's team or agent: only calls one of its agents answered or talked in (docs/roles.md). */
  keyLimit?: ApiKeyLimit | null | undefined;
}

/** The call `interactionId` was handled by an agent the limit sees at the time: a segment, or a visit it answered. */
function handledWithin(tenantId: string, limit: ApiKeyLimit, interactionId: SQL): SQL {
  return sql`(EXISTS (SELECT 1 FROM agent_segments ks WHERE ks.tenant_id = ${tenantId} AND ks.interaction_id = ${interactionId}
      AND ${agentInLimit(tenantId, limit, sql`ks.agent_id`, sql`ks.connected_at`)})
    OR EXISTS (SELECT 1 FROM queue_visits kv WHERE kv.tenant_id = ${tenantId} AND kv.interaction_id = ${interactionId}
      AND kv.agent_id IS NOT NULL AND ${agentInLimit(tenantId, limit, sql`kv.agent_id`, sql`coalesce(kv.answered_at, kv.enqueued_at)`)}))`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `v` (an alias of queue_visits) is the visit the call entered a queue with: none of its visits began earlier (ties: lower id). */
const isFirstVisit = (v: 'fv' | 'ev') =>
  sql.raw(`NOT EXISTS (SELECT 1 FROM queue_visits w WHERE w.tenant_id = ${v}.tenant_id AND w.interaction_id = ${v}.interaction_id
    AND (w.enqueued_at, w.id) < (${v}.enqueued_at, ${v}.id))`);

/**
 * Calls of the tenant, filtered by queue, agent, visit outcome, first-event and enqueue windows, in
 * keyset order of (sort instant, call id) — with `sort=enqueuedAt` only calls that entered a queue.
 */
export async function listCalls(ctx: ServiceContext, f: CallFilters): Promise<Page<Call>> {
  // An enqueue window alone already leaves out calls that never queued, so ordering them by that instant
  // changes no result, and walks the index the window ranges over.
  const sort = f.sort ?? ((f.enqueuedFrom || f.enqueuedTo) && !(f.from || f.to) ? 'enqueuedAt' : 'firstEventAt');
  const order = f.order ?? 'desc';
  const after = f.cursor ? decodeCallCursor(f.cursor) : null;
  if (after) checkCursorFits(after, sort, order);
  return tenantTx(ctx, async (tx) => {
    // With sort=enqueuedAt the listing walks first visits (queue_visits_enqueued_idx), otherwise interactions.
    const fv = alias(queueVisits, 'fv');
    const byEnqueue = sort === 'enqueuedAt';
    const key = byEnqueue ? fv.enqueuedAt : interactions.firstEventAt;
    const keyId = byEnqueue ? fv.interactionId : interactions.id;
    const conditions: (SQL | undefined)[] = [
      eq(interactions.tenantId, ctx.tenantId),
      f.from ? sql`${interactions.firstEventAt} >= ${new Date(f.from)}` : undefined,
      f.to ? sql`${interactions.firstEventAt} < ${new Date(f.to)}` : undefined,
      after
        ? order === 'desc'
          ? sql`(${key}, ${keyId}) < (${new Date(after.at)}, ${after.id})`
          : sql`(${key}, ${keyId}) > (${new Date(after.at)}, ${after.id})`
        : undefined,
    ];
    if (byEnqueue) {
      conditions.push(
        eq(fv.tenantId, ctx.tenantId),
        isFirstVisit('fv'),
        f.enqueuedFrom ? sql`${fv.enqueuedAt} >= ${new Date(f.enqueuedFrom)}` : undefined,
        f.enqueuedTo ? sql`${fv.enqueuedAt} < ${new Date(f.enqueuedTo)}` : undefined,
      );
    } else if (f.enqueuedFrom || f.enqueuedTo) {
      conditions.push(sql`EXISTS (SELECT 1 FROM queue_visits ev WHERE ev.tenant_id = ${ctx.tenantId} AND ev.interaction_id = ${interactions.id}
        AND ${isFirstVisit('ev')}
        ${f.enqueuedFrom ? sql`AND ev.enqueued_at >= ${new Date(f.enqueuedFrom)}` : sql``}
        ${f.enqueuedTo ? sql`AND ev.enqueued_at < ${new Date(f.enqueuedTo)}` : sql``})`);
    }
    if (f.queueId || f.outcome) {
      conditions.push(sql`EXISTS (SELECT 1 FROM queue_visits v WHERE v.tenant_id = ${ctx.tenantId} AND v.interaction_id = ${interactions.id}
        ${f.queueId ? sql`AND v.queue_id = ${f.queueId}` : sql``} ${f.outcome ? sql`AND v.outcome = ${f.outcome}` : sql``})`);
    }
    if (f.agentId) {
      conditions.push(sql`(EXISTS (SELECT 1 FROM agent_segments s WHERE s.tenant_id = ${ctx.tenantId} AND s.interaction_id = ${interactions.id}
          AND s.agent_id = ${f.agentId})
        OR EXISTS (SELECT 1 FROM queue_visits v WHERE v.tenant_id = ${ctx.tenantId} AND v.interaction_id = ${interactions.id}
          AND v.agent_id = ${f.agentId}))`);
    }
    if (f.keyLimit) conditions.push(handledWithin(ctx.tenantId, f.keyLimit, sql`${interactions.id}`));
    const direction = order === 'desc' ? desc : asc;
    const base = tx.select(callColumns).from(interactions).$dynamic();
    const rows = await (byEnqueue
      ? base.innerJoin(fv, and(eq(fv.tenantId, interactions.tenantId), eq(fv.interactionId, interactions.id)))
      : base
    )
      .where(and(...conditions))
      .orderBy(direction(key), direction(keyId))
      .limit(f.limit + 1);
    const page = rows.slice(0, f.limit).map(presentCall);
    const last = page.at(-1);
    const lastAt = last && (byEnqueue ? last.enqueuedAt : last.firstEventAt);
    return {
      data: page,
      nextCursor:
        rows.length > f.limit && last && lastAt ? encodeCallCursor({ sort, order, at: Date.parse(lastAt), id: last.id }) : null,
    };
  });
}

/** One call with its visits, agent segments and event timeline (for a limited key, only a call its agents handled). */
export async function getCall(ctx: ServiceContext, id: string, keyLimit: ApiKeyLimit | null = null): Promise<CallDetail> {
  return tenantTx(ctx, async (tx) => {
    const [row] = await tx
      .select(callColumns)
      .from(interactions)
      .where(
        and(
          eq(interactions.tenantId, ctx.tenantId),
          eq(interactions.id, id),
          keyLimit ? handledWithin(ctx.tenantId, keyLimit, sql`${interactions.id}`) : undefined,
        ),
      );
    if (!row) throw notFound('call', id);
    const segments = await tx
      .select()
      .from(agentSegments)
      .where(and(eq(agentSegments.tenantId, ctx.tenantId), eq(agentSegments.interactionId, id)))
      .orderBy(asc(agentSegments.connectedAt), asc(agentSegments.id));
    const timeline = await tx
      .select()
      .from(events)
      .where(and(eq(events.tenantId, ctx.tenantId), eq(events.interactionId, id)))
      .orderBy(asc(events.occurredAt), asc(events.id));
    return {
      ...presentCall(row),
      segments: segments.map((s) => ({
        id: s.id,
        agentId: s.agentId,
        queueId: s.queueId,
        visitId: s.visitId,
        connectedAt: s.connectedAt.toISOString(),
        disconnectedAt: iso(s.disconnectedAt),
        talkMs: s.talkMs,
        holdMs: s.holdMs,
        holdCount: s.holdCount,
        wrapupStartedAt: iso(s.wrapupStartedAt),
        wrapupEndedAt: iso(s.wrapupEndedAt),
        acwMs: s.acwMs,
        transferred: s.transferred,
        endedBy: s.endedBy,
      })),
      events: timeline.map((e) => ({
        id: e.id,
        type: e.type,
        provider: e.provider,
        occurredAt: e.occurredAt.toISOString(),
        occurredAtSource: e.occurredAtSource,
        receivedAt: e.receivedAt.toISOString(),
        legId: e.legId,
        queueId: e.queueId,
        agentId: e.agentId,
        attrs: e.attrs as Record<string, unknown>,
      })),
    };
  });
}

/** Epoch milliseconds of a timestamp(3), exact, for JSON built in SQL. */
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;

interface HandlingJson {
  agentIds: string[];
  segments: number;
  talkMs: number | null;
  holdMs: number;
  holdCount: number;
  acwMs: number | null;
  connected: boolean;
  wrapping: boolean;
  transfers: number;
}

interface VisitJson {
  id: string;
  queueId: string;
  enqueuedAt: number;
  enqueuedAtSource: Call['visits'][number]['enqueuedAtSource'];
  leftAt: number | null;
  outcome: QueueOutcome | null;
  closedBy: Call['visits'][number]['closedBy'];
  waitMs: number | null;
  agentId: string | null;
  answeredAt: number | null;
}

interface QueueJson {
  enqueuedAt: number | null;
  outcome: QueueOutcome | null;
  transfers: number;
  visits: VisitJson[];
}

/**
 * A call with its summary, in the same statement as the page: one aggregate over its agent segments
 * and one over its queue visits (both by queue_visits_interaction_idx / agent_segments_interaction_idx),
 * evaluated only for the rows the LIMIT keeps. (The outer table is named in plain SQL: drizzle writes a
 * column in a selected field without its table, which inside the subquery would mean the inner one.)
 */
const callColumns = {
  row: interactions,
  handling: sql<HandlingJson>`(SELECT json_build_object(
      'agentIds', coalesce(json_agg(s.agent_id ORDER BY s.connected_at, s.id), '[]'::json),
      'segments', count(*),
      'talkMs', CASE WHEN bool_and(s.talk_ms IS NOT NULL) THEN sum(s.talk_ms) END,
      'holdMs', coalesce(sum(s.hold_ms), 0),
      'holdCount', coalesce(sum(s.hold_count), 0),
      'acwMs', sum(s.acw_ms),
      'connected', coalesce(bool_or(s.disconnected_at IS NULL), false),
      'wrapping', coalesce(bool_or(s.wrapup_started_at IS NOT NULL AND s.wrapup_ended_at IS NULL), false),
      'transfers', count(*) FILTER (WHERE s.transferred))
    FROM agent_segments s WHERE s.tenant_id = interactions.tenant_id AND s.interaction_id = interactions.id)`,
  queue: sql<QueueJson>`(SELECT json_build_object(
      'enqueuedAt', ${sql.raw(epochMs('min(v.enqueued_at)'))},
      'outcome', (array_agg(v.outcome ORDER BY v.enqueued_at DESC, v.id DESC))[1],
      'transfers', count(*) FILTER (WHERE v.outcome = 'transferred'),
      'visits', coalesce(json_agg(json_build_object(
        'id', v.id, 'queueId', v.queue_id, 'enqueuedAt', ${sql.raw(epochMs('v.enqueued_at'))},
        'enqueuedAtSource', v.enqueued_at_source, 'leftAt', ${sql.raw(epochMs('v.left_at'))}, 'outcome', v.outcome,
        'closedBy', v.closed_by, 'waitMs', v.wait_ms, 'agentId', v.agent_id, 'answeredAt', ${sql.raw(epochMs('v.answered_at'))}
      ) ORDER BY v.enqueued_at, v.id), '[]'::json))
    FROM queue_visits v WHERE v.tenant_id = interactions.tenant_id AND v.interaction_id = interactions.id)`,
};

type CallRow = { row: typeof interactions.$inferSelect; handling: HandlingJson; queue: QueueJson };

const isoMs = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentCall({ row: r, handling: h, queue: q }: CallRow): Call {
  const at = (x: { at: number } | null) => (x ? new Date(x.at).toISOString() : '');
  return {
    id: r.id,
    direction: r.direction as Call['direction'],
    callerMasked: r.callerMasked,
    callerHash: r.callerHash,
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    firstEventAt: r.firstEventAt.toISOString(),
    lastEventAt: r.lastEventAt.toISOString(),
    hangupCause: r.hangupCause,
    endedBy: r.endedBy,
    disposition: r.disposition ? { ...r.disposition, at: at(r.disposition) } : null,
    survey: r.survey ? { ...r.survey, at: at(r.survey) } : null,
    enqueuedAt: isoMs(q.enqueuedAt),
    outcome: q.outcome,
    transfers: h.transfers + q.transfers,
    handling: {
      agentIds: [...new Set(h.agentIds)],
      segments: h.segments,
      talkMs: h.segments > 0 ? h.talkMs : null,
      holdMs: h.holdMs,
      holdCount: h.holdCount,
      acwMs: h.acwMs,
      handleMs: h.segments > 0 && h.talkMs !== null ? h.talkMs + h.holdMs + (h.acwMs ?? 0) : null,
      inProgress: h.connected || h.wrapping,
    },
    visits: q.visits.map((v) => ({
      id: v.id,
      queueId: v.queueId,
      enqueuedAt: new Date(v.enqueuedAt).toISOString(),
      enqueuedAtSource: v.enqueuedAtSource,
      leftAt: isoMs(v.leftAt),
      outcome: v.outcome,
      closedBy: v.closedBy,
      waitMs: v.waitMs,
      agentId: v.agentId,
      answeredAt: isoMs(v.answeredAt),
    })),
  };
}

/** Calls per page of an export: more than the API's 200, still a small statement. */
export const EXPORT_PAGE_SIZE = 500;

/**
 * Every call the filters select, a page at a time along the keyset `listCalls` pages by (from `cursor` when given),
 * so an export of a month holds one page in memory, never the month; each page is its own short transaction, so a
 * slow reader holds no transaction open. The first page is read before this returns: a cursor that does not fit or
 * a database that does not answer is an error answer, not a file cut short.
 */
export async function callPages(
  ctx: ServiceContext,
  f: Omit<CallFilters, 'limit'>,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<AsyncGenerator<Call[], void, undefined>> {
  const first = await listCalls(ctx, { ...f, limit: pageSize });
  return (async function* () {
    yield first.data;
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await listCalls(ctx, { ...f, limit: pageSize, cursor });
      yield page.data;
      cursor = page.nextCursor;
    }
  })();
}
