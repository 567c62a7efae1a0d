import type { DeliveryRecord } from '../../domain/deliveries';
import { completeDelivery, fillSlots } from '../../domain/ingest-results';
import type { TenantSettings } from '../../domain/settings';
import type { Env } from '../../env';
import { createLogger, type Logger } from '../../lib/log';
import { OutboxFlusher } from '../flush';
import type { Wakeable } from '../lifecycle';
import type { HistorySink } from '../ports';
import { SqlDurableObject } from '../sql-object';
import { ApiKeyStore } from './api-keys';
import { ConfigStore } from './config-store';
import { DeliveryLog } from './delivery-log';
import { EntityDirectory } from './entity-directory';
import { IdempotencyStore } from './idempotency';
import { InteractionRouter, TenantPruner } from './interaction-router';
import { PresenceStore } from './presence-store';
import { QueueLink, Relay } from './queue-link';
import type { TenantPort } from './tenant.client';
import { TENANT_MIGRATIONS } from './tenant.migrations';
import { resolveReferences, routedResults } from './tenant.routing';
import {
  type AuthorizeResult,
  type ConnectorLookup,
  type DeliveryReceipt,
  type HotAgent,
  type HotConnector,
  type HotQueue,
  type IdempotencyBegin,
  type KeyRecord,
  type LiveDirectory,
  liveSecrets,
  type StoredResponse,
  type TenantConfig,
  type TenantIngest,
  type TenantIngestResult,
  type TenantSnapshot,
} from './tenant.types';

export { IDEMPOTENCY_PENDING_TIMEOUT_MS, IDEMPOTENCY_TTL_MS } from './idempotency';

/** Routed work a queue missed is relayed this soon. */
const RELAY_DELAY_MS = 200;
/**
 * Logged deliveries, presence and created entities are flushed this soon, as a QueueDO's records are: each flush
 * is a Postgres connection (and its authentication) whatever it carries, so under load fewer, larger ones.
 */
const FLUSH_DELAY_MS = 1000;

/**
 * One per tenant, named by the tenant id: a thin RPC shell over its stores. Holds what the hot path
 * needs without Postgres — API key hashes and scopes, settings, queues, agents and their provider
 * keys, connectors — plus the token buckets and Idempotency-Key records; routes events and hands
 * each QueueDO its batch (`ingest`, one round trip for the Worker); owns agent presence and the
 * delivery log, both written to Postgres through its own outbox. Admin changes write here in the
 * same request that writes Postgres.
 */
export class TenantDO extends SqlDurableObject implements TenantPort {
  private readonly configs = new ConfigStore(this.sql, () => this.ready);
  private readonly entities = new EntityDirectory(this.sql);
  private readonly keys = new ApiKeyStore(this.sql);
  private readonly idempotency = new IdempotencyStore(this.sql);
  private readonly deliveries = new DeliveryLog(this.outbox);
  private readonly presence = new PresenceStore(this.sql, this.outbox);
  private readonly router = new InteractionRouter(this.sql, this.outbox, this.entities, this.presence);
  private readonly link = new QueueLink(this.sql, this.env, this.transact, (id) => this.entities.queue(id));
  private readonly relay = new Relay(this.sql, this.link, () => this.getConfig(), this.transact);
  private readonly parts: readonly Wakeable[];

  constructor(ctx: DurableObjectState, env: Env, sink: HistorySink) {
    // An unknown tenant id must not create storage: reads on a fresh object stay reads.
    super(ctx, env, TENANT_MIGRATIONS, sink);
    this.parts = [
      this.relay,
      new OutboxFlusher(this.outbox, sink, {
        tenantId: () => this.getConfig()?.tenantId ?? null,
        ensure: (batch) => this.entities.ensureList(batch),
        transact: this.transact,
        delayMs: FLUSH_DELAY_MS,
      }),
      new TenantPruner(this.router, this.presence, () => this.getConfig()?.settings.staleVisitMinutes ?? 240, this.transact),
    ];
  }

  // ---- configuration ------------------------------------------------------------------------

  /** Replaces the whole hot-path configuration (tenant creation, or a resync from Postgres); configures every queue. */
  async replaceConfig(snapshot: TenantSnapshot): Promise<number> {
    this.ensureSchema();
    const version = this.transact(() => {
      this.keys.replaceAll(snapshot.apiKeys);
      this.entities.clear();
      for (const q of snapshot.queues) this.entities.putQueue(q);
      for (const a of snapshot.agents) this.entities.putAgent(a);
      this.configs.replaceConnectors(snapshot.connectors);
      return this.configs.write(snapshot.config.tenantId, snapshot.config.settings, snapshot.config.callerSalt);
    });
    await this.configureQueues(this.entities.queueIds());
    return version;
  }

