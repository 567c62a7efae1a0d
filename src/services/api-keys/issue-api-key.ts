import type { ApiKey, ApiKeyCreate, CreatedApiKey } from '../../contracts/api-keys';
import type { apiKeys } from '../../db/schema';
import { apiKeyPrefix, DEFAULT_RATE_LIMIT, formatApiKey } from '../../domain/api-keys';
import type { KeyRecord } from '../../durable-objects/tenant/tenant.types';
import { randomAlphanumeric, sha256Hex } from '../../lib/crypto';
import { newId } from '../../lib/ids';

export interface IssuedKey {
  row: typeof apiKeys.$inferInsert;
  record: KeyRecord;
  created: CreatedApiKey;
}

/** Mints a key: 48 random alphanumeric characters (~285 bits) behind the tenant-bearing head. */
export async function issueApiKey(tenantId: string, input: ApiKeyCreate, now: Date, createdBy: string): Promise<IssuedKey> {
  const id = newId('apiKey', now.getTime());
  const key = formatApiKey(tenantId, randomAlphanumeric(48));
  const hash = await sha256Hex(key);
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  const row = {
    tenantId,
    id,
    name: input.name,
    hash,
    prefix: apiKeyPrefix(key),
    scopes: input.scopes,
    rateLimit: input.rateLimit ?? null,
    limit: input.limit ?? null,
    expiresAt,
    revokedAt: null,
    createdBy,
    createdAt: now,
  } satisfies typeof apiKeys.$inferInsert;
  return {
    row,
    record: keyRecord(row),
    created: { ...presentApiKey(row), key },
  };
}

export function keyRecord(row: typeof apiKeys.$inferSelect | IssuedKey['row']): KeyRecord {
  return {
    id: row.id,
    hash: row.hash,
    scopes: row.scopes,
    expiresAtMs: row.expiresAt ? row.expiresAt.getTime() : null,
    revokedAtMs: row.revokedAt ? row.revokedAt.getTime() : null,
    rateLimit: row.rateLimit ?? null,
    limit: row.limit ?? null,
  };
}

export function presentApiKey(row: typeof apiKeys.$inferSelect | IssuedKey['row']): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    rateLimit: row.rateLimit ?? DEFAULT_RATE_LIMIT,
    limit: row.limit ?? null,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
    createdAt: (row.createdAt ?? new Date()).toISOString(),
  };
}
