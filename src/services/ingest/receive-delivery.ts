import { maskDigitRuns } from '../../adapters/telephony/redact';
import {
  type AdapterContext,
  type AdapterEvent,
  AdapterInputError,
  type AdapterResponse,
  type InboundRequest,
  type NormalizeResult,
  type ProviderAdapter,
  type VerifyResult,
} from '../../adapters/telephony/types';
import type { ConnectorCredentials } from '../../contracts/connectors';
import {
  type DeliveryRecord,
  deliveryOutcome,
  escapeUnstorable,
  loggableBody,
  loggableHeaders,
  loggableText,
  MAX_IGNORED_LISTED,
  MAX_LOGGED_BODY,
  MAX_UNVERIFIED_BODY,
  MAX_UNVERIFIED_HEADER,
  MAX_UNVERIFIED_HEADERS,
  MAX_UNVERIFIED_URL,
} from '../../domain/deliveries';
import { AppError } from '../../domain/errors';
import { MAX_BATCH_EVENTS, WireEventSchema } from '../../domain/events/wire';
import { countResults, type ResultSlot } from '../../domain/ingest-results';
import { storableValue } from '../../domain/text';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { ConnectorLookup, DeliveryReceipt } from '../../durable-objects/tenant/tenant.types';
import type { Env } from '../../env';
import { newId } from '../../lib/ids';
import { errorFields, type Logger } from '../../lib/log';
import { tenantOfConnector } from '../connectors/connector-id';
import type { ServiceContext } from '../context';
import { sealDeliveryBody } from './delivery-body';
import { connectorLookup, openConnectorCredentials, tenantConfig } from './hot-config';
import { type IngestResponse, ingestEvents } from './ingest-events';

export interface DeliveryInput {
  adapter: ProviderAdapter;
  connectorId: string;
  requestId: string;
  method: string;
  /** The URL the request reached (the public URL is rebuilt from the connector's `publicBaseUrl`). */
  requestUrl: string;
  headers: Headers;
  rawBody: string;
  contentType: string | null;
  /** The sender's address (CF-Connecting-IP), for the limit on deliveries whose signature failed. */
  source?: string | null;
}

const VERIFY_FAILURES = {
  missing: 'SIGNATURE_MISSING',
  invalid: 'SIGNATURE_INVALID',
  expired: 'SIGNATURE_EXPIRED',
} as const;

/**
 * One webhook delivery, end to end: find the connector (its id names the tenant), verify the
 * provider's signature on the exact bytes and URL with the connector's live credentials, map the
 * payload to normalized events, ingest them, and answer what the provider expects. Whatever
 * happens, the delivery is logged with its outcome and raw body, phone numbers masked (after the
 * signature check fails, only its start; past a few a minute, only counted), so a tenant can see why
 * events did not arrive.
 */
