import { AppError, type FieldIssue } from '../../domain/errors';
import type { TimeSource } from '../../domain/events/event-types';
import { type AnyEvent, MAX_FUTURE_SKEW_MS, normalizeWireEvent } from '../../domain/events/normalized';
import type { WireEvent } from '../../domain/events/wire';
import type { Provider } from '../../domain/providers';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { TenantConfig, UnknownKeyPolicy } from '../../durable-objects/tenant/tenant.types';
import type { ServiceContext } from '../context';
import { hashCaller } from './caller-hash';

/** `revised` only when re-normalizing: an event seen before whose content changed. */
export type EventStatus = 'accepted' | 'duplicate' | 'rejected' | 'revised';

export interface IngestResponse {
  results: { id: string; status: EventStatus; reason?: string }[];
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * The one way events get in, for `/v1/events` and every webhook: normalize (instants to UTC ms,
 * the caller's number to a salted hash), let the TenantDO resolve and route, hand each queue its
 * events, and answer per event. It returns only once every accepted event is committed by its
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

  const routed = await callTenantDO(ctx.env, ctx.tenantId, (s) =>
    s.route({
      events: routable.map((r) => r.event),
      connectorId: input.connectorId,
      connectorSecret: input.connectorSecret,
      unknownKeys: input.unknownKeys,
      ...(input.revise ? { revise: true } : {}),
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

  const fromQueues = new Map<string, 'accepted' | 'duplicate' | 'revised'>();
  await Promise.all(
    routed.batches.map(async (d) => {
      const r = await callQueueDO(ctx.env, ctx.tenantId, d.queueId, (s) =>
        s.ingest({ tenantId: ctx.tenantId, settings: routed.settings, ...d }),
      );
      // A queue-less event goes to every queue of its interaction: revised anywhere means revised.
      for (const x of r.results) if (fromQueues.get(x.id) !== 'revised') fromQueues.set(x.id, x.status);
    }),
  );

  routed.outcomes.forEach((o, i) => {
    const { index, event } = routable[i] as { index: number; event: AnyEvent };
    if (o.status === 'routed') results[index] = { id: event.id, status: fromQueues.get(event.id) ?? 'accepted' };
    else if (o.status === 'rejected') results[index] = { id: event.id, status: 'rejected', reason: o.reason };
    else results[index] = { id: event.id, status: o.status };
  });
  // Like a repeat in a later request: a duplicate of what the first occurrence did, or its rejection.
  for (const { index, first } of repeats) {
    const r = results[first] as IngestResponse['results'][number];
    results[index] = r.status === 'rejected' ? { ...r } : { id: r.id, status: 'duplicate' };
  }
  const count = (s: EventStatus) => results.filter((r) => r.status === s).length;
  ctx.log.info('events ingested', {
    tenantId: ctx.tenantId,
    provider: input.provider,
    connectorId: input.connectorId,
    events: results.length,
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
  });
  return { results, accepted: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected') };
}
