import { and, asc, count, eq, gt } from 'drizzle-orm';
import {
  MAX_WEBHOOK_ENDPOINTS,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEndpointPatch,
  type WebhookEndpointWithSecret,
  type WebhookTestResult,
} from '../../contracts/webhook-endpoints';
import type { Tx } from '../../db/client';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema';
import { conflict, invalid, notFound, unavailable } from '../../domain/errors';
import { webhookUrlProblem } from '../../domain/webhooks/url';
import { callWebhookSender } from '../../durable-objects/webhooks/webhook-sender.client';
import type { HotWebhookEndpoint } from '../../durable-objects/webhooks/webhook-sender.types';
import { newId } from '../../lib/ids';
import { encryptSecret } from '../../lib/secret-box';
import { generateWebhookSecret } from '../../lib/standard-webhooks';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { platformKeys, resealRows } from '../sealed-secrets';

type Row = typeof webhookEndpoints.$inferSelect;

/** After a rotation deliveries are signed with the previous secret too for this long, so receivers can switch over. */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 3600 * 1000;

const webhookKeys = (ctx: ServiceContext) => platformKeys(ctx, 'Webhook secrets');

/** Plain `http://` to the loopback host is allowed only where the Worker says so (`npm start`, the tests). */
const allowLoopbackHttp = (ctx: ServiceContext) => ['1', 'true'].includes(ctx.env.ALLOW_HTTP_WEBHOOKS ?? '');

function checkUrl(ctx: ServiceContext, url: string | undefined): void {
  if (url === undefined) return;
  const problem = webhookUrlProblem(url, allowLoopbackHttp(ctx));
  if (problem) throw invalid([{ in: 'body', pointer: '/url', detail: problem }]);
}

/** An endpoint row as the WebhookSenderDO keeps it. */
export function hotEndpoint(r: Row, now = Date.now()): HotWebhookEndpoint {
  const previousLive =
    r.previousSecretSealed !== null && r.previousSecretExpiresAt !== null && r.previousSecretExpiresAt.getTime() > now;
  return {
    id: r.id,
    url: r.url,
    eventTypes: r.eventTypes,
    enabled: r.enabled,
    secrets: previousLive && r.previousSecretSealed ? [r.secretSealed, r.previousSecretSealed] : [r.secretSealed],
    previousSecretExpiresAt: previousLive ? (r.previousSecretExpiresAt?.getTime() ?? null) : null,
    revision: r.revision,
    disabledAt: r.disabledAt?.getTime() ?? null,
    disabledReason: r.disabledReason,
  };
}

export function presentEndpoint(r: Row, now = Date.now()): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.eventTypes,
    enabled: r.enabled,
    disabledAt: r.disabledAt?.toISOString() ?? null,
    disabledReason: r.disabledReason,
    previousSecretExpiresAt:
      r.previousSecretExpiresAt && r.previousSecretExpiresAt.getTime() > now ? r.previousSecretExpiresAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

async function loadRow(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('webhook endpoint', id);
  return row;
}

const mirror = (ctx: ServiceContext, row: Row | null, id: string) =>
  callWebhookSender(ctx.env, ctx.tenantId, (s) =>
    row ? s.putEndpoint(ctx.tenantId, hotEndpoint(row, ctx.now.getTime())) : s.removeEndpoint(id),
  );

/** Creates an endpoint with a fresh signing secret, returned once and stored sealed. */
export async function createWebhookEndpoint(
  ctx: ServiceContext,
  input: WebhookEndpointCreate,
): Promise<WebhookEndpointWithSecret> {
  checkUrl(ctx, input.url);
  const keys = webhookKeys(ctx);
  const id = newId('webhookEndpoint', ctx.now.getTime());
  const secret = generateWebhookSecret();
  const secretSealed = await encryptSecret(keys, secret, id);
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      // A bound on what one tenant can make the sender do, not an exact quota: two creations at once may both pass.
      const [{ n } = { n: 0 }] = await tx
        .select({ n: count() })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.tenantId, ctx.tenantId));
      if (n >= MAX_WEBHOOK_ENDPOINTS) {
        throw conflict('LIMIT_REACHED', `A tenant has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first.`);
      }
      const [created] = await tx
        .insert(webhookEndpoints)
        .values({
          tenantId: ctx.tenantId,
          id,
          url: input.url,
          description: input.description ?? '',
          eventTypes: input.eventTypes,
          enabled: input.enabled ?? true,
          secretSealed,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      if (!created) throw new Error('webhook endpoint insert returned nothing');
      return created;
    },
    durable: (r) => mirror(ctx, r, id),
    undo: () => mirror(ctx, null, id),
  });
  return { ...presentEndpoint(row, ctx.now.getTime()), secret };
}

export async function listWebhookEndpoints(ctx: ServiceContext, page: PageRequest): Promise<Page<WebhookEndpoint>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), page.afterId ? gt(webhookEndpoints.id, page.afterId) : undefined))
      .orderBy(asc(webhookEndpoints.id))
      .limit(page.limit + 1),
  );
  return pageFrom(
    rows.map((r) => presentEndpoint(r, ctx.now.getTime())),
    page.limit,
  );
}