export async function receiveDelivery(
  contextFor: (tenantId: string) => ServiceContext,
  input: DeliveryInput,
  env: Env,
  log: Logger,
  /** The HTTP status an error will be answered with (the HTTP layer knows), for the log. */
  statusOf: (err: unknown) => number,
): Promise<AdapterResponse> {
  const provider = input.adapter.provider;
  const tenantId = tenantOfConnector(input.connectorId);
  let lookup = tenantId ? await connectorLookup(env, tenantId, input.connectorId) : null;
  if (!tenantId || !lookup || lookup.connector.provider !== provider) {
    throw new AppError('not_found', 'NOT_FOUND', `No ${provider} connector with id '${input.connectorId}' exists.`);
  }
  const ctx = contextFor(tenantId);
  const receivedAt = ctx.now.getTime();
  // One id whoever logs it: a record written twice (a lost answer, a correction) stays one row.
  const deliveryId = newId('delivery', receivedAt);
  let request = inboundRequest(input, lookup);
  let verified = false;
  let summary: IngestResponse | null = null;
  let ignored: NormalizeResult['ignored'] = [];
  let eventCount = 0;
  let status = 200;
  try {
    let check = await verify(env, input.adapter, request, lookup, receivedAt);
    if (!check.result.ok && check.result.reason === 'invalid') {
      // The Worker's copy may predate a credential change: ask the TenantDO once more.
      const latest = await connectorLookup(env, tenantId, input.connectorId, true);
      if (latest) {
        lookup = latest;
        request = inboundRequest(input, latest);
        check = await verify(env, input.adapter, request, latest, receivedAt);
      }
    }
    if (!check.result.ok) {
      throw new AppError('unauthenticated', VERIFY_FAILURES[check.result.reason], check.result.detail);
    }
    verified = true;
    if (!lookup.connector.enabled) {
      throw new AppError('not_found', 'CONNECTOR_DISABLED', `The connector '${input.connectorId}' is disabled.`);
    }
    const normalized = await normalize(input.adapter, request, check.context);
    ignored = normalized.ignored;
    eventCount = normalized.events.length;
    if (ignored.length > 0)
      log.info('provider events ignored', { connectorId: input.connectorId, ignored: ignored.slice(0, 10) });

    let sealed = check.sealed;
    // Logged by the TenantDO in the ingest round trip, which fills in the outcome and counts.
    const draft = await record(null);
    const ingest = async () =>
      ingestAll(ctx, normalized.events, normalized.validated === true, {
        provider,
        connectorId: input.connectorId,
        connectorSecret: sealed,
        unknownKeys: lookup?.connector.unknownKeys ?? 'reject',
        config: tenantConfig(env, tenantId, lookup?.configVersion ?? 0),
        delivery: draft,
      });
    let ingested: Awaited<ReturnType<typeof ingest>>;
    try {
      ingested = await ingest();
    } catch (err) {
      // The TenantDO no longer takes the credentials that matched (rotated meanwhile): verify against its copy.
      if (!(err instanceof AppError && err.code === 'SIGNATURE_INVALID')) throw err;
      const latest = await connectorLookup(env, tenantId, input.connectorId, true);
      if (!latest) throw err;
      lookup = latest;
      const again = await verify(env, input.adapter, inboundRequest(input, latest), latest, receivedAt);
      if (!again.result.ok) throw err;
      sealed = again.sealed;
      ingested = await ingest();
    }
    const { logged, ...counts } = ingested;
    summary = counts;
    const response = input.adapter.respond?.(request, summary) ?? {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify(summary),
    };
    // Logged already unless nothing was ingested, or the answer is not the one the record assumed.
    const assumed = status;
    status = response.status;
    if (!logged || status !== assumed) await logDelivery(env, tenantId, log, await record(null), null);
    return response;
  } catch (err) {
    status = statusOf(err);
    const receipt = await logDelivery(env, tenantId, log, await record(err), verified ? null : (input.source ?? 'unknown'));
    if (receipt?.retryAfterSeconds) {
      throw new AppError(
        'rate_limited',
        'RATE_LIMITED',
        'Too many deliveries whose signature failed came from this source; they are counted, not logged.',
        { retryAfterSeconds: receipt.retryAfterSeconds },
      );
    }
    throw err;
  }

  async function record(err: unknown): Promise<Omit<DeliveryRecord, 'retentionDays'>> {
    const firstRejected = summary?.results.find((r) => r.status === 'rejected');
    const id = deliveryId;
    // Phone numbers are stored masked; the exact body is kept sealed when it is what normalizing again reads.
    const shown = redactedBody(input.adapter, input.rawBody, input.contentType);
    const body = loggableBody(shown, verified ? MAX_LOGGED_BODY : MAX_UNVERIFIED_BODY);
    const sealed =
      verified && !body.truncated && (shown !== input.rawBody || !body.exact)
        ? await sealDeliveryBody(env, tenantId as string, id, input.rawBody).catch((e: unknown) => {
            log.warn('delivery body not sealed', { ...errorFields(e), deliveryId: id });
            return null;
          })
        : null;
    const apiKeyHeader = lookup?.connector.options.apiKeyHeader;
    return {
      id,
      connectorId: input.connectorId,
      requestId: input.requestId,
      receivedAt,
      outcome: deliveryOutcome(status, { rejected: summary?.rejected ?? 0, events: eventCount }),
      httpStatus: status,
      verified,
      reason: err instanceof AppError ? err.code : err ? 'INTERNAL_ERROR' : (firstRejected?.reason ?? null),
      detail: err instanceof Error ? escapeUnstorable(err.message.slice(0, 1000)) : null,
      method: input.method,
      url: verified ? escapeUnstorable(request.url) : loggableText(request.url, MAX_UNVERIFIED_URL),
      contentType: input.contentType === null ? null : loggableText(input.contentType, MAX_UNVERIFIED_HEADER),
      headers: loggableHeaders(
        input.headers,
        apiKeyHeader ? [apiKeyHeader] : [],
        verified ? undefined : { value: MAX_UNVERIFIED_HEADER, total: MAX_UNVERIFIED_HEADERS },
      ),
      body: body.body,
      bodyTruncated: body.truncated,
      bodySealed: sealed,
      events: eventCount,
      accepted: summary?.accepted ?? 0,
      duplicates: summary?.duplicates ?? 0,
      rejected: summary?.rejected ?? 0,
      ignored: ignored
        .slice(0, MAX_IGNORED_LISTED)
        .map((i) => ({ what: escapeUnstorable(i.what.slice(0, 200)), reason: escapeUnstorable(i.reason.slice(0, 500)) })),
    };
  }
}

