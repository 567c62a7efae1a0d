/**
 * The outgoing delivery log: one record per attempt to send a message to an endpoint, written by the
 * WebhookSenderDO through its outbox and listed by `GET /v1/webhook-endpoints/{endpointId}/deliveries`.
 */

/**
 * delivered: the endpoint answered 2xx. failed: it did not (or could not be reached); another attempt is
 * planned at `nextAttemptAt`. given_up: the last attempt failed (24 h of retries are over), or the endpoint's
 * queue was full and its oldest message was dropped (`error` says so).
 */
export const WEBHOOK_ATTEMPT_STATUSES = ['delivered', 'failed', 'given_up'] as const;
export type WebhookAttemptStatus = (typeof WEBHOOK_ATTEMPT_STATUSES)[number];

/** Response bytes read from an endpoint at most (the rest is not read). */
export const MAX_RESPONSE_BYTES_READ = 4096;
/** Characters of the response kept in the log. */
export const MAX_RESPONSE_SNIPPET = 1024;

export interface WebhookAttemptRecord {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  /** 1 for the first attempt; 0 for a message dropped before any attempt. */
  attempt: number;
  status: WebhookAttemptStatus;
  httpStatus: number | null;
  /** The start of the response body (escaped so Postgres can store it), null when there was none. */
  responseBody: string | null;
  responseTruncated: boolean;
  /** `TIMEOUT`, `NETWORK`, `HTTP_STATUS`, `QUEUE_FULL`, `SECRET_UNAVAILABLE`, then a colon and a short reason. */
  error: string | null;
  durationMs: number | null;
  attemptedAt: number;
  nextAttemptAt: number | null;
}

/** An endpoint the sender disabled; applied in Postgres only if no admin changed it since (`revision`). */
export interface WebhookEndpointDisabled {
  id: string;
  revision: number;
  disabledAt: number;
  disabledReason: string;
}
