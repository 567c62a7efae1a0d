import type { z } from 'zod';
import type { IngestResultSchema } from '../../contracts/events';
import type { DeliveryRecord } from '../../domain/deliveries';
import { AppError, type FieldIssue, unavailable } from '../../domain/errors';
import type { TimeSource } from '../../domain/events/event-types';
import { type AnyEvent, MAX_FUTURE_SKEW_MS, normalizeWireEvent } from '../../domain/events/normalized';
import type { WireEvent } from '../../domain/events/wire';
import { countResults, type EventStatus, fillSlots, type ResultSlot } from '../../domain/ingest-results';
import type { Provider } from '../../domain/providers';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { TenantConfig, UnknownKeyPolicy } from '../../durable-objects/tenant/tenant.types';
import type { ServiceContext } from '../context';
import { hashCaller } from './caller-hash';

export type { EventStatus };

/** The answer to an ingest request (`IngestResultSchema` is the one source). */
export type IngestResponse = z.infer<typeof IngestResultSchema>;

/**
 * The one way events get in, for `/v1/events` and every webhook: normalize (instants to UTC ms,
 * the caller's number to a salted hash), let the TenantDO resolve, route and hand each queue its
 * events (one round trip; a webhook delivery is logged in it too), and answer per event. It returns only once every accepted event is committed by its
 * Durable Object; if one call fails the whole request is a 503 — a retry is safe, repeats are
 * dropped by id. Postgres is never touched.
 */
export async function ingestEvents(
  ctx: ServiceContext,
  input: {
    /** Wire events; an adapter may say an instant is not the provider's own (`received`, `derived`). */
    events: (WireEvent & { occurredAtSource?: TimeSource })[];
    provider: Provider;
    connectorId: string | null;
    connectorSecret: string | null;
    unknownKeys: UnknownKeyPolicy;
    config: TenantConfig | Promise<TenantConfig>;
    /** Re-normalization: events already seen whose content changed replace the old ones. */
    revise?: boolean;
    /**
     * A webhook delivery to log in the same round trip: its record without outcome and counts, and how
     * this request's answer fits into the delivery's (`ingestAll` may split a delivery).
     */
    delivery?: { record: Omit<DeliveryRecord, 'retentionDays'>; place: (slots: ResultSlot[]) => ResultSlot[] };
  },
): Promise<IngestResponse> {
  const receivedAt = ctx.now.getTime();
  const config = await input.config;
  const results: IngestResponse['results'] = input.events.map((e) => ({ id: e.id, status: 'rejected' }));
  const routable: { index: number; event: AnyEvent }[] = [];
  // An id repeated within the request: only its first occurrence goes in, the later ones answer after it.
  const firstIndex = new Map<string, number>();
  const repeats: { index: number; first: number }[] = [];
  input.events.forEach((e, index) => {
    const first = firstIndex.get(e.id);
    if (first === undefined) firstIndex.set(e.id, index);
    else repeats.push({ index, first });
  });
  await Promise.all(
    input.events.map(async (wire, index) => {
      if (firstIndex.get(wire.id) !== index) return;
      const caller = wire.caller ? await hashCaller(config.callerSalt, wire.caller) : null;
      const event = normalizeWireEvent(wire, { tenantId: ctx.tenantId, provider: input.provider, receivedAt, caller });
      if (wire.occurredAtSource) event.occurredAtSource = wire.occurredAtSource;
      if (event.occurredAt > receivedAt + MAX_FUTURE_SKEW_MS) {
        results[index] = { id: wire.id, status: 'rejected', reason: 'occurred_in_future' };
        return;
      }
      routable.push({ index, event });
    }),
  );
  routable.sort((a, b) => a.index - b.index);
  const slots: ResultSlot[] = results.map((r) => ({ result: r }));
  routable.forEach((r, k) => {
    slots[r.index] = { id: r.event.id, routed: k };
  });
  // Like a repeat in a later request: a duplicate of what the first occurrence did, or its rejection.
  for (const { index, first } of repeats) slots[index] = { id: input.events[index]?.id ?? '', sameAs: first };

  // One round trip: the TenantDO routes, hands each QueueDO its batch, and logs the delivery.
  const routed = await callTenantDO(ctx.env, ctx.tenantId, (s) =>
    s.ingest({
      events: routable.map((r) => r.event),
      connectorId: input.connectorId,
      connectorSecret: input.connectorSecret,
      unknownKeys: input.unknownKeys,
      ...(input.revise ? { revise: true } : {}),
      ...(input.delivery ? { delivery: { record: input.delivery.record, slots: input.delivery.place(slots) } } : {}),
    }),
  );
  if (!routed.ok && routed.reason === 'connector_unavailable') {
    throw new AppError('not_found', 'CONNECTOR_DISABLED', `The connector '${input.connectorId}' is disabled or was deleted.`);
  }
  if (!routed.ok && routed.reason === 'secret_revoked') {
    throw new AppError(
      'unauthenticated',
      'SIGNATURE_INVALID',
      "The signing secret was rotated out; sign with the connector's current secret.",
    );
  }
  if (!routed.ok && routed.reason === 'queue_unavailable') {
    throw unavailable('Queue state is unavailable; retry the request.');
  }
  if (!routed.ok) {
    const issues: FieldIssue[] = routed.errors.map((e) => ({
      in: 'body',
      pointer: `/events/${routable[e.index]?.index ?? e.index}/${e.field}`,
      detail: e.detail,
    }));
    throw new AppError(
      'not_found',
      'UNKNOWN_REFERENCE',
      'The events refer to queues or agents that do not exist in this tenant.',
      {
        issues,
      },
    );
  }
  const filled = fillSlots(slots, routed.results);
  const counts = countResults(filled);
  ctx.log.info('events ingested', {
    tenantId: ctx.tenantId,
    provider: input.provider,
    connectorId: input.connectorId,
    events: filled.length,
    ...counts,
  });
  return { results: filled, ...counts };
}