  getConfig(): TenantConfig | null {
    return this.configs.get();
  }

  /** New settings; every queue gets them now (`QueueDO.configure`), not with its next event. */
  async setSettings(settings: TenantSettings): Promise<number> {
    const current = this.configs.require();
    const version = this.transact(() => this.configs.write(current.tenantId, settings, current.callerSalt));
    await this.configureQueues(this.entities.queueIds());
    return version;
  }

  async putQueue(queue: HotQueue): Promise<number> {
    this.configs.require();
    const version = this.transact(() => {
      this.entities.putQueue(queue);
      return this.configs.bump();
    });
    await this.configureQueues([queue.id]);
    return version;
  }

  putAgent(agent: HotAgent): number {
    this.configs.require();
    return this.transact(() => {
      this.entities.putAgent(agent);
      return this.configs.bump();
    });
  }

  removeEntity(kind: 'queue' | 'agent', id: string): number {
    this.configs.require();
    return this.transact(() => {
      this.entities.remove(kind, id);
      return this.configs.bump();
    });
  }

  putConnector(connector: HotConnector): number {
    this.configs.require();
    return this.transact(() => {
      this.configs.putConnector(connector);
      return this.configs.bump();
    });
  }

  removeConnector(id: string): number {
    this.configs.require();
    return this.transact(() => {
      this.configs.removeConnector(id);
      return this.configs.bump();
    });
  }

  /** Whether the tenant has this queue or agent (archived ones included). */
  hasEntity(kind: 'queue' | 'agent', id: string): boolean {
    return this.ready && this.entities.lookup().entity(kind, id) !== null;
  }

  /** Queues the tenant has, for tenant-wide views such as the outbox backlog. */
  queueIds(): string[] {
    return this.ready ? this.entities.queueIds() : [];
  }

  /** The queues (with site) and agents (with team, site and the queues they serve) as live totals group them. */
  liveDirectory(): LiveDirectory {
    if (!this.ready) return { queues: [], agents: [], settings: null };
    return {
      queues: this.entities.queues().map((q) => ({ id: q.id, name: q.name, siteId: q.siteId ?? null, archived: q.archived })),
      agents: this.entities.agents().map((a) => ({
        id: a.id,
        teamId: a.teamId ?? null,
        siteId: a.siteId ?? null,
        queueIds: a.queueIds,
        archived: a.archived,
      })),
      settings: this.getConfig()?.settings ?? null,
    };
  }

  /** Of these API key ids, those still live (not revoked, not expired): a live connection of another closes. */
  liveKeys(ids: readonly string[]): string[] {
    return this.ready ? this.keys.liveIds(ids, Date.now()) : [];
  }

  /** What the webhook path needs to verify and normalize a delivery, in one round trip. */
  getConnector(id: string): ConnectorLookup | null {
    const config = this.getConfig();
    const connector = config ? this.configs.connector(id) : null;
    return config && connector ? { connector, configVersion: config.version, callerSalt: config.callerSalt } : null;
  }

  /**
   * Logs a webhook delivery the ingest round trip did not (refused, failed, or its signature failed:
   * `unverifiedSource` set, then the flood limits decide whether it is logged or only counted).
   */
  async recordDelivery(
    record: Omit<DeliveryRecord, 'retentionDays'>,
    unverifiedSource: string | null = null,
  ): Promise<DeliveryReceipt> {
    const config = this.getConfig();
    if (!config) return { retryAfterSeconds: null };
    const now = Date.now();
    const receipt = this.transact(() => this.deliveries.record(record, unverifiedSource, config.settings.rawRetentionDays, now));
    await this.wakeForWork(now);
    return receipt;
  }

  // ---- API keys, rate limits, idempotency ----------------------------------------------------

  putApiKey(key: KeyRecord): void {
    this.configs.require();
    this.transact(() => this.keys.put(key));
  }

  revokeApiKey(id: string, revokedAtMs: number): void {
    this.configs.require();
    this.keys.revoke(id, revokedAtMs);
  }

  /** Compensation when the Postgres side of a key creation did not commit. */
  removeApiKey(id: string): void {
    if (this.ready) this.keys.remove(id);
  }

  /** Authenticates a key by its hash and takes one token from its bucket, in one round trip. */
  authorize(hash: string): AuthorizeResult {
    return this.ready ? this.keys.authorize(this.getConfig(), hash, Date.now()) : { ok: false, reason: 'unknown' };
  }

  /** Claims an Idempotency-Key for a request with this fingerprint, or answers with what the first request got. */
  idempotencyBegin(key: string, fingerprint: string): IdempotencyBegin {
    this.ensureSchema();
    return this.transact(() => this.idempotency.begin(key, fingerprint, Date.now()));
  }

