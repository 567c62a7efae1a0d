import type { EnsureEntity } from '../../db/history-writer';
import { projectPresence } from '../../domain/agents/presence';
import { DEFAULT_RATE_LIMIT } from '../../domain/api-keys';
import { projectInteraction } from '../../domain/calls/project';
import type { DeliveryRecord } from '../../domain/deliveries';
import { UnverifiedFlood } from '../../domain/delivery-flood';
import { type AnyEvent, type NormalizedEvent, sameContent } from '../../domain/events/normalized';
import { type Bucket, takeTokens } from '../../domain/rate-limit';
import type { TenantSettings } from '../../domain/settings';
import type { Env } from '../../env';
import { createLogger, errorFields } from '../../lib/log';
import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';
import { queueStub } from '../queue/queue.client';
import type { PresenceUpdate, QueueSettings } from '../queue/queue.types';
import { SqlDurableObject } from '../sql-object';
import { type EntityLookup, resolveReferences } from './tenant.routing';
import {
  type AuthorizeResult,
  type ConnectorLookup,
  type DeliveryReceipt,
  type HotAgent,
  type HotConnector,
  type HotQueue,
  type IdempotencyBegin,
  type KeyRecord,
  liveSecrets,
  type QueueBatch,
  type RouteInput,
  type RouteOutcome,
  type RouteResult,
  type StoredResponse,
  type TenantConfig,
  type TenantSnapshot,
} from './tenant.types';

/** Idempotency records answer replays for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A pending record older than this belongs to a request that died; a retry may take it over. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60 * 1000;
/** Routes and presence events are remembered at least as long as event ids are (docs/ARCHITECTURE.md, Invariants). */
const RETENTION_MS = 72 * 3600 * 1000;
const RELAY_DELAY_MS = 200;

const MIGRATIONS = [
  `CREATE TABLE config (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     tenant_id TEXT NOT NULL,
     settings TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE TABLE api_keys (
     hash TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER,
     rate_limit TEXT
   );
   CREATE TABLE idempotency (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
     response TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX idempotency_created_at ON idempotency (created_at);`,
  `ALTER TABLE config ADD COLUMN caller_salt TEXT NOT NULL DEFAULT '';
   CREATE TABLE entities (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     archived INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE TABLE entity_keys (
     kind TEXT NOT NULL,
     provider TEXT NOT NULL,
     key TEXT NOT NULL,
     entity_id TEXT NOT NULL,
     PRIMARY KEY (kind, provider, key)
   );
   CREATE INDEX entity_keys_entity ON entity_keys (kind, entity_id);
   CREATE TABLE connectors (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE interaction_queues (
     interaction_id TEXT NOT NULL,
     queue_id TEXT NOT NULL,
     first_at INTEGER NOT NULL,
     touched_at INTEGER NOT NULL,
     PRIMARY KEY (interaction_id, queue_id)
   );
   CREATE TABLE interaction_events (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     agent_id TEXT,
     occurred_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     parked INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX interaction_events_interaction ON interaction_events (interaction_id);
   CREATE INDEX interaction_events_parked ON interaction_events (parked, received_at);
   CREATE TABLE forward (id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE agent_events (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX agent_events_agent ON agent_events (agent_id);
   CREATE TABLE presence (agent_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL, event_id TEXT NOT NULL);
   CREATE TABLE intervals (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL);
   CREATE INDEX intervals_agent ON intervals (agent_id);
   ${OUTBOX_DDL}`,
  OUTBOX_DEAD_LETTERS_DDL,
];

type KeyRow = {
  hash: string;
  id: string;
  scopes: string;
  expires_at: number | null;
  revoked_at: number | null;
  rate_limit: string | null;
};

/**
 * One per tenant, named by the tenant id. Holds what the hot path needs without Postgres — API key
 * hashes and scopes, settings, queues, agents and their provider keys, connectors — plus the token
 * buckets and Idempotency-Key records; routes events (queue-less ones to the queue of their
 * interaction, parking those whose queue is not known yet); owns agent presence and writes its
 * state intervals to Postgres through its own outbox. Admin changes write here in the same request
 * that writes Postgres.
 */
