import type { ApiKeyScope, RateLimitPolicy } from '../../domain/api-keys';
import type { TenantSettings } from '../../domain/settings';

/** An API key as the TenantDO knows it: enough to authenticate and rate-limit, nothing more. */
export interface KeyRecord {
  id: string;
  hash: string;
  scopes: ApiKeyScope[];
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  rateLimit: RateLimitPolicy | null;
}

/** The hot-path configuration of one tenant (later: connectors, mappings, memberships). */
export interface TenantConfig {
  tenantId: string;
  /** Bumped by every change; Workers cache the snapshot per version. */
  version: number;
  settings: TenantSettings;
}

export interface TenantSnapshot {
  config: Omit<TenantConfig, 'version'>;
  apiKeys: KeyRecord[];
}

export type AuthorizeResult =
  | {
      ok: true;
      tenantId: string;
      keyId: string;
      scopes: ApiKeyScope[];
      configVersion: number;
      rateLimit: { limit: number; remaining: number; resetSeconds: number };
    }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number };

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyBegin =
  | { state: 'started' }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' };
