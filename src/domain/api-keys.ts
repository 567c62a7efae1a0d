import type { FieldIssue } from './errors';
import type { RateLimitPolicy } from './rate-limit';

export type { RateLimitPolicy } from './rate-limit';

export const API_KEY_SCOPES = ['admin', 'read', 'ingest'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a key is limited to: one team (a team lead) or one agent (the agent); no limit sees the whole tenant. */
export type ApiKeyLimit = { teamId: string } | { agentId: string };

/**
 * Why a key's scopes and limit do not go together: a limited key is a person's (a team lead's, an agent's), and
 * people limited to a team or to themselves only read — they never administer the tenant or post its events.
 */
export function limitProblems(scopes: readonly ApiKeyScope[], limit: ApiKeyLimit | null): FieldIssue[] {
  if (!limit || (scopes.length === 1 && scopes[0] === 'read')) return [];
  return [{ in: 'body', pointer: '/scopes', detail: "A key limited to a team or an agent holds only the 'read' scope." }];
}

/** The team or agent a limit names, in words (for problems and logs). */
export function describeLimit(limit: ApiKeyLimit): string {
  return 'teamId' in limit ? `team '${limit.teamId}'` : `agent '${limit.agentId}'`;
}

/** Applies when a key has no policy of its own: bursts of 600, 10 requests per second sustained. */
export const DEFAULT_RATE_LIMIT: RateLimitPolicy = { limit: 600, windowSeconds: 60 };

/**
 * What each scope lets a key do. `admin` may do everything; `read` reads configuration, state and
 * history; `ingest` only posts events. A route names the one scope it needs.
 */
export function scopeAllows(granted: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}

const TENANT_ID = /^tnt_[0-9a-z]{26}$/;
const KEY = /^cbk_(tnt_[0-9a-z]{26})_([0-9A-Za-z]{40,64})$/;

/** Tenant ids are `tnt_` + 26 lowercase Crockford base32 characters (a ULID). */
export function isTenantId(value: string): boolean {
  return TENANT_ID.test(value);
}

/** Builds the key string that carries its tenant: `cbk_<tenantId>_<secret>`. */
export function formatApiKey(tenantId: string, secret: string): string {
  return `cbk_${tenantId}_${secret}`;
}

/** Splits a presented key into its tenant and secret, or null if it is not a Callboard key. */
export function parseApiKey(value: string): { tenantId: string; secret: string } | null {
  const match = KEY.exec(value);
  if (!match?.[1] || !match[2]) return null;
  return { tenantId: match[1], secret: match[2] };
}

/** The part of a key safe to show in lists: the tenant-bearing head and 4 characters of the secret. */
export function apiKeyPrefix(key: string): string {
  const parsed = parseApiKey(key);
  return parsed ? `cbk_${parsed.tenantId}_${parsed.secret.slice(0, 4)}` : key.slice(0, 8);
}
