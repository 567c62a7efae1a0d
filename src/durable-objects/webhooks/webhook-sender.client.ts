import {
  MAX_WEBHOOK_PAYLOAD_BYTES,
  utf8Length,
  type WebhookEvent,
  WebhookEventSchema,
  webhookPayload,
} from '../../domain/webhooks/events';
import type { Env } from '../../env';
import { type Awaitable, callDurableObject, type OutboxPort } from '../call';
import type { WebhookSenderDO } from './webhook-sender.do';
import type { AttemptOutcome, HotWebhookEndpoint, PublishResult, SenderBacklog } from './webhook-sender.types';

export type { WebhookEvent } from '../../domain/webhooks/events';
export type { PublishResult } from './webhook-sender.types';

/** What callers may ask of a tenant's WebhookSenderDO (it implements this; services depend on it, not the class). */
export interface WebhookSenderPort extends OutboxPort {
  putEndpoint(tenantId: string, endpoint: HotWebhookEndpoint): Promise<void>;
  removeEndpoint(id: string): Awaitable<void>;
  replaceEndpoints(tenantId: string, endpoints: HotWebhookEndpoint[]): Promise<number>;
  publish(event: WebhookEvent): Promise<PublishResult>;
  sendTest(endpointId: string): Promise<AttemptOutcome | null>;
  backlog(): Awaitable<SenderBacklog>;
}

/** The WebhookSenderDO of a tenant: one per tenant, named by its id. */
export function webhookSenderStub(env: Pick<Env, 'WEBHOOK_SENDER'>, tenantId: string): DurableObjectStub<WebhookSenderDO> {
  return env.WEBHOOK_SENDER.get(env.WEBHOOK_SENDER.idFromName(tenantId));
}

/** Calls a tenant's WebhookSenderDO by RPC through its port (see `callDurableObject` for failures). */
export function callWebhookSender<R>(
  env: Pick<Env, 'WEBHOOK_SENDER'>,
  tenantId: string,
  call: (stub: WebhookSenderPort) => R,
): Promise<Awaited<R>> {
  const port: WebhookSenderPort = webhookSenderStub(env, tenantId);
  return callDurableObject(port, 'Webhook delivery', call);
}

/**
 * Sends an event to the tenant's webhook endpoints that subscribe to its type: queued durably (one message per
 * endpoint, in one storage transaction of the tenant's WebhookSenderDO) before this returns; delivered, signed
 * and retried by the object's alarm (docs/webhooks-out.md). Endpoints receive
 * `{"type": event.type, "timestamp": <occurredAt as ISO 8601>, "data": event.data}` with `webhook-id` = the
 * returned `messageId`. Publishing the same `event.id` again (within 7 days) queues nothing (`duplicate`).
 * Throws a ZodError for an event that breaks `WebhookEventSchema`, a RangeError for a body over 256 KiB, and
 * `unavailable` (503) when the object cannot be reached: safe to retry.
 */
export async function publishWebhookEvent(
  env: Pick<Env, 'WEBHOOK_SENDER'>,
  tenantId: string,
  event: WebhookEvent,
): Promise<PublishResult> {
  const parsed = WebhookEventSchema.parse(event);
  const bytes = utf8Length(webhookPayload(parsed));
  if (bytes > MAX_WEBHOOK_PAYLOAD_BYTES) {
    throw new RangeError(`A webhook payload holds at most ${MAX_WEBHOOK_PAYLOAD_BYTES} bytes; this ${event.type} has ${bytes}.`);
  }
  return callWebhookSender(env, tenantId, (s) => s.publish(parsed));
}
