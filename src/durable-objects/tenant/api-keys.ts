import { DEFAULT_RATE_LIMIT } from '../../domain/api-keys';
import { type Bucket, takeTokens } from '../../domain/rate-limit';
import type { AuthorizeResult, KeyRecord, TenantConfig } from './tenant.types';

type KeyRow = {
  hash: string;
  id: string;
  scopes: string;
  expires_at: number | null;
  revoked_at: number | null;
  rate_limit: string | null;
  key_limit: string | null;
};

/** API key hashes and scopes (`api_keys`) and each key's token bucket. */
export class ApiKeyStore {
  /**
   * Token buckets live in memory: they refill within a window anyway, and an eviction (which only
   * happens after the tenant went idle) can at worst hand a key one extra burst.
   */
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly sql: SqlStorage) {}

  replaceAll(keys: readonly KeyRecord[]): void {
    this.sql.exec('DELETE FROM api_keys');
    for (const key of keys) this.insert(key);
    this.buckets.clear();
  }

  put(key: KeyRecord): void {
    this.sql.exec('DELETE FROM api_keys WHERE id = ?', key.id);
    this.insert(key);
  }

  revoke(id: string, revokedAtMs: number): void {
    this.sql.exec('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', revokedAtMs, id);
    this.buckets.delete(id);
  }

  remove(id: string): void {
    this.sql.exec('DELETE FROM api_keys WHERE id = ?', id);
    this.buckets.delete(id);
  }

  /** Which of these key ids are live (known, not revoked, not expired): what keeps a live connection open. */
  liveIds(ids: readonly string[], now: number): string[] {
    if (ids.length === 0) return [];
    return this.sql
      .exec<{ id: string }>(
        `SELECT id FROM api_keys WHERE id IN (SELECT value FROM json_each(?))
         AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
        JSON.stringify(ids),
        now,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Authenticates a key by its hash and takes one token from its bucket. */
  authorize(config: TenantConfig | null, hash: string, now: number): AuthorizeResult {
    const row = this.sql.exec<KeyRow>('SELECT * FROM api_keys WHERE hash = ?', hash).toArray()[0];
    if (!config || !row) return { ok: false, reason: 'unknown' };
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
      limit: row.key_limit ? JSON.parse(row.key_limit) : null,
      configVersion: config.version,
      rateLimit: { limit: policy.limit, remaining: decision.remaining, resetSeconds: decision.resetSeconds },
    };
  }

  private insert(key: KeyRecord): void {
    this.sql.exec(
      'INSERT INTO api_keys (hash, id, scopes, expires_at, revoked_at, rate_limit, key_limit) VALUES (?, ?, ?, ?, ?, ?, ?)',
      key.hash,
      key.id,
      JSON.stringify(key.scopes),
      key.expiresAtMs,
      key.revokedAtMs,
      key.rateLimit ? JSON.stringify(key.rateLimit) : null,
      key.limit ? JSON.stringify(key.limit) : null,
    );
  }
}