/** The body with the phone numbers the adapter knows masked (long digit runs when it cannot read it). */
function redactedBody(adapter: ProviderAdapter, rawBody: string, contentType: string | null): string {
  try {
    return adapter.redact ? adapter.redact(rawBody, contentType) : rawBody;
  } catch {
    return maskDigitRuns(rawBody);
  }
}

/** The request as the provider signed it: the connector's public base URL, then our path and query. */
export function inboundRequest(
  input: Omit<DeliveryInput, 'adapter' | 'connectorId' | 'requestId'>,
  lookup: ConnectorLookup,
): InboundRequest {
  const reached = new URL(input.requestUrl);
  const base = lookup.connector.options.publicBaseUrl?.replace(/\/+$/, '');
  return {
    method: input.method,
    url: base ? `${base}${reached.pathname}${reached.search}` : input.requestUrl,
    headers: input.headers,
    rawBody: input.rawBody,
    contentType: input.contentType,
  };
}

/** Checks the delivery against every live credential set of the connector. */
async function verify(
  env: Env,
  adapter: ProviderAdapter,
  request: InboundRequest,
  lookup: ConnectorLookup,
  nowMs: number,
): Promise<{ result: VerifyResult; sealed: string; context: AdapterContext }> {
  const opened = await openConnectorCredentials(env, lookup);
  const context = adapterContext(
    lookup,
    opened.map((o) => o.credentials),
    nowMs,
  );
  const result = await adapter.verify(request, context);
  return { result, sealed: result.ok ? (opened[result.credentialIndex]?.sealed ?? '') : '', context };
}

export function adapterContext(lookup: ConnectorLookup, credentials: ConnectorCredentials[], nowMs: number): AdapterContext {
  return { connectorId: lookup.connector.id, credentials, options: lookup.connector.options, nowMs };
}

/**
 * Runs the adapter's mapping; a payload it cannot read is a 4xx problem, nothing written. Text
 * Postgres cannot store (a NUL in a form field) becomes U+FFFD in the events and in the ignored
 * list the delivery log keeps: the provider cannot fix it, and the rest is worth keeping. (The
 * generic batch never holds such text: the wire schema refuses it.)
 */