export async function getWebhookEndpoint(ctx: ServiceContext, id: string): Promise<WebhookEndpoint> {
  return presentEndpoint(await tenantTx(ctx, (tx) => loadRow(tx, ctx.tenantId, id)), ctx.now.getTime());
}

/**
 * Changes an endpoint. Enabling one (again) forgets why Callboard disabled it, and its waiting messages are sent
 * at once; every change bumps its revision, so a disable the sender decided before this change does not undo it.
 */
export async function updateWebhookEndpoint(
  ctx: ServiceContext,
  id: string,
  patch: WebhookEndpointPatch,
): Promise<WebhookEndpoint> {
  checkUrl(ctx, patch.url);
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      const enabledChanges = patch.enabled !== undefined && patch.enabled !== before.enabled;
      const [after] = await tx
        .update(webhookEndpoints)
        .set({
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.eventTypes !== undefined ? { eventTypes: patch.eventTypes } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(enabledChanges ? { disabledAt: null, disabledReason: null } : {}),
          revision: before.revision + 1,
          updatedAt: ctx.now,
        })
        .where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), eq(webhookEndpoints.id, id)))
        .returning();
      return { before, after: after ?? before };
    },
    durable: ({ after }) => mirror(ctx, after, id),
    undo: ({ before }) => mirror(ctx, before, id),
  });
  return presentEndpoint(after, ctx.now.getTime());
}

/** Deletes an endpoint, its delivery log and the messages waiting for it. */
export async function deleteWebhookEndpoint(ctx: ServiceContext, id: string): Promise<{ id: string; outcome: 'deleted' }> {
  await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      await tx.delete(webhookEndpoints).where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), eq(webhookEndpoints.id, id)));
      await tx
        .delete(webhookDeliveries)
        .where(and(eq(webhookDeliveries.tenantId, ctx.tenantId), eq(webhookDeliveries.endpointId, id)));
      return before;
    },
    durable: () => mirror(ctx, null, id),
    undo: (before) => mirror(ctx, before, id),
  });
  return { id, outcome: 'deleted' };
}

/** A new signing secret, returned once; for 24 h deliveries carry a signature under the previous one too. */
export async function rotateWebhookSecret(ctx: ServiceContext, id: string): Promise<WebhookEndpointWithSecret> {
  const keys = webhookKeys(ctx);
  const secret = generateWebhookSecret();
  const sealed = await encryptSecret(keys, secret, id);
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      const [after] = await tx
        .update(webhookEndpoints)
        .set({
          secretSealed: sealed,
          previousSecretSealed: before.secretSealed,
          previousSecretExpiresAt: new Date(ctx.now.getTime() + WEBHOOK_SECRET_OVERLAP_MS),
          revision: before.revision + 1,
          updatedAt: ctx.now,
        })
        .where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), eq(webhookEndpoints.id, id)))
        .returning();
      if (!after) throw notFound('webhook endpoint', id);
      return { before, after };
    },
    durable: ({ after }) => mirror(ctx, after, id),
    undo: ({ before }) => mirror(ctx, before, id),
  });
  return { ...presentEndpoint(after, ctx.now.getTime()), secret };
}

/** Sends a `webhook.test` event to the endpoint now and answers how that first attempt went. */
export async function testWebhookEndpoint(ctx: ServiceContext, id: string): Promise<WebhookTestResult> {
  const row = await tenantTx(ctx, (tx) => loadRow(tx, ctx.tenantId, id));
  if (!row.enabled) {
    throw conflict('WEBHOOK_ENDPOINT_DISABLED', 'The endpoint is disabled: enable it (PATCH enabled: true) to send to it.');
  }
  const outcome = await callWebhookSender(ctx.env, ctx.tenantId, (s) => s.sendTest(id));
  if (!outcome) throw unavailable('The webhook sender does not know this endpoint yet; retry, or resync the tenant.');
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { ...outcome, nextAttemptAt: iso(outcome.nextAttemptAt) };
}

/** Every endpoint of the tenant as the WebhookSenderDO keeps them (a resync). */
export async function loadHotEndpoints(tx: Tx, tenantId: string, now: number): Promise<HotWebhookEndpoint[]> {
  const rows = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId));
  return rows.map((r) => hotEndpoint(r, now));
}

/** Seals every endpoint secret of the tenant under the current platform key (after a key rotation). */
export async function reencryptWebhookSecrets(ctx: ServiceContext): Promise<{ reencrypted: number; total: number }> {
  const keys = webhookKeys(ctx);
  const rows = await tenantTx(ctx, (tx) => tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, ctx.tenantId)));
  const reencrypted = await resealRows(ctx, keys, rows, {
    update: async (tx, r, sealed) =>
      (
        await tx
          .update(webhookEndpoints)
          .set(sealed)
          .where(and(eq(webhookEndpoints.tenantId, ctx.tenantId), eq(webhookEndpoints.id, r.id)))
          .returning()
      )[0],
    mirror: (after) => mirror(ctx, after, after.id),
  });
  return { reencrypted, total: rows.length };
}
