import type { WebhookAttemptStatus } from '../../domain/webhooks/attempts';

/** An endpoint as the WebhookSenderDO keeps it (its secrets stay sealed; the sender opens them to sign). */
export interface HotWebhookEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  /** Sealed secrets, current first; the previous one only until `previousSecretExpiresAt`. */
  secrets: string[];
  previousSecretExpiresAt: number | null;
  /** Postgres's revision of the endpoint (every admin change bumps it). */
  revision: number;
  disabledAt: number | null;
  disabledReason: string | null;
}

/** What publishing an event did. */
export interface PublishResult {
  /** The `webhook-id` its deliveries carry; null when no enabled endpoint subscribes to its type. */
  messageId: string | null;
  /** Endpoints a message was queued for. */
  endpoints: number;
  /** The event id was published before (within 7 days): nothing was queued again. */
  duplicate: boolean;
}

/** The outcome of one attempt, as `POST /v1/webhook-endpoints/{id}/test` answers it. */
export interface AttemptOutcome {
  messageId: string;
  attempt: number;
  status: WebhookAttemptStatus;
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
  nextAttemptAt: number | null;
}

/** Queue figures, for health and tests. */
export interface SenderBacklog {
  /** Messages waiting (or being retried), per endpoint id. */
  queued: Record<string, number>;
  outbox: number;
  deadLetters: number;
}