export async function normalize(
  adapter: ProviderAdapter,
  request: InboundRequest,
  context: AdapterContext,
): Promise<NormalizeResult> {
  try {
    return storableValue(await adapter.normalize(request, context));
  } catch (err) {
    if (!(err instanceof AdapterInputError)) throw err;
    if (err.status === 415) throw new AppError('invalid', 'UNSUPPORTED_MEDIA_TYPE', err.message);
    if (err.status === 400) throw new AppError('invalid', err.code ?? 'MALFORMED_PAYLOAD', err.message, { issues: err.issues });
    throw new AppError('invalid', 'VALIDATION_FAILED', err.message, { issues: err.issues });
  }
}

/**
 * Ingests an adapter's events in batches of at most 1,000 (a queue_log backfill can carry many
 * thousands). An event the wire schema refuses (an adapter's mapping gap) is rejected on its own.
 * A delivery record given rides with the last batch, so the TenantDO logs it in the same round trip
 * with the whole delivery's outcome (`logged`; false when no batch was sent: nothing was valid).
 */
export async function ingestAll(
  ctx: ServiceContext,
  events: AdapterEvent[],
  validated: boolean,
  options: Omit<Parameters<typeof ingestEvents>[1], 'events' | 'delivery'> & {
    delivery?: Omit<DeliveryRecord, 'retentionDays'>;
  },
): Promise<IngestResponse & { logged: boolean }> {
  const { delivery, ...rest } = options;
  const results: IngestResponse['results'] = [];
  const valid: { index: number; event: AdapterEvent }[] = [];
  events.forEach((event, index) => {
    if (validated) {
      valid.push({ index, event });
      return;
    }
    const { occurredAtSource, ...wire } = event;
    const parsed = WireEventSchema.safeParse(wire);
    if (parsed.success) valid.push({ index, event: { ...parsed.data, ...(occurredAtSource ? { occurredAtSource } : {}) } });
    else {
      ctx.log.warn('adapter produced an invalid event', {
        id: event.id,
        type: event.type,
        issues: parsed.error.issues.slice(0, 5),
      });
      results[index] = { id: String(event.id), status: 'rejected', reason: 'invalid_event' };
    }
  });
  let logged = false;
  for (let i = 0; i < valid.length; i += MAX_BATCH_EVENTS) {
    const chunk = valid.slice(i, i + MAX_BATCH_EVENTS);
    const last = i + MAX_BATCH_EVENTS >= valid.length;
    // The delivery's answer around this batch's: earlier batches and invalid events are decided.
    const place = (slots: ResultSlot[]): ResultSlot[] => {
      const whole: ResultSlot[] = events.map((e, index) => ({
        result: results[index] ?? { id: String(e.id), status: 'rejected' },
      }));
      slots.forEach((slot, j) => {
        const at = (chunk[j] as { index: number }).index;
        whole[at] = 'sameAs' in slot ? { id: slot.id, sameAs: (chunk[slot.sameAs] as { index: number }).index } : slot;
      });
      return whole;
    };
    const r = await ingestEvents(ctx, {
      ...rest,
      events: chunk.map((c) => c.event),
      ...(delivery && last ? { delivery: { record: delivery, place } } : {}),
    });
    if (delivery && last) logged = true;
    chunk.forEach((c, j) => {
      results[c.index] = r.results[j] as IngestResponse['results'][number];
    });
  }
  return { results, ...countResults(results), logged };
}

/**
 * Hands the record to the TenantDO's outbox (an unverified one with its source, which the TenantDO
 * rate-limits); a failure here never changes the provider's answer.
 */
async function logDelivery(
  env: Env,
  tenantId: string,
  log: Logger,
  record: Omit<DeliveryRecord, 'retentionDays'>,
  unverifiedSource: string | null,
): Promise<DeliveryReceipt | null> {
  try {
    return await callTenantDO(env, tenantId, (s) => s.recordDelivery(record, unverifiedSource));
  } catch (err) {
    log.warn('delivery not logged', { ...errorFields(err), deliveryId: record.id });
    return null;
  }
}
