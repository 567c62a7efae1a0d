import type { ConnectorCredentials, ConnectorOptions } from '../../domain/connectors';
import type { FieldIssue } from '../../domain/errors';
import type { TimeSource } from '../../domain/events/event-types';
import type { WireEvent } from '../../domain/events/wire';
import type { Provider } from '../../domain/providers';

/** A delivery as it reached us: what verification and normalization read. Never re-serialized. */
export interface InboundRequest {
  method: string;
  /** The URL the provider called, as it signed it (the connector's public base URL + path + query). */
  url: string;
  headers: Headers;
  /** The exact body bytes, as text. */
  rawBody: string;
  contentType: string | null;
}

export interface AdapterContext {
  connectorId: string;
  /** Live credentials, current first (the previous ones during a rotation's grace period). */
  credentials: ConnectorCredentials[];
  options: ConnectorOptions;
  nowMs: number;
}

export type VerifyFailure = 'missing' | 'invalid' | 'expired';
export type VerifyResult = { ok: true; credentialIndex: number } | { ok: false; reason: VerifyFailure; detail: string };

/** An event an adapter produced: a wire event, plus where its instant came from when not the provider. */
export type AdapterEvent = WireEvent & { occurredAtSource?: TimeSource };

export interface NormalizeResult {
  events: AdapterEvent[];
  /** Provider events deliberately not mapped (unknown or irrelevant types), for the log. */
  ignored: { what: string; reason: string }[];
  /** The events already passed the wire schema (the generic batch): not validated a second time. */
  validated?: true;
}

/** A payload the adapter cannot read: the delivery is refused with this status (nothing written). */
export class AdapterInputError extends Error {
  constructor(
    readonly status: 400 | 415 | 422,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** The problem code; by default MALFORMED_PAYLOAD (400), UNSUPPORTED_MEDIA_TYPE (415), VALIDATION_FAILED (422). */
    readonly code?: 'MALFORMED_JSON',
  ) {
    super(message);
    this.name = 'AdapterInputError';
  }
}

/** What a provider expects back (Firehose wants its request id echoed, TaskRouter a 204, TwiML requests TwiML). */
export interface AdapterResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * One provider: how to check a delivery is genuine (WebCrypto only, constant time, on the raw bytes
 * or the exact URL and params), and how to map its payload to normalized events with deterministic
 * ids. `normalize` is pure.
 */
export interface ProviderAdapter {
  provider: Provider;
  verify(req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult>;
  normalize(req: InboundRequest, ctx: AdapterContext): NormalizeResult | Promise<NormalizeResult>;
  respond?(req: InboundRequest, summary: { accepted: number; duplicates: number; rejected: number }): AdapterResponse | null;
  /**
   * The raw body as the delivery log shows it: the same payload with the phone numbers it carries
   * masked (the exact body is kept sealed for normalizing again). Pure; never throws.
   */
  redact?(rawBody: string, contentType: string | null): string;
}

/** The header value, or null when missing or empty. */
export function header(req: InboundRequest, name: string): string | null {
  const v = req.headers.get(name);
  return v === null || v === '' ? null : v;
}
