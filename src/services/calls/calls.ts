import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Call, CallDetail } from '../../contracts/calls';
import type { Tx } from '../../db/client';
import { agentSegments, events, interactions, queueVisits } from '../../db/schema';
import { invalid, notFound } from '../../domain/errors';
import type { QueueOutcome } from '../../domain/events/event-types';
import { isStorableText } from '../../domain/text';
import { type ServiceContext, tenantTx } from '../context';
import type { Page } from '../pagination';

export interface CallFilters {
  queueId?: string | undefined;
  agentId?: string | undefined;
  outcome?: QueueOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Newest first: the cursor is the (first event instant, id) of the last call on the page. */
function decodeCallCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))) as [unknown, unknown];
    // Only what an issued cursor can hold: a whole ms instant a Date can represent, and an id Postgres can compare.
    const valid = Number.isSafeInteger(at) && !Number.isNaN(new Date(at as number).getTime());
    if (valid && typeof id === 'string' && isStorableText(id)) return { at: new Date(at as number), id };
  } catch {}
  throw invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);
}

function encodeCallCursor(at: Date, id: string): string {
  return btoa(JSON.stringify([at.getTime(), id]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
}

/** Calls of the tenant, newest first, filtered by queue, agent, visit outcome and time range. */
export async function listCalls(ctx: ServiceContext, f: CallFilters): Promise<Page<Call>> {
  const after = f.cursor ? decodeCallCursor(f.cursor) : null;
  return tenantTx(ctx, async (tx) => {
    const conditions: (SQL | undefined)[] = [
      eq(interactions.tenantId, ctx.tenantId),
      f.from ? sql`${interactions.firstEventAt} >= ${new Date(f.from)}` : undefined,
      f.to ? sql`${interactions.firstEventAt} < ${new Date(f.to)}` : undefined,
      after ? sql`(${interactions.firstEventAt}, ${interactions.id}) < (${after.at}, ${after.id})` : undefined,
    ];
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
    const rows = await tx
      .select()
      .from(interactions)
      .where(and(...conditions))
      .orderBy(desc(interactions.firstEventAt), desc(interactions.id))
      .limit(f.limit + 1);
    const page = rows.slice(0, f.limit);
    const visits = await visitsOf(
      tx,
      ctx.tenantId,
      page.map((r) => r.id),
    );
    const last = page.at(-1);
    return {
      data: page.map((r) => presentCall(r, visits.get(r.id) ?? [])),
      nextCursor: rows.length > f.limit && last ? encodeCallCursor(last.firstEventAt, last.id) : null,
    };
  });
}

/** One call with its visits, agent segments and event timeline. */
export async function getCall(ctx: ServiceContext, id: string): Promise<CallDetail> {
  return tenantTx(ctx, async (tx) => {
    const [row] = await tx
      .select()
      .from(interactions)
      .where(and(eq(interactions.tenantId, ctx.tenantId), eq(interactions.id, id)));
    if (!row) throw notFound('call', id);
    const visits = (await visitsOf(tx, ctx.tenantId, [id])).get(id) ?? [];
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
      ...presentCall(row, visits),
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

async function visitsOf(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, Call['visits']>> {
  const out = new Map<string, Call['visits']>();
  if (ids.length === 0) return out;
  const rows = await tx
    .select()
    .from(queueVisits)
    .where(and(eq(queueVisits.tenantId, tenantId), sql`${queueVisits.interactionId} IN ${ids}`))
    .orderBy(asc(queueVisits.enqueuedAt), asc(queueVisits.id));
  for (const v of rows) {
    const list = out.get(v.interactionId) ?? [];
    list.push({
      id: v.id,
      queueId: v.queueId,
      enqueuedAt: v.enqueuedAt.toISOString(),
      enqueuedAtSource: v.enqueuedAtSource as Call['visits'][number]['enqueuedAtSource'],
      leftAt: iso(v.leftAt),
      outcome: v.outcome as QueueOutcome | null,
      closedBy: v.closedBy as Call['visits'][number]['closedBy'],
      waitMs: v.waitMs,
      agentId: v.agentId,
      answeredAt: iso(v.answeredAt),
    });
    out.set(v.interactionId, list);
  }
  return out;
}

function presentCall(r: typeof interactions.$inferSelect, visits: Call['visits']): Call {
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
    visits,
  };
}
