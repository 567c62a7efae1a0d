import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { ADAPTERS } from '../../adapters/telephony/registry';
import type { AdapterEvent } from '../../adapters/telephony/types';
import type { Delivery, RenormalizeResult } from '../../contracts/deliveries';
import { RENORMALIZE_PAGE } from '../../contracts/deliveries';
import type { Tx } from '../../db/client';
import { connectorDeliveries, connectors, tenants } from '../../db/schema';
import type { DeliveryOutcome } from '../../domain/deliveries';
import { AppError, notFound } from '../../domain/errors';
import type { Provider } from '../../domain/providers';
import { parsePlatformKeys } from '../../lib/secret-box';
import { type ServiceContext, tenantTx } from '../context';
import { openDeliveryBody, resealDeliveryBody } from '../ingest/delivery-body';
import { connectorLookup, tenantConfig } from '../ingest/hot-config';
import { adapterContext, inboundRequest, ingestAll, normalize } from '../ingest/receive-delivery';
import { type Page, type PageRequest, pageFrom } from '../pagination';

type Row = typeof connectorDeliveries.$inferSelect;

export interface DeliveryFilters {
  outcome?: DeliveryOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export function presentDelivery(r: Row): Delivery {
  return {
    id: r.id,
    connectorId: r.connectorId,
    requestId: r.requestId,
    receivedAt: r.receivedAt.toISOString(),
    outcome: r.outcome as DeliveryOutcome,
    httpStatus: r.httpStatus,
    verified: r.verified,
    reason: r.reason,
    detail: r.detail,
    method: r.method,
    url: r.url,
    contentType: r.contentType,
    headers: r.headers,
    body: r.body,
    bodyTruncated: r.bodyTruncated,
    events: r.events,
    accepted: r.accepted,
    duplicates: r.duplicates,
    rejected: r.rejected,
    ignored: r.ignored,
    suppressed: r.suppressed,
  };
}

async function requireConnector(tx: Tx, tenantId: string, id: string): Promise<{ provider: Provider }> {
  const [row] = await tx
    .select({ provider: connectors.provider })
    .from(connectors)
    .where(and(eq(connectors.tenantId, tenantId), eq(connectors.id, id)));
  if (!row) throw notFound('connector', id);
  return { provider: row.provider as Provider };
}

/** Deliveries still within the tenant's raw-retention days (older ones are purged as new ones arrive). */
function retained(tenantId: string): SQL {
  return sql`${connectorDeliveries.receivedAt} >= now() - make_interval(days =>
    (SELECT (${tenants.settings}->>'rawRetentionDays')::int FROM ${tenants} WHERE ${tenants.id} = ${tenantId}))`;
}

/** A connector's recent deliveries, newest first. */
export async function listDeliveries(
  ctx: ServiceContext,
  connectorId: string,
  page: PageRequest,
  f: DeliveryFilters,
): Promise<Page<Delivery>> {
  return tenantTx(ctx, async (tx) => {
    await requireConnector(tx, ctx.tenantId, connectorId);
    const rows = await tx
      .select()
      .from(connectorDeliveries)
      .where(
        and(
          eq(connectorDeliveries.tenantId, ctx.tenantId),
          eq(connectorDeliveries.connectorId, connectorId),
          retained(ctx.tenantId),
          f.outcome ? eq(connectorDeliveries.outcome, f.outcome) : undefined,
          f.from ? sql`${connectorDeliveries.receivedAt} >= ${new Date(f.from)}` : undefined,
          f.to ? sql`${connectorDeliveries.receivedAt} < ${new Date(f.to)}` : undefined,
          page.afterId ? sql`${connectorDeliveries.id} < ${page.afterId}` : undefined,
        ),
      )
      .orderBy(desc(connectorDeliveries.id))
      .limit(page.limit + 1);
    return pageFrom(rows.map(presentDelivery), page.limit);
  });
}

/**
 * Runs a connector's verified deliveries of a time range through its adapter again (after an
 * adapter fix) and ingests the result as revisions: an event whose content is unchanged has no
 * effect, a changed one replaces the old content and its interaction is projected again, a new
 * one is accepted. Safe to repeat. At most `RENORMALIZE_PAGE` deliveries per call.
 */
export async function renormalizeDeliveries(
  ctx: ServiceContext,
  connectorId: string,
  range: { from: string; to: string },
): Promise<RenormalizeResult> {
  const rows = await tenantTx(ctx, async (tx) => {
    await requireConnector(tx, ctx.tenantId, connectorId);
    return tx
      .select()
      .from(connectorDeliveries)
      .where(
        and(
          eq(connectorDeliveries.tenantId, ctx.tenantId),
          eq(connectorDeliveries.connectorId, connectorId),
          eq(connectorDeliveries.verified, true),
          retained(ctx.tenantId),
          sql`${connectorDeliveries.receivedAt} >= ${new Date(range.from)}`,
          sql`${connectorDeliveries.receivedAt} < ${new Date(range.to)}`,
          // A delivery refused because the connector was disabled stays refused.
          sql`${connectorDeliveries.reason} IS DISTINCT FROM 'CONNECTOR_DISABLED'`,
        ),
      )
      .orderBy(asc(connectorDeliveries.receivedAt), asc(connectorDeliveries.id))
      .limit(RENORMALIZE_PAGE + 1);
  });
  const page = rows.slice(0, RENORMALIZE_PAGE);
  const next = rows[RENORMALIZE_PAGE];
  const lookup = await connectorLookup(ctx.env, ctx.tenantId, connectorId, true);
  if (!lookup) throw notFound('connector', connectorId);
  const adapter = ADAPTERS[lookup.connector.provider];

  const events: AdapterEvent[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  let processed = 0;
  for (const r of page) {
    // The stored body has its phone numbers masked: the exact one is sealed beside it (older rows: the body is exact).
    const rawBody = r.bodySealed ? await openDeliveryBody(ctx.env, ctx.tenantId, r.id, r.bodySealed) : r.body;
    if (r.bodyTruncated || rawBody === null) {
      skipped += 1;
      continue;
    }
    const request = inboundRequest(
      { method: r.method, requestUrl: r.url, headers: new Headers(r.headers), rawBody, contentType: r.contentType },
      { ...lookup, connector: { ...lookup.connector, options: { ...lookup.connector.options, publicBaseUrl: undefined } } },
    );
    try {
      const normalized = await normalize(adapter, request, adapterContext(lookup, [], r.receivedAt.getTime()));
      processed += 1;
      // Retried deliveries repeat events: the first delivery's version of each id stands.
      for (const e of normalized.events) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        events.push(e);
      }
    } catch (err) {
      // Still unreadable by this adapter: it stays as it was.
      if (!(err instanceof AppError)) throw err;
      skipped += 1;
    }
  }
  const result =
    events.length === 0
      ? { results: [] }
      : await ingestAll(ctx, events, false, {
          provider: lookup.connector.provider,
          connectorId,
          connectorSecret: null,
          unknownKeys: lookup.connector.unknownKeys,
          config: tenantConfig(ctx.env, ctx.tenantId, lookup.configVersion),
          revise: true,
        });
  const count = (s: string) => result.results.filter((x) => x.status === s).length;
  ctx.log.info('deliveries normalized again', {
    connectorId,
    deliveries: processed,
    events: events.length,
    revised: count('revised'),
  });
  return {
    deliveries: processed,
    skipped,
    events: events.length,
    accepted: count('accepted'),
    revised: count('revised'),
    unchanged: count('duplicate'),
    rejected: count('rejected'),
    nextFrom: next ? next.receivedAt.toISOString() : null,
  };
}

/** Delivery bodies re-sealed per call at most; the platform operator calls again while some remain. */
const RESEAL_BATCH = 1000;

/**
 * Re-seals the delivery log's exact bodies still sealed under an older platform key with the current one,
 * so the old key can be dropped without losing re-normalization of the tenant's retained deliveries.
 */
export async function resealDeliveryBodies(ctx: ServiceContext): Promise<{ resealed: number; remaining: number }> {
  const current = `v${parsePlatformKeys(ctx.env.PLATFORM_KEYS).currentVersion}.%`;
  const stale = sql`${connectorDeliveries.tenantId} = ${ctx.tenantId} AND ${connectorDeliveries.bodySealed} IS NOT NULL
      AND ${connectorDeliveries.bodySealed} NOT LIKE ${current}`;
  return tenantTx(ctx, async (tx) => {
    const rows = await tx
      .select({ id: connectorDeliveries.id, sealed: connectorDeliveries.bodySealed })
      .from(connectorDeliveries)
      .where(stale)
      .orderBy(asc(connectorDeliveries.id))
      .limit(RESEAL_BATCH);
    const resealed: { id: string; sealed: string }[] = [];
    for (const r of rows) {
      const sealed = r.sealed ? await resealDeliveryBody(ctx.env, ctx.tenantId, r.id, r.sealed) : null;
      // A body no key opens any more stays as it is (re-normalization skips it, as before).
      if (sealed) resealed.push({ id: r.id, sealed });
    }
    if (resealed.length > 0) {
      await tx.execute(sql`
        UPDATE connector_deliveries d SET body_sealed = r.sealed
        FROM jsonb_to_recordset(${JSON.stringify(resealed)}::jsonb) AS r(id text, sealed text)
        WHERE d.tenant_id = ${ctx.tenantId} AND d.id = r.id`);
    }
    const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(connectorDeliveries).where(stale);
    // Bodies no key can open are left out of `remaining`: calling again would not change them.
    return { resealed: resealed.length, remaining: Math.max(0, (left?.n ?? 0) - (rows.length - resealed.length)) };
  });
}
