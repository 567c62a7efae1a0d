import { escapeUnstorable } from '../../domain/deliveries';
import {
  MAX_RESPONSE_BYTES_READ,
  MAX_RESPONSE_SNIPPET,
  type WebhookAttemptRecord,
  type WebhookEndpointDisabled,
} from '../../domain/webhooks/attempts';
import {
  type EndpointDisabledData,
  MAX_WEBHOOK_PAYLOAD_BYTES,
  utf8Length,
  type WebhookEvent,
  webhookPayload,
} from '../../domain/webhooks/events';
import { afterFailure, DISABLE_AFTER_FAILING_MS, shouldDisable } from '../../domain/webhooks/retry';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/log';
import { decryptSecret, parsePlatformKeys } from '../../lib/secret-box';
import { signStandardWebhookWithAll } from '../../lib/standard-webhooks';
import type { Transact, Wakeable } from '../lifecycle';
import type { Outbox } from '../outbox';
import type { EndpointStore } from './endpoint-store';
import { type LeasedMessage, MAX_QUEUED_PER_ENDPOINT, type MessageQueue } from './message-queue';
import type { AttemptOutcome, HotWebhookEndpoint, PublishResult } from './webhook-sender.types';

/** How long an endpoint has to answer (headers and the part of the body read), unless `WEBHOOK_TIMEOUT_MS` says otherwise. */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
/** Requests in flight at once (a Worker invocation may hold 6 connections open). */
export const SEND_CONCURRENCY = 6;
/** Messages leased per round, and sent per alarm at most (the rest waits for the next alarm, moments later). */
const ROUND = 24;
const MAX_PER_ALARM = 240;
/** An alarm stops starting rounds after this long. */
const ALARM_BUDGET_MS = 60_000;
const USER_AGENT = 'Callboard-Webhooks/1';

export interface SenderOptions {
  /** Now, for the retry schedule (a test moves it forward to walk the schedule); signatures use the real time. */
  clock: () => number;
  transact: Transact;
  platformKeys: () => string | undefined;
  timeoutMs: number;
  random?: () => number;
}

interface SendResult {
  ok: boolean;
  startedAt: number;
  httpStatus: number | null;
  responseBody: string | null;
  responseTruncated: boolean;
  error: string | null;
  durationMs: number;
  /** The failure is Callboard's (a secret it cannot open), not the endpoint's: it does not count against it. */
  ours: boolean;
}

/**
 * Sends the queued messages when the alarm fires: signed per Standard Webhooks with every live secret of the
 * endpoint, at most `SEND_CONCURRENCY` at a time, each within the timeout. A 2xx is delivered; anything else is
 * retried on the schedule of `src/domain/webhooks/retry.ts` and given up after 24 h; an endpoint with nothing
 * delivered for 5 days is disabled when it gives up a message. Every attempt is logged through the outbox.
 */
export class WebhookSender implements Wakeable {
  private readonly random: () => number;