export class TenantDO extends SqlDurableObject {
  /**
   * Token buckets live in memory: they refill within a window anyway, and an eviction (which only
   * happens after the tenant went idle) can at worst hand a key one extra burst.
   */
  private readonly buckets = new Map<string, Bucket>();
  /** The same for webhook deliveries whose signature failed. */
  private readonly unverified = new UnverifiedFlood();
  /** The config row, read once and kept in step by every write (undefined = not read yet). */
  private config: TenantConfig | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    // An unknown tenant id must not create storage: reads on a fresh object stay reads.
    super(ctx, env, MIGRATIONS);
  }

  // ---- configuration ------------------------------------------------------------------------

  /** Replaces the whole hot-path configuration (tenant creation, or a resync from Postgres). */
  replaceConfig(snapshot: TenantSnapshot): number {
    this.ensureSchema();
    return this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM api_keys');
      for (const key of snapshot.apiKeys) this.insertKey(key);
      this.buckets.clear();
      this.sql.exec('DELETE FROM entities');
      this.sql.exec('DELETE FROM entity_keys');
      for (const q of snapshot.queues) this.writeQueue(q);
      for (const a of snapshot.agents) this.writeAgent(a);
      this.sql.exec('DELETE FROM connectors');
      for (const c of snapshot.connectors)
        this.sql.exec('INSERT INTO connectors (id, body) VALUES (?, ?)', c.id, JSON.stringify(c));
      return this.writeConfig(snapshot.config.tenantId, snapshot.config.settings, snapshot.config.callerSalt);
    });
  }

  getConfig(): TenantConfig | null {
    if (!this.ready) return null;
    if (this.config === undefined) {
      const row = this.sql
        .exec<{ tenant_id: string; settings: string; version: number; caller_salt: string }>(
          'SELECT tenant_id, settings, version, caller_salt FROM config',
        )
        .toArray()[0];
      this.config = row
        ? { tenantId: row.tenant_id, settings: JSON.parse(row.settings), version: row.version, callerSalt: row.caller_salt }
        : null;
    }
    return this.config;
  }

  setSettings(settings: TenantSettings): number {
    const current = this.requireConfig();
    return this.writeConfig(current.tenantId, settings, current.callerSalt);
  }

  putQueue(queue: HotQueue): number {
    const c = this.requireConfig();
    this.ctx.storage.transactionSync(() => this.writeQueue(queue));
    return this.writeConfig(c.tenantId, c.settings, c.callerSalt);
  }

  putAgent(agent: HotAgent): number {
    const c = this.requireConfig();
    this.ctx.storage.transactionSync(() => this.writeAgent(agent));
    return this.writeConfig(c.tenantId, c.settings, c.callerSalt);
  }

  removeEntity(kind: 'queue' | 'agent', id: string): number {
    const c = this.requireConfig();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM entities WHERE kind = ? AND id = ?', kind, id);
      this.sql.exec('DELETE FROM entity_keys WHERE kind = ? AND entity_id = ?', kind, id);
    });
    return this.writeConfig(c.tenantId, c.settings, c.callerSalt);
  }

  putConnector(connector: HotConnector): number {
    const c = this.requireConfig();
    this.sql.exec('INSERT OR REPLACE INTO connectors (id, body) VALUES (?, ?)', connector.id, JSON.stringify(connector));
    return this.writeConfig(c.tenantId, c.settings, c.callerSalt);
  }

  removeConnector(id: string): number {
    const c = this.requireConfig();
    this.sql.exec('DELETE FROM connectors WHERE id = ?', id);
    return this.writeConfig(c.tenantId, c.settings, c.callerSalt);
  }

  /** Whether the tenant has this queue or agent (archived ones included). */
  hasEntity(kind: 'queue' | 'agent', id: string): boolean {
    if (!this.ready) return false;
    return this.lookup().entity(kind, id) !== null;
  }

  /** Queues the tenant has, for tenant-wide views such as the outbox backlog. */
  queueIds(): string[] {
    if (!this.ready) return [];
    return this.sql
      .exec<{ id: string }>("SELECT id FROM entities WHERE kind = 'queue' ORDER BY id")
      .toArray()
      .map((r) => r.id);
  }

  /** What the webhook path needs to verify and normalize a delivery, in one round trip. */
  getConnector(id: string): ConnectorLookup | null {
    const config = this.getConfig();
    if (!config) return null;
    const connector = this.connector(id);
    return connector ? { connector, configVersion: config.version, callerSalt: config.callerSalt } : null;
  }

  /**
   * Logs a webhook delivery: into the outbox (durable now, in Postgres at the next flush), so the
   * log survives a Postgres outage like the events do. The tenant's retention rides along. One whose
   * signature failed (`unverifiedSource` set) goes through the flood limits: logged, or only counted.
   */
  async recordDelivery(
    record: Omit<DeliveryRecord, 'retentionDays'>,
    unverifiedSource: string | null = null,
  ): Promise<DeliveryReceipt> {
    const config = this.getConfig();
    if (!config) return { retryAfterSeconds: null };
    const now = Date.now();
    const admitted =
      unverifiedSource === null
        ? { write: { record, version: 1 }, retryAfterSeconds: null }
        : this.unverified.admit(record, unverifiedSource, now);
    const { record: row, version } = admitted.write;
    this.outbox.putRecord('delivery', row.id, version, { ...row, retentionDays: config.settings.rawRetentionDays });
    await this.scheduleWork(now);
    return { retryAfterSeconds: admitted.retryAfterSeconds };
  }

  // ---- API keys, rate limits, idempotency ----------------------------------------------------

  putApiKey(key: KeyRecord): void {
    this.requireConfig();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM api_keys WHERE id = ?', key.id);
      this.insertKey(key);
    });
  }

  revokeApiKey(id: string, revokedAtMs: number): void {
    this.requireConfig();
    this.sql.exec('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', revokedAtMs, id);
    this.buckets.delete(id);
  }

  /** Compensation when the Postgres side of a key creation did not commit. */
  removeApiKey(id: string): void {
    if (!this.ready) return;
    this.sql.exec('DELETE FROM api_keys WHERE id = ?', id);
    this.buckets.delete(id);
  }

  /** Authenticates a key by its hash and takes one token from its bucket, in one round trip. */
  authorize(hash: string): AuthorizeResult {
    if (!this.ready) return { ok: false, reason: 'unknown' };
    const config = this.getConfig();
    const row = this.sql.exec<KeyRow>('SELECT * FROM api_keys WHERE hash = ?', hash).toArray()[0];
    if (!config || !row) return { ok: false, reason: 'unknown' };
    const now = Date.now();
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (row.expires_at !== null && row.expires_at <= now) return { ok: false, reason: 'expired' };
    const policy = row.rate_limit ? JSON.parse(row.rate_limit) : DEFAULT_RATE_LIMIT;
    const decision = takeTokens(this.buckets.get(row.id), policy, now);
    this.buckets.set(row.id, decision.bucket);
    if (!decision.allowed) {
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds, limit: policy.limit };
    }
    return {
      ok: true,
      tenantId: config.tenantId,
      keyId: row.id,
      scopes: JSON.parse(row.scopes),
      configVersion: config.version,
      rateLimit: { limit: policy.limit, remaining: decision.remaining, resetSeconds: decision.resetSeconds },
    };
  }

  /**
   * Claims an Idempotency-Key for a request with this fingerprint (method, path, body hash), or
   * answers with what the first request got.
   */
  idempotencyBegin(key: string, fingerprint: string): IdempotencyBegin {
    this.ensureSchema();
    const now = Date.now();
    this.sql.exec('DELETE FROM idempotency WHERE created_at < ?', now - IDEMPOTENCY_TTL_MS);
    const row = this.sql
      .exec<{ fingerprint: string; state: string; response: string | null; created_at: number }>(
        'SELECT fingerprint, state, response, created_at FROM idempotency WHERE key = ?',
        key,
      )
      .toArray()[0];
    if (row) {
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.state === 'done' && row.response) return { state: 'replay', response: JSON.parse(row.response) };
      if (now - row.created_at < IDEMPOTENCY_PENDING_TIMEOUT_MS) return { state: 'in_progress' };
    }
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, state, response, created_at) VALUES (?, ?, 'pending', NULL, ?)
       ON CONFLICT (key) DO UPDATE SET state = 'pending', response = NULL, created_at = excluded.created_at`,
      key,
      fingerprint,
      now,
    );
    return { state: 'started' };
  }

  idempotencyComplete(key: string, response: StoredResponse): void {
    this.ensureSchema();
    this.sql.exec("UPDATE idempotency SET state = 'done', response = ? WHERE key = ?", JSON.stringify(response), key);
  }

  /** Lets a retry run again (the first attempt failed in a way worth retrying). */
  idempotencyRelease(key: string): void {
    if (!this.ready) return;
    this.sql.exec("DELETE FROM idempotency WHERE key = ? AND state = 'pending'", key);
  }

  // ---- ingestion ------------------------------------------------------------------------------

  /**
   * Routes a batch: resolves references (refusing the whole batch for another tenant's ids before
   * writing anything), keeps agent presence, and says which QueueDO gets each event. A queue-less
   * event goes to the queue of its interaction — the one its agent was connected from, else the
   * latest one it joined; if none is known yet it is parked (and logged) until one is.
   */
  async route(input: RouteInput): Promise<RouteResult> {
    const config = this.requireConfig();
    const connector = input.connectorId ? this.connector(input.connectorId) : null;
    // The Worker's copy of a connector may be seconds old: whether it is enabled is decided here.
    if (input.connectorId && !connector?.enabled) return { ok: false, reason: 'connector_unavailable', errors: [] };
    if (connector && input.connectorSecret && !liveSecrets(connector, Date.now()).includes(input.connectorSecret)) {
      return { ok: false, reason: 'secret_revoked', errors: [] };
    }
    const resolution = resolveReferences(input.events, this.lookup(), connector, input.unknownKeys);
    if (resolution.errors.length > 0) return { ok: false, reason: 'unknown_reference', errors: resolution.errors };

    const now = Date.now();
    const settings: QueueSettings = { timeZone: config.settings.timeZone, staleVisitMinutes: config.settings.staleVisitMinutes };
    const result = this.ctx.storage.transactionSync(() => {
      const outcomes: RouteOutcome[] = input.events.map((_, i) => ({
        status: 'rejected',
        reason: resolution.rejected.get(i) ?? 'unresolved',
      }));
      const batches = new Map<string, QueueBatch>();
      const deliver = (queueId: string) => {
        let d = batches.get(queueId);
        if (!d) {
          d = { queueId, events: [], presence: [], ensure: [], timelines: [], ...(input.revise ? { revise: true } : {}) };
          batches.set(queueId, d);
        }
        return d;
      };
      for (const c of resolution.created) {
        const base = { id: c.id, name: c.name ?? c.id, archived: false, auto: true, externalKeys: [c.externalKey] };
        if (c.kind === 'queue') this.writeQueue(base);
        else this.writeAgent({ ...base, queueIds: [] });
        this.outbox.putRecord(c.kind, c.id, 1, c);
      }
      const ensure = (e: AnyEvent): EnsureEntity[] =>
        resolution.created.filter(
          (c) => (c.kind === 'queue' && c.id === e.queueId) || (c.kind === 'agent' && c.id === e.agentId),
        );

      const touchedAgents = new Set<string>();
      const newQueues: { interactionId: string; queueId: string }[] = [];
      const retimed = new Set<string>();
      // Queue-bearing and presence events first, so a batch's own joins route its queue-less events.
      const order = resolution.events
        .map((e, i) => ({ e, i }))
        .filter((x): x is { e: AnyEvent; i: number } => x.e !== null)
        .sort((a, b) => Number(a.e.queueId === null) - Number(b.e.queueId === null));
      const push = (queueId: string, e: AnyEvent) => {
        const d = deliver(queueId);
        if (d.events.some((x) => x.id === e.id)) return;
        d.events.push(e);
        for (const x of ensure(e)) if (!d.ensure.some((y) => y.id === x.id)) d.ensure.push(x);
      };
      for (const { e, i } of order) {
        if (e.type === 'agent.state_changed') {
          outcomes[i] = { status: this.recordPresence(e as NormalizedEvent<'agent.state_changed'>, now, input.revise === true) };
          touchedAgents.add(e.agentId as string);
          continue;
        }
        const interactionId = e.interactionId as string;
        if (e.queueId) {
          const change = this.noteQueue(interactionId, e.queueId, e.occurredAt, now);
          if (change === 'new') newQueues.push({ interactionId, queueId: e.queueId });
          if (change !== 'same') retimed.add(interactionId);
          push(e.queueId, e);
          outcomes[i] = { status: 'routed', queueId: e.queueId };
          continue;
        }
        const targets = this.queuesOf(interactionId).map((q) => q.queueId);
        const kept = this.keepQueueLess(e, targets.length === 0, now, input.revise === true);
        if (targets.length === 0) {
          outcomes[i] = { status: kept === 'new' ? 'accepted' : kept };
          if (kept !== 'duplicate') this.logParked(e, now, kept === 'revised');
          continue;
        }
        for (const q of targets) push(q, e);
        outcomes[i] = { status: 'routed', queueId: targets[0] as string };
      }
      // A queue new to an interaction gets the events without a queue it already had. Delivered with
      // this batch, and relayed again by the alarm in case this request does not get through.
      for (const { interactionId, queueId } of newQueues) {
        for (const e of this.queueLessEvents(interactionId)) {
          push(queueId, e);
          this.relayLater(queueId, `event|${e.id}`, { event: e }, now);
        }
      }
      // Every queue of an interaction whose queues changed learns the new timeline: it decides which
      // of an agent's queue-less events are its own.
      for (const interactionId of retimed) {
        const joins = this.queuesOf(interactionId).map((q) => ({ queueId: q.queueId, at: q.firstAt }));
        for (const { queueId } of joins) {
          deliver(queueId).timelines.push({ interactionId, joins });
          this.relayLater(queueId, `timeline|${interactionId}`, { timeline: { interactionId, joins } }, now);
        }
      }
      for (const agentId of touchedAgents) {
        const p = this.presenceOf(agentId);
        if (!p) continue;
        const lookup = this.lookup();
        for (const queueId of this.agentQueues(agentId)) {
          const queue = lookup.entity('queue', queueId);
          if (queue && !queue.archived) deliver(queueId).presence.push(p);
        }
      }
      return { ok: true as const, outcomes, batches: [...batches.values()], settings };
    });
    await this.scheduleWork(now);
    return result;
  }

  /** Outbox backlog, dead letters and parked/relay counts, for /health. */
  backlog(): { outbox: number; parked: number; relay: number; deadLetters: number } {
    if (!this.ready) return { outbox: 0, parked: 0, relay: 0, deadLetters: 0 };
    const r = this.sql
      .exec<{ p: number; f: number }>(
        'SELECT (SELECT count(*) FROM interaction_events WHERE parked = 1) AS p, (SELECT count(*) FROM forward) AS f',
      )
      .one();
    const status = this.outbox.status();
    return { outbox: status.backlog, parked: r.p, relay: r.f, deadLetters: status.deadLetters };
  }

  override async alarm(): Promise<void> {
    const config = this.getConfig();
    if (!config) return;
    const log = createLogger({ tenantId: config.tenantId, do: 'TenantDO' }, this.env.LOG_LEVEL);
    const now = Date.now();
    try {
      await this.relay(config, log);
      await this.flushOutbox(config.tenantId, now, log, (batch) => {
        const ensure = batch.records.filter((r) => r.kind === 'queue' || r.kind === 'agent').map((r) => r.body as EnsureEntity);
        const agentIds = new Set(
          batch.records.filter((r) => r.kind === 'interval').map((r) => (r.body as { agentId: string }).agentId),
        );
        for (const id of agentIds) if (!ensure.some((e) => e.id === id)) ensure.push(this.ensureOf('agent', id));
        return ensure;
      });
      this.prune(now, config.settings.staleVisitMinutes);
    } catch (err) {
      log.error('tenant alarm failed', errorFields(err));
    } finally {
      await this.scheduleNext(Date.now());
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private lookup(): EntityLookup {
    return {
      entity: (kind, id) => {
        const row = this.sql
          .exec<{ archived: number }>('SELECT archived FROM entities WHERE kind = ? AND id = ?', kind, id)
          .toArray()[0];
        return row ? { archived: row.archived === 1 } : null;
      },
      byKey: (kind, provider, key) =>
        this.sql
          .exec<{ entity_id: string }>(
            'SELECT entity_id FROM entity_keys WHERE kind = ? AND provider = ? AND key = ?',
            kind,
            provider,
            key,
          )
          .toArray()[0]?.entity_id ?? null,
      byAnyKey: (kind, key) => {
        const rows = this.sql
          .exec<{ entity_id: string }>('SELECT DISTINCT entity_id FROM entity_keys WHERE kind = ? AND key = ? LIMIT 2', kind, key)
          .toArray();
        return rows.length === 1 ? (rows[0]?.entity_id ?? null) : null;
      },
    };
  }

  private connector(id: string): HotConnector | null {
    if (!this.ready) return null;
    const row = this.sql.exec<{ body: string }>('SELECT body FROM connectors WHERE id = ?', id).toArray()[0];
    return row ? JSON.parse(row.body) : null;
  }

  /** Remembers that an interaction visits a queue, and from when: 'new', 'earlier' (a late join) or 'same'. */
  private noteQueue(interactionId: string, queueId: string, at: number, now: number): 'new' | 'earlier' | 'same' {
    const row = this.sql
      .exec<{ first_at: number }>(
        'SELECT first_at FROM interaction_queues WHERE interaction_id = ? AND queue_id = ?',
        interactionId,
        queueId,
      )
      .toArray()[0];
    this.sql.exec(
      `INSERT INTO interaction_queues (interaction_id, queue_id, first_at, touched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (interaction_id, queue_id) DO UPDATE SET first_at = min(first_at, excluded.first_at), touched_at = excluded.touched_at`,
      interactionId,
      queueId,
      at,
      now,
    );
    if (!row) return 'new';
    return at < row.first_at ? 'earlier' : 'same';
  }

  private queuesOf(interactionId: string): { queueId: string; firstAt: number }[] {
    return this.sql
      .exec<{ queue_id: string; first_at: number }>(
        'SELECT queue_id, first_at FROM interaction_queues WHERE interaction_id = ? ORDER BY first_at, queue_id',
        interactionId,
      )
      .toArray()
      .map((r) => ({ queueId: r.queue_id, firstAt: r.first_at }));
  }

  private queueLessEvents(interactionId: string): AnyEvent[] {
    const rows = this.sql
      .exec<{ body: string }>('SELECT body FROM interaction_events WHERE interaction_id = ?', interactionId)
      .toArray();
    this.sql.exec('UPDATE interaction_events SET parked = 0 WHERE interaction_id = ?', interactionId);
    return rows.map((r) => JSON.parse(r.body) as AnyEvent);
  }

  private relayLater(queueId: string, key: string, body: unknown, now: number): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO forward (id, queue_id, body, created_at) VALUES (?, ?, ?, ?)',
      `${queueId}|${key}`,
      queueId,
      JSON.stringify(body),
      now,
    );
  }

  /**
   * Keeps a queue-less event for queues the interaction may visit later: `duplicate` if already kept
   * (unless re-normalization changed its content: `revised`, the new content replaces the old).
   */
  private keepQueueLess(e: AnyEvent, parked: boolean, now: number, revise: boolean): 'new' | 'duplicate' | 'revised' {
    const kept = this.sql
      .exec<{ body: string; parked: number }>('SELECT body, parked FROM interaction_events WHERE id = ?', e.id)
      .toArray()[0];
    if (kept && (!revise || sameContent(JSON.parse(kept.body) as AnyEvent, e))) return 'duplicate';
    if (kept) {
      this.sql.exec(
        'UPDATE interaction_events SET interaction_id = ?, agent_id = ?, occurred_at = ?, body = ? WHERE id = ?',
        e.interactionId,
        e.agentId,
        e.occurredAt,
        JSON.stringify(e),
        e.id,
      );
      return 'revised';
    }
    this.sql.exec(
      'INSERT INTO interaction_events (id, interaction_id, agent_id, occurred_at, received_at, parked, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.id,
      e.interactionId,
      e.agentId,
      e.occurredAt,
      now,
      parked ? 1 : 0,
      JSON.stringify(e),
    );
    return 'new';
  }

  /** A parked event reaches Postgres's event log now, and interactions that never queue get their facts. */
  private logParked(e: AnyEvent, now: number, revised = false): void {
    const interactionId = e.interactionId as string;
    this.outbox.putEvent(e.id, e, now, revised);
    const events = this.sql
      .exec<{ body: string }>('SELECT body FROM interaction_events WHERE interaction_id = ?', interactionId)
      .toArray()
      .map((r) => JSON.parse(r.body) as AnyEvent);
    const facts = projectInteraction({ interactionId, queueId: '', events }).interaction;
    const firstEventAt = Math.min(...events.map((x) => x.occurredAt));
    const lastEventAt = Math.max(...events.map((x) => x.occurredAt));
    this.outbox.putRecord('interaction', interactionId, events.length, { ...facts, firstEventAt, lastEventAt });
  }

  /** Keeps a presence event, projects the agent's intervals again, records what changed. */
  private recordPresence(
    e: NormalizedEvent<'agent.state_changed'>,
    now: number,
    revise: boolean,
  ): 'accepted' | 'duplicate' | 'revised' {
    const agentId = e.agentId as string;
    const kept = this.sql.exec<{ body: string }>('SELECT body FROM agent_events WHERE id = ?', e.id).toArray()[0];
    if (kept && (!revise || sameContent(JSON.parse(kept.body) as AnyEvent, e))) return 'duplicate';
    this.sql.exec(
      'INSERT OR REPLACE INTO agent_events (id, agent_id, received_at, body) VALUES (?, ?, ?, ?)',
      e.id,
      agentId,
      now,
      JSON.stringify(e),
    );
    this.outbox.putEvent(e.id, e, now, kept !== undefined);
    const events = this.sql
      .exec<{ body: string }>('SELECT body FROM agent_events WHERE agent_id = ?', agentId)
      .toArray()
      .map((r) => JSON.parse(r.body) as NormalizedEvent<'agent.state_changed'>);
    const current = new Map(
      this.sql
        .exec<{ id: string; body: string; version: number }>(
          'SELECT id, body, version FROM intervals WHERE agent_id = ?',
          agentId,
        )
        .toArray()
        .map((r) => [r.id, r]),
    );
    const intervals = projectPresence(agentId, events);
    for (const interval of intervals) {
      const body = JSON.stringify(interval);
      const prev = current.get(interval.id);
      if (prev?.body === body) continue;
      const version = (prev?.version ?? 0) + 1;
      this.sql.exec(
        'INSERT INTO intervals (id, agent_id, body, version) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version',
        interval.id,
        agentId,
        body,
        version,
      );
      this.outbox.putRecord('interval', interval.id, version, interval);
    }
    const last = intervals.at(-1);
    if (last) {
      const lastEvent = events.find((x) => `${agentId}|${x.id}` === last.id);
      this.sql.exec(
        `INSERT INTO presence (agent_id, state, reason, since, event_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, event_id = excluded.event_id`,
        agentId,
        last.state,
        last.reason,
        last.startedAt,
        lastEvent?.id ?? last.id,
      );
    }
    return kept ? 'revised' : 'accepted';
  }

  private presenceOf(agentId: string): PresenceUpdate | null {
    const row = this.sql
      .exec<{ state: PresenceUpdate['state']; reason: string | null; since: number; event_id: string }>(
        'SELECT state, reason, since, event_id FROM presence WHERE agent_id = ?',
        agentId,
      )
      .toArray()[0];
    return row ? { agentId, state: row.state, reason: row.reason, since: row.since, eventId: row.event_id } : null;
  }

  private agentQueues(agentId: string): string[] {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM entities WHERE kind = 'agent' AND id = ?", agentId)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as HotAgent).queueIds : [];
  }

  /** Delivers what `relayLater` queued to the QueueDOs (at least once; they drop repeats). */
  private async relay(config: TenantConfig, log: ReturnType<typeof createLogger>): Promise<void> {
    const rows = this.sql
      .exec<{ id: string; queue_id: string; body: string }>('SELECT id, queue_id, body FROM forward LIMIT 1000')
      .toArray();
    const byQueue = new Map<string, { ids: string[]; batch: QueueBatch }>();
    for (const r of rows) {
      const g = byQueue.get(r.queue_id) ?? {
        ids: [],
        batch: { queueId: r.queue_id, events: [], presence: [], ensure: [], timelines: [] },
      };
      g.ids.push(r.id);
      const body = JSON.parse(r.body) as { event?: AnyEvent; timeline?: QueueBatch['timelines'][number] };
      if (body.event) g.batch.events.push(body.event);
      if (body.timeline) g.batch.timelines.push(body.timeline);
      byQueue.set(r.queue_id, g);
    }
    const settings: QueueSettings = { timeZone: config.settings.timeZone, staleVisitMinutes: config.settings.staleVisitMinutes };
    for (const [queueId, g] of byQueue) {
      try {
        const stub = queueStub(this.env, config.tenantId, queueId);
        await stub.ingest({ tenantId: config.tenantId, settings, ...g.batch });
        for (const id of g.ids) this.sql.exec('DELETE FROM forward WHERE id = ?', id);
      } catch (err) {
        log.warn('relay to queue failed; will retry', { queueId, ...errorFields(err) });
      }
    }
  }

  private ensureOf(kind: 'queue' | 'agent', id: string): EnsureEntity {
    const row = this.sql.exec<{ body: string }>('SELECT body FROM entities WHERE kind = ? AND id = ?', kind, id).toArray()[0];
    const hot = row ? (JSON.parse(row.body) as { name: string; auto?: boolean }) : null;
    return { kind, id, name: hot?.auto ? hot.name : null, externalKey: null };
  }

  private prune(now: number, staleVisitMinutes: number): void {
    this.ctx.storage.transactionSync(() => {
      // Parked events wait for a queue as long as a visit may stay open; all are kept for later queues 72 h.
      this.sql.exec(
        'UPDATE interaction_events SET parked = 0 WHERE parked = 1 AND received_at <= ?',
        now - staleVisitMinutes * 60_000,
      );
      this.sql.exec('DELETE FROM interaction_events WHERE received_at <= ?', now - RETENTION_MS);
      this.sql.exec('DELETE FROM interaction_queues WHERE touched_at <= ?', now - RETENTION_MS);
      // Presence events: the latest of each agent stays, so its open interval can still be ended.
      this.sql.exec(
        `DELETE FROM agent_events WHERE received_at <= ? AND id NOT IN (SELECT event_id FROM presence)`,
        now - RETENTION_MS,
      );
    });
  }

  private async scheduleWork(now: number): Promise<void> {
    const pending = this.backlog();
    if (pending.outbox + pending.relay === 0) return;
    // An alarm in the past is one being handled right now (see QueueDO.scheduleFlush).
    const current = await this.ctx.storage.getAlarm();
    const target = now + RELAY_DELAY_MS;
    if (current === null || current <= Date.now() || current > target) await this.ctx.storage.setAlarm(target);
  }

  private async scheduleNext(now: number): Promise<void> {
    const status = this.outbox.status();
    const pending = this.backlog();
    const candidates: number[] = [];
    if (pending.relay > 0) candidates.push(now + 1000);
    if (status.backlog > 0) candidates.push(status.nextAttemptAt ?? now + RELAY_DELAY_MS);
    const parked = this.sql
      .exec<{ t: number | null }>('SELECT min(received_at) AS t FROM interaction_events WHERE parked = 1')
      .one();
    const staleMs = (this.getConfig()?.settings.staleVisitMinutes ?? 240) * 60_000;
    if (parked.t !== null) candidates.push(parked.t + staleMs);
    const kept = this.sql.exec<{ t: number | null }>('SELECT min(received_at) AS t FROM interaction_events').one();
    if (kept.t !== null) candidates.push(kept.t + RETENTION_MS);
    if (candidates.length === 0) return;
    await this.ctx.storage.setAlarm(Math.max(now + 100, Math.min(...candidates)));
  }

  private requireConfig(): TenantConfig {
    const config = this.getConfig();
    if (!config) throw new Error('TenantDO has no configuration: the tenant was never initialised here');
    return config;
  }

  private writeConfig(tenantId: string, settings: TenantSettings, callerSalt: string): number {
    const version = (this.getConfig()?.version ?? 0) + 1;
    this.config = undefined;
    this.sql.exec(
      `INSERT INTO config (id, tenant_id, settings, version, caller_salt) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, settings = excluded.settings, version = excluded.version,
         caller_salt = excluded.caller_salt`,
      tenantId,
      JSON.stringify(settings),
      version,
      callerSalt,
    );
    return version;
  }

  private writeQueue(q: HotQueue & { auto?: boolean }): void {
    this.writeEntity('queue', q.id, q, q.archived, q.externalKeys);
  }

  private writeAgent(a: HotAgent & { auto?: boolean }): void {
    this.writeEntity('agent', a.id, a, a.archived, a.externalKeys);
  }

  private writeEntity(
    kind: 'queue' | 'agent',
    id: string,
    body: unknown,
    archived: boolean,
    keys: { provider: string; key: string }[],
  ) {
    this.sql.exec(
      'INSERT OR REPLACE INTO entities (kind, id, body, archived) VALUES (?, ?, ?, ?)',
      kind,
      id,
      JSON.stringify(body),
      archived ? 1 : 0,
    );
    this.sql.exec('DELETE FROM entity_keys WHERE kind = ? AND entity_id = ?', kind, id);
    for (const k of keys) {
      this.sql.exec(
        'INSERT OR REPLACE INTO entity_keys (kind, provider, key, entity_id) VALUES (?, ?, ?, ?)',
        kind,
        k.provider,
        k.key,
        id,
      );
    }
  }

  private insertKey(key: KeyRecord): void {
    this.sql.exec(
      'INSERT INTO api_keys (hash, id, scopes, expires_at, revoked_at, rate_limit) VALUES (?, ?, ?, ?, ?, ?)',
      key.hash,
      key.id,
      JSON.stringify(key.scopes),
      key.expiresAtMs,
      key.revokedAtMs,
      key.rateLimit ? JSON.stringify(key.rateLimit) : null,
    );
  }
}