  idempotencyComplete(key: string, response: StoredResponse): void {
    this.ensureSchema();
    this.idempotency.complete(key, response);
  }

  /** Lets a retry run again (the first attempt failed in a way worth retrying). */
  idempotencyRelease(key: string): void {
    if (this.ready) this.idempotency.release(key);
  }

  // ---- ingestion ------------------------------------------------------------------------------

  /**
   * One ingest request: resolves references (refusing the whole batch for another tenant's ids
   * before writing anything), routes in one storage transaction, hands each QueueDO its queue batch
   * in parallel and answers once all of them committed — a failed one makes it `queue_unavailable`
   * (the request is a 503; repeats are duplicates). A webhook delivery is logged with what its events
   * became: by its only queue in that batch's transaction when nothing is relayed (then nothing is
   * written here after the queue committed), else here.
   */
  async ingest(input: TenantIngest): Promise<TenantIngestResult> {
    const config = this.configs.require();
    const connector = input.connectorId ? this.configs.connector(input.connectorId) : null;
    // The Worker's copy of a connector may be seconds old: whether it is enabled is decided here.
    if (input.connectorId && !connector?.enabled) return { ok: false, reason: 'connector_unavailable', errors: [] };
    if (connector && input.connectorSecret && !liveSecrets(connector, Date.now()).includes(input.connectorSecret)) {
      return { ok: false, reason: 'secret_revoked', errors: [] };
    }
    const resolution = resolveReferences(input.events, this.entities.lookup(), connector, input.unknownKeys);
    if (resolution.errors.length > 0) return { ok: false, reason: 'unknown_reference', errors: resolution.errors };

    const now = Date.now();
    const routed = this.transact(() => this.router.route(input.events, resolution, now, input.revise === true));
    const delivery = input.delivery;
    const ids = input.events.map((e) => e.id);
    // The only queue logs the delivery in its own transaction when nothing is left to write here after it.
    const only = routed.batches.length === 1 && routed.relayed.length === 0 ? routed.batches[0] : undefined;
    const loggedByQueue = delivery !== undefined && only !== undefined;
    const batches =
      delivery && only
        ? [
            {
              ...only,
              delivery: {
                ...delivery,
                ids,
                outcomes: routed.outcomes,
                retentionDays: config.settings.rawRetentionDays,
              },
            },
          ]
        : routed.batches;
    const sent = await Promise.allSettled(batches.map((b) => this.link.send(config, b)));
    const failed = sent.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      await this.wakeForWork(now);
      this.log(config).warn('queue batch failed; the request is refused for a retry', {
        queueId: routed.batches[failed]?.queueId,
        error: String((sent[failed] as PromiseRejectedResult).reason),
      });
      return { ok: false, reason: 'queue_unavailable', queueId: routed.batches[failed]?.queueId ?? '', errors: [] };
    }
    const results = routedResults(
      ids,
      routed.outcomes,
      sent.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    );
    // Every queue committed its batch, with what routing also left for the relay: that is done.
    this.transact(() => {
      this.router.delivered(routed.relayed);
      if (delivery && !loggedByQueue) {
        const record = completeDelivery(delivery.record, fillSlots(delivery.slots, results));
        this.deliveries.record(record, null, config.settings.rawRetentionDays, now);
      }
    });
    await this.wakeForWork(now);
    return { ok: true, results };
  }

  /** Outbox backlog, dead letters and parked/relay counts, for /health. */
  backlog(): { outbox: number; parked: number; relay: number; deadLetters: number } {
    if (!this.ready) return { outbox: 0, parked: 0, relay: 0, deadLetters: 0 };
    const status = this.outbox.status();
    return {
      outbox: status.backlog,
      parked: this.router.parkedCount(),
      relay: this.relay.pending(),
      deadLetters: status.deadLetters,
    };
  }

  protected alarmParts() {
    const config = this.getConfig();
    return config ? { parts: this.parts, log: this.log(config) } : null;
  }

  private log(config: TenantConfig): Logger {
    return createLogger({ tenantId: config.tenantId, do: 'TenantDO' }, this.env.LOG_LEVEL);
  }

  private async configureQueues(queueIds: readonly string[]): Promise<void> {
    const config = this.getConfig();
    if (config && queueIds.length > 0) await this.link.configure(config, queueIds, this.log(config));
  }

  private async wakeForWork(now: number): Promise<void> {
    if (this.relay.pending() > 0) await this.wakeWithin(now, RELAY_DELAY_MS);
    else if (this.outbox.hasWork()) await this.wakeWithin(now, FLUSH_DELAY_MS);
  }
}
