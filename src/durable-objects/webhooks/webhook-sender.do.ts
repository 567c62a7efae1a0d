import { type WebhookEvent, WebhookEventSchema } from '../../domain/webhooks/events';
import type { Env } from '../../env';
import { ulid } from '../../lib/ids';
import { createLogger, type Logger } from '../../lib/log';
import { OutboxFlusher } from '../flush';
import type { Wakeable } from '../lifecycle';
import type { HistorySink } from '../ports';
import { SqlDurableObject } from '../sql-object';
import { EndpointStore } from './endpoint-store';
import { MessageQueue } from './message-queue';
import { DEFAULT_SEND_TIMEOUT_MS, WebhookSender } from './sender';
import type { WebhookSenderPort } from './webhook-sender.client';
import { WEBHOOK_SENDER_MIGRATIONS } from './webhook-sender.migrations';
import type { AttemptOutcome, HotWebhookEndpoint, PublishResult, SenderBacklog } from './webhook-sender.types';

/** The attempt log is flushed this soon after it is written. */
const FLUSH_DELAY_MS = 200;

/**
 * One per tenant, named by the tenant id: sends the tenant's events to its webhook endpoints. A thin RPC shell
 * over the endpoints' mirror (`EndpointStore`, written through by every admin change), the durable queue of
 * messages (`MessageQueue`) and the `WebhookSender` the alarm runs; the attempt log and the endpoints it disables
 * reach Postgres through its outbox. `publish` only queues (one storage transaction) and returns.
 */
export class WebhookSenderDO extends SqlDurableObject implements WebhookSenderPort {
  /** The sender's clock (retry schedule, give-up, disabling). Tests replace it to walk a day in a moment. */
  protected clock: () => number = () => Date.now();
  private readonly endpoints = new EndpointStore(this.sql);
  private readonly queue = new MessageQueue(this.sql);
  private readonly sender: WebhookSender;
  private readonly parts: readonly Wakeable[];

  constructor(ctx: DurableObjectState, env: Env, sink: HistorySink) {
    // A tenant without endpoints gets no storage: publishing to it stays a read.
    super(ctx, env, WEBHOOK_SENDER_MIGRATIONS, sink);
    const timeout = Number(env.WEBHOOK_TIMEOUT_MS);
    this.sender = new WebhookSender(this.endpoints, this.queue, this.outbox, {
      clock: () => this.clock(),
      transact: this.transact,
      platformKeys: () => env.PLATFORM_KEYS,
      timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_SEND_TIMEOUT_MS,
    });
    this.parts = [
      this.sender,
      new OutboxFlusher(this.outbox, sink, {
        tenantId: () => this.endpoints.tenantId(),
        ensure: () => [],
        transact: this.transact,
        delayMs: FLUSH_DELAY_MS,
      }),
    ];
  }

  /** An endpoint as an admin left it (created, changed, its secret rotated). */
  async putEndpoint(tenantId: string, endpoint: HotWebhookEndpoint): Promise<void> {
    this.ensureSchema();
    this.transact(() => {
      this.endpoints.setTenant(tenantId);
      this.endpoints.put(endpoint, this.clock());
    });
    await this.replan();
  }

  removeEndpoint(id: string): void {
    if (this.ready) this.transact(() => this.endpoints.remove(id));
  }

  /** The whole mirror from Postgres (a resync); returns how many endpoints it holds. */
  async replaceEndpoints(tenantId: string, endpoints: HotWebhookEndpoint[]): Promise<number> {
    if (!this.ready && endpoints.length === 0) return 0;
    this.ensureSchema();
    this.transact(() => {
      this.endpoints.setTenant(tenantId);
      this.endpoints.replaceAll(endpoints, this.clock());
    });
    await this.replan();
    return endpoints.length;
  }

  /** Queues an event for every enabled endpoint subscribed to it, in one storage transaction; sending is the alarm's. */
  async publish(event: WebhookEvent): Promise<PublishResult> {
    const parsed = WebhookEventSchema.parse(event);
    const log = this.logger();
    if (!this.ready || !log) return { messageId: null, endpoints: 0, duplicate: false };
    const result = this.transact(() => this.sender.enqueue(parsed, log));
    if (result.endpoints > 0) await this.wakeWithin(Date.now(), 0);
    return result;
  }

  /** Sends a `webhook.test` event to one endpoint now and answers its first attempt (retries follow as for any message). */
  async sendTest(endpointId: string): Promise<AttemptOutcome | null> {
    const log = this.logger();
    if (!this.ready || !log || !this.endpoints.get(endpointId)) return null;
    const now = this.clock();
    const outcome = await this.sender.sendNow(
      {
        type: 'webhook.test',
        id: `test_${ulid(now)}`,
        occurredAt: now,
        data: { endpointId, message: 'A test event from Callboard (POST /v1/webhook-endpoints/{endpointId}/test).' },
      },
      endpointId,
      log,
    );
    await this.replan();
    return outcome;
  }

  /** Messages waiting per endpoint, the outbox, for health and tests. */
  backlog(): SenderBacklog {
    if (!this.ready) return { queued: {}, outbox: 0, deadLetters: 0 };
    const status = this.outbox.status();
    return { queued: this.queue.counts(), outbox: status.backlog, deadLetters: status.deadLetters };
  }

  protected alarmParts() {
    const log = this.ready ? this.logger() : null;
    return log ? { parts: this.parts, log } : null;
  }

  private logger(): Logger | null {
    const tenantId = this.ready ? this.endpoints.tenantId() : null;
    return tenantId ? createLogger({ tenantId, do: 'WebhookSenderDO' }, this.env.LOG_LEVEL) : null;
  }
}
