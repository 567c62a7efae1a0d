import { and, desc, eq, gte, lt, ne, sql } from 'drizzle-orm';
import type { ALERT_STATUSES, Alert } from '../../contracts/alerts';
import { alerts } from '../../db/schema';
import { AppError, invalid } from '../../domain/errors';
import { callLiveHub } from '../../durable-objects/live/live-hub.client';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { type ServiceContext, tenantTx } from '../context';

type Row = typeof alerts.$inferSelect;

function presentAlert(r: Row): Alert {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: r.id,
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    severity: r.severity as Alert['severity'],
    status: r.status as Alert['status'],
    scope: r.scope,
    subject: r.subject,
    agentId: r.agentId,
    condition: r.condition,
    value: r.value,
    resolvedValue: r.resolvedValue,
    triggeredAt: r.triggeredAt.toISOString(),
    acknowledgedAt: iso(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    resolvedAt: iso(r.resolvedAt),
  };
}

export interface AlertListQuery {
  status?: (typeof ALERT_STATUSES)[number] | 'open';
  ruleId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/**
 * The alert history, newest first, from Postgres (what the live hub raised, about a second after it did): by
 * status (`open` = triggered or acknowledged), rule and time of triggering.
 */
export async function listAlerts(ctx: ServiceContext, q: AlertListQuery): Promise<{ data: Alert[]; nextCursor: string | null }> {
  let before: { at: Date; id: string } | null = null;
  if (q.cursor) {
    const decoded = decodeCursor(q.cursor);
    const [at, id] = decoded?.split('|') ?? [];
    if (!at || !id || Number.isNaN(Date.parse(at)))
      throw invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);
    before = { at: new Date(at), id };
  }
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(alerts)
      .where(
        and(
          eq(alerts.tenantId, ctx.tenantId),
          q.status === 'open' ? ne(alerts.status, 'resolved') : q.status ? eq(alerts.status, q.status) : undefined,
          q.ruleId ? eq(alerts.ruleId, q.ruleId) : undefined,
          q.from ? gte(alerts.triggeredAt, new Date(q.from)) : undefined,
          q.to ? lt(alerts.triggeredAt, new Date(q.to)) : undefined,
          before ? sql`(${alerts.triggeredAt}, ${alerts.id}) < (${before.at}, ${before.id})` : undefined,
        ),
      )
      .orderBy(desc(alerts.triggeredAt), desc(alerts.id))
      .limit(q.limit + 1),
  );
  const data = rows.slice(0, q.limit).map(presentAlert);
  const last = rows.length > q.limit ? data.at(-1) : undefined;
  return { data, nextCursor: last ? encodeCursor(`${last.triggeredAt}|${last.id}`) : null };
}

/**
 * Acknowledges an open alert: someone is on it. The hub holds open alerts, so this works while Postgres is down;
 * the acknowledgement reaches the stream, the webhooks and the history.
 */
export async function acknowledgeAlert(ctx: ServiceContext, alertId: string, by: string): Promise<Alert> {
  const acked = await callLiveHub(ctx.env, ctx.tenantId, (s) => s.acknowledgeAlert(alertId, by));
  if (acked) return acked;
  const [row] = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(alerts)
      .where(and(eq(alerts.tenantId, ctx.tenantId), eq(alerts.id, alertId))),
  );
  if (row?.status === 'resolved')
    throw new AppError('conflict', 'ALERT_RESOLVED', 'The alert has resolved; there is nothing to acknowledge.');
  throw new AppError('not_found', 'NOT_FOUND', `No open alert with id '${alertId}' exists in this tenant.`);
}
