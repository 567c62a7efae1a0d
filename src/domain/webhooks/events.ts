import { z } from 'zod';
import { isStorableText } from '../text';

/**
 * The events Callboard sends to tenants' webhook endpoints (docs/webhooks-out.md). An endpoint subscribes to
 * types, to a family (`alert.*`) or to everything (`*`). `webhook.test` goes only to the endpoint it tests.
 */
export const WEBHOOK_EVENTS = {
  'alert.triggered': "An alert rule's condition became true.",
  'alert.acknowledged': 'Someone acknowledged a triggered alert.',
  'alert.resolved': "A triggered alert's condition no longer holds (or it was resolved by hand).",
  'webhook.endpoint.disabled':
    "One of the tenant's webhook endpoints was disabled because its deliveries kept failing; sent to the tenant's other endpoints.",
  'webhook.test': 'Sent by `POST /v1/webhook-endpoints/{endpointId}/test` to that endpoint only; cannot be subscribed to.',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as [WebhookEventType, ...WebhookEventType[]];

/** Types an endpoint may list in `eventTypes`. */
export const SUBSCRIBABLE_EVENT_TYPES = [
  'alert.triggered',
  'alert.acknowledged',
  'alert.resolved',
  'webhook.endpoint.disabled',
] as const satisfies readonly WebhookEventType[];

/** What `eventTypes` may hold: a type, a family of types, or every type. */
export const WEBHOOK_EVENT_PATTERNS = ['*', 'alert.*', 'webhook.*', ...SUBSCRIBABLE_EVENT_TYPES] as const;
export type WebhookEventPattern = (typeof WEBHOOK_EVENT_PATTERNS)[number];

/** Whether an endpoint subscribed to `patterns` gets events of `type` (`webhook.test` is never subscribed to). */
export function subscribes(patterns: readonly string[], type: string): boolean {
  if (type === 'webhook.test') return false;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** A serialized payload larger than this is refused where it is published. */
export const MAX_WEBHOOK_PAYLOAD_BYTES = 256 * 1024;

const StorableString = (max: number) =>
  z.string().min(1).max(max).refine(isStorableText, { message: 'Holds U+0000 or a lone UTF-16 surrogate.' });

/** One event to send, as the code that raises it publishes it (`publishWebhookEvent`). */
export const WebhookEventSchema = z.strictObject({
  type: z.enum(WEBHOOK_EVENT_TYPES),
  /** The event's own id, unique within the tenant (e.g. `alr_…:triggered`): publishing it again is a no-op. */
  id: StorableString(200),
  /** When it happened, epoch milliseconds: the payload's `timestamp`. */
  occurredAt: z.number().int().min(0).max(8.64e15),
  /** The event's fields: a JSON object. */
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/**
 * The body every endpoint gets for an event, in the Standard Webhooks payload convention:
 * `{"type":…,"timestamp":<ISO 8601>,"data":{…}}`.
 */
export function webhookPayload(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAt).toISOString(), data: event.data });
}

/** UTF-8 bytes of a string. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The data of `webhook.endpoint.disabled`. */
export interface EndpointDisabledData {
  endpointId: string;
  url: string;
  disabledAt: string;
  reason: string;
  failingSince: string;
}