  constructor(
    private readonly endpoints: EndpointStore,
    private readonly queue: MessageQueue,
    private readonly outbox: Outbox,
    private readonly options: SenderOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** A message leased by an attempt that never reported back is sent again once its lease ends. */
  private get leaseMs(): number {
    return this.options.timeoutMs + 20_000;
  }

  nextWake(now: number): number | null {
    const due = this.queue.nextDue();
    // Due times are on the sender's clock; the alarm is on the real one.
    return due === null ? null : now + Math.max(0, due - this.options.clock());
  }

  async onAlarm(_now: number, log: Logger): Promise<void> {
    const started = Date.now();
    let sent = 0;
    while (sent < MAX_PER_ALARM && Date.now() - started < ALARM_BUDGET_MS) {
      const batch = this.options.transact(() => this.queue.lease(this.options.clock(), ROUND, this.leaseMs));
      if (batch.length === 0) break;
      await inPool(batch, SEND_CONCURRENCY, (m) => this.attemptAndRecord(m, log));
      sent += batch.length;
    }
    this.queue.prunePublished(this.options.clock());
  }

  /**
   * Queues an event for every enabled endpoint subscribed to its type (or for `only`), in the caller's
   * transaction. An event id published before queues nothing.
   */
  enqueue(event: WebhookEvent, log: Logger, only?: string): PublishResult {
    const now = this.options.clock();
    const known = this.queue.publishedAs(event.id);
    if (known) return { messageId: known, endpoints: 0, duplicate: true };
    const targets = only ? [only] : this.endpoints.subscribers(event.type).map((e) => e.id);
    if (targets.length === 0) return { messageId: null, endpoints: 0, duplicate: false };
    const body = webhookPayload(event);
    const bytes = utf8Length(body);
    if (bytes > MAX_WEBHOOK_PAYLOAD_BYTES)
      throw new RangeError(`webhook payload of ${bytes} bytes (at most ${MAX_WEBHOOK_PAYLOAD_BYTES})`);
    const messageId = newId('webhookMessage', now);
    const dropped = this.queue.enqueue({ eventId: event.id, messageId, eventType: event.type, body }, targets, now);
    for (const d of dropped) {
      log.warn('webhook queue full; its oldest message was given up', { endpointId: d.endpointId, messageId: d.messageId });
      this.log({
        endpointId: d.endpointId,
        messageId: d.messageId,
        eventType: d.eventType,
        attempt: d.attempts,
        status: 'given_up',
        httpStatus: null,
        responseBody: null,
        responseTruncated: false,
        error: `QUEUE_FULL: ${MAX_QUEUED_PER_ENDPOINT} messages were waiting for this endpoint; the oldest was given up.`,
        durationMs: null,
        attemptedAt: now,
        nextAttemptAt: null,
      });
    }
    return { messageId, endpoints: targets.length, duplicate: false };
  }

  /** Queues `event` for one endpoint and sends it at once; answers that first attempt (retries follow by alarm). */
  async sendNow(event: WebhookEvent, endpointId: string, log: Logger): Promise<AttemptOutcome | null> {
    const message = this.options.transact(() => {
      const { messageId } = this.enqueue(event, log, endpointId);
      return messageId ? this.queue.leaseOne(endpointId, messageId, this.options.clock(), this.leaseMs) : null;
    });
    return message ? this.attemptAndRecord(message, log) : null;
  }

  private async attemptAndRecord(m: LeasedMessage, log: Logger): Promise<AttemptOutcome | null> {
    const endpoint = this.endpoints.get(m.endpointId);
    if (!endpoint) return null;
    const result = await this.send(endpoint, m);
    return this.options.transact(() => this.record(m, endpoint, result, log));
  }

  private async send(endpoint: HotWebhookEndpoint, m: LeasedMessage): Promise<SendResult> {
    const startedAt = this.options.clock();
    const t0 = Date.now();
    const result = (r: Omit<SendResult, 'startedAt' | 'durationMs'>): SendResult => ({
      ...r,
      startedAt,
      durationMs: Date.now() - t0,
    });
    // The timestamp receivers check against their clock (±5 min): the real time, whatever the schedule's clock says.
    const timestamp = Math.floor(Date.now() / 1000);
    let signature: string;
    try {
      const secrets = await this.openSecrets(endpoint, startedAt);
      signature = await signStandardWebhookWithAll(secrets, m.messageId, timestamp, m.body);
    } catch (err) {
      return result({
        ok: false,
        httpStatus: null,
        responseBody: null,
        responseTruncated: false,
        error: `SECRET_UNAVAILABLE: ${shortReason(err)}`,
        ours: true,
      });
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('timeout')), this.options.timeoutMs);
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': m.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: m.body,
        redirect: 'manual',
        signal: abort.signal,
      });
      const { text, truncated } = await readStart(res, MAX_RESPONSE_BYTES_READ);
      const ok = res.status >= 200 && res.status < 300;
      const snippet = text.length > MAX_RESPONSE_SNIPPET ? text.slice(0, MAX_RESPONSE_SNIPPET) : text;
      return result({
        ok,
        httpStatus: res.status,
        responseBody: text ? escapeUnstorable(snippet) : null,
        responseTruncated: truncated || text.length > MAX_RESPONSE_SNIPPET,
        error: ok
          ? null
          : `HTTP_STATUS: the endpoint answered ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}.`,
        ours: false,
      });
    } catch (err) {
      const timedOut = abort.signal.aborted;
      return result({
        ok: false,
        httpStatus: null,
        responseBody: null,
        responseTruncated: false,
        error: timedOut ? `TIMEOUT: no answer within ${this.options.timeoutMs / 1000} s.` : `NETWORK: ${shortReason(err)}`,
        ours: false,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The endpoint's live secrets, opened: the current one, and the previous one while the rotation's overlap lasts. */
  private async openSecrets(endpoint: HotWebhookEndpoint, now: number): Promise<string[]> {
    const keys = parsePlatformKeys(this.options.platformKeys());
    const live = endpoint.secrets.filter(
      (_, i) => i === 0 || (endpoint.previousSecretExpiresAt !== null && now < endpoint.previousSecretExpiresAt),
    );
    return Promise.all(live.map((sealed) => decryptSecret(keys, sealed, endpoint.id)));
  }

  /** Notes what an attempt did, in one storage transaction: the queue, the endpoint's health, the log. */
  private record(m: LeasedMessage, endpoint: HotWebhookEndpoint, r: SendResult, log: Logger): AttemptOutcome | null {
    const progress = this.queue.progress(m.seq);
    if (!progress) return null; // the endpoint was deleted meanwhile
    const attempt = progress.attempts + 1;
    const now = this.options.clock();
    let status: WebhookAttemptRecord['status'];
    let nextAttemptAt: number | null = null;
    if (r.ok) {
      status = 'delivered';
      this.queue.complete(m.seq);
      this.endpoints.noteDelivered(m.endpointId);
    } else {
      if (!r.ours) this.endpoints.noteFailed(m.endpointId, r.startedAt);
      const next = afterFailure({
        attempt,
        firstAttemptAt: progress.firstAttemptAt ?? r.startedAt,
        failedAt: now,
        random: this.random(),
      });
      if (next.giveUp) {
        status = 'given_up';
        this.queue.complete(m.seq);
      } else {
        status = 'failed';
        nextAttemptAt = next.nextAttemptAt;
        this.queue.reschedule(m.seq, attempt, next.nextAttemptAt);
      }
    }
    const outcome = { attempt, status, httpStatus: r.httpStatus, error: r.error, durationMs: r.durationMs, nextAttemptAt };
    this.log({
      endpointId: m.endpointId,
      messageId: m.messageId,
      eventType: m.eventType,
      ...outcome,
      responseBody: r.responseBody,
      responseTruncated: r.responseTruncated,
      attemptedAt: r.startedAt,
    });
    if (status === 'given_up') {
      const failingSince = this.endpoints.failingSince(m.endpointId);
      if (shouldDisable(failingSince, now)) this.disable(endpoint, failingSince ?? now, now, r.error, log);
    }
    return { messageId: m.messageId, ...outcome };
  }

  /**
   * Disables an endpoint that delivered nothing for 5 days: in the mirror now, in Postgres through the outbox,
   * with a `webhook.endpoint.disabled` event for the tenant's other endpoints that subscribe to it.
   */
  private disable(endpoint: HotWebhookEndpoint, failingSince: number, now: number, lastError: string | null, log: Logger): void {
    const days = Math.floor((now - failingSince) / (24 * 3600 * 1000));
    const reason = `Every delivery failed for ${days} days (since ${new Date(failingSince).toISOString()}; disabled after ${
      DISABLE_AFTER_FAILING_MS / (24 * 3600 * 1000)
    }). Last error: ${lastError ?? 'unknown'}`.slice(0, 500);
    const disabled = this.endpoints.disable(endpoint.id, now, reason);
    if (!disabled) return;
    const change: WebhookEndpointDisabled = {
      id: endpoint.id,
      revision: endpoint.revision,
      disabledAt: now,
      disabledReason: reason,
    };
    this.outbox.putRecord('webhook_endpoint', endpoint.id, now, change);
    log.warn('webhook endpoint disabled: its deliveries failed for 5 days', {
      endpointId: endpoint.id,
      failingSince: new Date(failingSince).toISOString(),
    });
    const data: EndpointDisabledData = {
      endpointId: endpoint.id,
      url: endpoint.url,
      disabledAt: new Date(now).toISOString(),
      reason,
      failingSince: new Date(failingSince).toISOString(),
    };
    this.enqueue(
      { type: 'webhook.endpoint.disabled', id: `${endpoint.id}:disabled:${now}`, occurredAt: now, data: { ...data } },
      log,
    );
  }

  private log(a: Omit<WebhookAttemptRecord, 'id'>): void {
    const id = newId('webhookAttempt', a.attemptedAt);
    this.outbox.putRecord('webhook_attempt', id, 1, { id, ...a });
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The first `maxBytes` of a response body as text (the rest is never read) and whether it may go on. A body that
 * fails or stalls part-way (the timeout aborts it) keeps what was read: the status already answered.
 */
async function readStart(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const all = new Uint8Array(maxBytes);
  let bytes = 0;
  let truncated = false;
  try {
    while (bytes < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, maxBytes - bytes);
      all.set(part, bytes);
      bytes += part.length;
      truncated = part.length < value.length || bytes === maxBytes;
    }
  } catch {
    truncated = true;
  } finally {
    reader.cancel().catch(() => {});
  }
  return { text: new TextDecoder().decode(all.subarray(0, bytes)), truncated };
}

/** An error's message, short and on one line, for the log (never a stack). */
function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 200);
}
