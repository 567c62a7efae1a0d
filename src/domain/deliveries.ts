import { storableText } from './text';

/**
 * The delivery log: every request a connector's webhook receives, with its outcome and raw body, so
 * a tenant can see why a provider's events did not arrive, and so deliveries can be normalized again
 * after an adapter fix. Pure: what is kept of a request, and what its outcome was.
 */

export const DELIVERY_OUTCOMES = ['accepted', 'partial', 'rejected'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Raw bodies are kept up to this size; a larger one is kept truncated (and cannot be normalized again). */
export const MAX_LOGGED_BODY = 256 * 1024;
/**
 * A delivery whose signature failed may come from anyone who knows the URL: only this much of its
 * body, URL and headers is kept (a few KB a row whatever was sent).
 */
export const MAX_UNVERIFIED_BODY = 2 * 1024;
export const MAX_UNVERIFIED_URL = 512;
export const MAX_UNVERIFIED_HEADER = 256;
export const MAX_UNVERIFIED_HEADERS = 2 * 1024;
/** Each header value of a verified delivery is kept up to this many characters. */
export const MAX_LOGGED_HEADER = 2000;
/** A webhook URL longer than this is refused (414) before anything else. */
export const MAX_WEBHOOK_URL = 8 * 1024;
/** Webhook headers (names and values) larger than this together are refused (431) before anything else. */
export const MAX_WEBHOOK_HEADER_BYTES = 32 * 1024;
/** At most this many ignored provider events are listed per delivery. */
export const MAX_IGNORED_LISTED = 50;

export interface DeliveryRecord {
  id: string;
  connectorId: string;
  requestId: string;
  receivedAt: number;
  outcome: DeliveryOutcome;
  httpStatus: number;
  /** The signature checked out (only such deliveries are normalized again). */
  verified: boolean;
  /** The problem code of a refused delivery, or the reason of the first rejected event. */
  reason: string | null;
  detail: string | null;
  method: string;
  url: string;
  contentType: string | null;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  ignored: { what: string; reason: string }[];
  /** Unverified deliveries over the log's limit that this row counts instead of keeping (0 for a delivery's own row). */
  suppressed?: number;
  /** The exact body sealed with the platform key, when `body` is not it (see `connector_deliveries.body_sealed`). */
  bodySealed?: string | null;
  /** The tenant's raw-retention days when it was received: older deliveries are purged as new ones are written. */
  retentionDays: number;
}

/** Headers that carry credentials rather than signatures over the body: never stored. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-amz-firehose-access-key', 'x-api-key']);
/** Hop-by-hop and platform headers that say nothing about the provider's request. */
const NOISE_HEADER = /^(cf-|x-forwarded-|x-real-ip$|connection$|keep-alive$|accept-encoding$|content-length$|host$)/;

/**
 * The headers worth keeping for debugging: credentials redacted, platform noise dropped, each value
 * cut at `limits.value` characters and the whole set at `limits.total` (the rest are dropped).
 */
export function loggableHeaders(
  headers: Headers,
  extraSecret: string[] = [],
  limits: { value: number; total: number } = { value: MAX_LOGGED_HEADER, total: Number.POSITIVE_INFINITY },
): Record<string, string> {
  const secret = new Set([...SECRET_HEADERS, ...extraSecret.map((h) => h.toLowerCase())]);
  const out: Record<string, string> = {};
  let size = 0;
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    if (NOISE_HEADER.test(key)) return;
    const kept = secret.has(key) ? '[redacted]' : escapeUnstorable(cut(value, limits.value));
    size += key.length + kept.length;
    if (size <= limits.total) out[key] = kept;
  });
  return out;
}

/**
 * The body as stored: whole up to `max` characters, else its start; made storable (see
 * `escapeUnstorable`). A body that had to be changed to be stored is not `exact`.
 */
export function loggableBody(body: string, max: number): { body: string; truncated: boolean; exact: boolean } {
  const truncated = body.length > max;
  const stored = escapeUnstorable(truncated ? body.slice(0, max) : body);
  return { body: stored, truncated, exact: !truncated && stored === body };
}

/** A URL or header as stored: at most `max` characters, made storable. */
export function loggableText(url: string, max: number): string {
  return escapeUnstorable(cut(url, max));
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Text Postgres can store, still readable for a person debugging a delivery: a NUL becomes the six
 * characters `\u0000` (visible, where `storableText` of ./text.ts puts a U+FFFD), a lone surrogate
 * (a pair cut in half) U+FFFD. Anything else is kept as it is.
 */
export function escapeUnstorable(text: string): string {
  return storableText(text.replaceAll('\u0000', '\\u0000'));
}

/** accepted when nothing was rejected, partial when some events were, rejected when the request was refused. */
export function deliveryOutcome(httpStatus: number, counts: { rejected: number; events: number }): DeliveryOutcome {
  if (httpStatus >= 400) return 'rejected';
  return counts.rejected > 0 ? 'partial' : 'accepted';
}
