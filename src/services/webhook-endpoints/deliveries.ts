import { and, desc, eq, sql } from 'drizzle-orm';
import type { WebhookAttempt } from '../../contracts/webhook-endpoints';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema';
import { notFound } from '../../domain/errors';
import type { WebhookAttemptStatus } from '../../domain/webhooks/attempts';
import { type ServiceContext, tenantTx } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';

type Row = typeof webhookDeliveries.$inferSelect;

function presentAttempt(r: Row): WebhookAttempt {
  return {
    id: r.id,
    endpointId: r.endpointId,
    messageId: r.messageId,
    eventType: r.eventType,
    attempt: r.attempt,
    status: r.status as WebhookAttemptStatus,
    httpStatus: r.httpStatus,
    responseBody: r.responseBody,
    responseTruncated: r.responseTruncated,
    error: r.error,
    durationMs: r.durationMs,
    attemptedAt: r.attemptedAt.toISOString(),
    nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
  };
}

/** An endpoint's delivery attempts, newest first (Postgres, about a second behind the sender). */
export async function listWebhookAttempts(
  ctx: ServiceContext,
  endpointId: string,
  page: PageRequest,
  filter: { status?: WebhookAttemptStatus | undefined },
): Promise<Page<WebhookAttempt>> {
  return tenantTx(ctx, async (tx) => {
    const [endpoint] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), eq(webhookEndpoints.id, endpointId)));
    if (!endpoint) throw notFound('webhook endpoint', endpointId);
    const rows = await tx
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.tenantId, ctx.tenantId),
          eq(webhookDeliveries.endpointId, endpointId),
          filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
          page.afterId ? sql`${webhookDeliveries.id} < ${page.afterId}` : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.id))
      .limit(page.limit + 1);
    return pageFrom(rows.map(presentAttempt), page.limit);
  });
}
