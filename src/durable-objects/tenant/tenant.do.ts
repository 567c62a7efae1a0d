import { DurableObject } from 'cloudflare:workers';
import { DEFAULT_RATE_LIMIT } from '../../domain/api-keys';
import { type Bucket, takeTokens } from '../../domain/rate-limit';
import type { TenantSettings } from '../../domain/settings';
import type { Env } from '../../env';
import { hasTable, migrateSqlite } from '../sqlite-migrations';
import type { AuthorizeResult, IdempotencyBegin, KeyRecord, StoredResponse, TenantConfig, TenantSnapshot } from './tenant.types';

/** Idempotency records answer replays for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A pending record older than this belongs to a request that died; a retry may take it over. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60 * 1000;

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
 * One per tenant, named by the tenant id. Holds what the hot path needs without Postgres: API key
 * hashes and scopes, tenant settings (later connectors, mappings, agent presence), the per-key token
 * buckets and the Idempotency-Key records. Admin changes write here in the same request that writes
 * Postgres.
 */
export class TenantDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private ready: boolean;
  /**
   * Token buckets live in memory: they refill within a window anyway, and an eviction (which only
   * happens after the tenant went idle) can at worst hand a key one extra burst.
   */
  private readonly buckets = new Map<string, Bucket>();
  /** The config row, read once and kept in step by every write (undefined = not read yet). */
  private config: TenantConfig | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // An unknown tenant id must not create storage: reads on a fresh object stay reads.
    this.ready = hasTable(this.sql, '_migrations');
    if (this.ready) migrateSqlite(this.sql, MIGRATIONS);
  }

  private ensureSchema(): void {
    if (this.ready) return;
    migrateSqlite(this.sql, MIGRATIONS);
    this.ready = true;
  }

  /** Replaces the whole hot-path configuration (tenant creation, or a resync from Postgres). */
  replaceConfig(snapshot: TenantSnapshot): number {
    this.ensureSchema();
    return this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM api_keys');
      for (const key of snapshot.apiKeys) this.insertKey(key);
      this.buckets.clear();
      return this.writeConfig(snapshot.config.tenantId, snapshot.config.settings);
    });
  }

  getConfig(): TenantConfig | null {
    if (!this.ready) return null;
    if (this.config === undefined) {
      const row = this.sql
        .exec<{ tenant_id: string; settings: string; version: number }>('SELECT tenant_id, settings, version FROM config')
        .toArray()[0];
      this.config = row ? { tenantId: row.tenant_id, settings: JSON.parse(row.settings), version: row.version } : null;
    }
    return this.config;
  }

  setSettings(settings: TenantSettings): number {
    const current = this.requireConfig();
    return this.writeConfig(current.tenantId, settings);
  }

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

  /** Health probe: a real storage write and read. */
  async ping(): Promise<number> {
    const now = Date.now();
    await this.ctx.storage.put('ping', now);
    return (await this.ctx.storage.get<number>('ping')) ?? 0;
  }

  private requireConfig(): TenantConfig {
    const config = this.getConfig();
    if (!config) throw new Error('TenantDO has no configuration: the tenant was never initialised here');
    return config;
  }

  private writeConfig(tenantId: string, settings: TenantSettings): number {
    const version = (this.getConfig()?.version ?? 0) + 1;
    this.config = undefined;
    this.sql.exec(
      `INSERT INTO config (id, tenant_id, settings, version) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, settings = excluded.settings, version = excluded.version`,
      tenantId,
      JSON.stringify(settings),
      version,
    );
    return version;
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
