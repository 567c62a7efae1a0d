import type { ConnectorCredentials } from '../../contracts/connectors';
import { unavailable } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { type ConnectorLookup, liveSecrets, type TenantConfig } from '../../durable-objects/tenant/tenant.types';
import type { Env } from '../../env';
import { parsePlatformKeys } from '../../lib/secret-box';
import { openCredentials } from '../connectors/connectors';

/**
 * The Worker's short-lived copies of TenantDO configuration (docs/ARCHITECTURE.md, Admin and configuration
 * path). A tenant config is reused while its version matches the one the API-key check just
 * returned; connector lookups for a few seconds, so disabling a connector takes effect within that.
 */
export const CONNECTOR_CACHE_MS = 5_000;
const MAX_ENTRIES = 1000;

const configs = new Map<string, TenantConfig>();
const connectorCache = new Map<string, { value: ConnectorLookup | null; at: number }>();
const openedCredentials = new Map<string, ConnectorCredentials>();

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

/** The tenant's hot config at `version` (from the cache when it is that version). */
export async function tenantConfig(env: Env, tenantId: string, version: number): Promise<TenantConfig> {
  const hit = configs.get(tenantId);
  if (hit && hit.version >= version) return hit;
  const fresh = await callTenantDO(env, tenantId, (s) => s.getConfig());
  if (!fresh) throw unavailable('The tenant has no hot-path configuration; the operator should resync it.');
  remember(configs, tenantId, fresh);
  return fresh;
}

/**
 * A connector and what verifying its deliveries needs, cached for a few seconds (`fresh` skips the
 * cache: after a failed verification, in case the secret was just rotated).
 */
export async function connectorLookup(
  env: Env,
  tenantId: string,
  connectorId: string,
  fresh = false,
): Promise<ConnectorLookup | null> {
  const key = `${tenantId}/${connectorId}`;
  const hit = connectorCache.get(key);
  if (!fresh && hit && Date.now() - hit.at < CONNECTOR_CACHE_MS) return hit.value;
  const value = await callTenantDO(env, tenantId, (s) => s.getConnector(connectorId));
  remember(connectorCache, key, { value, at: Date.now() });
  return value;
}

/**
 * Opens a connector's live credentials with the platform keys (each sealed value once per isolate);
 * with each its sealed form, which the TenantDO confirms is still live when the events are routed.
 */
export async function openConnectorCredentials(
  env: Env,
  lookup: ConnectorLookup,
): Promise<{ sealed: string; credentials: ConnectorCredentials }[]> {
  const keys = parsePlatformKeys(env.PLATFORM_KEYS);
  const out: { sealed: string; credentials: ConnectorCredentials }[] = [];
  for (const sealed of liveSecrets(lookup.connector, Date.now())) {
    let credentials = openedCredentials.get(sealed);
    if (!credentials) {
      credentials = await openCredentials(keys, lookup.connector.id, sealed);
      remember(openedCredentials, sealed, credentials);
    }
    out.push({ sealed, credentials });
  }
  return out;
}

/** Forgets cached entries (tests; an operator resync). */
export function clearHotCaches(): void {
  configs.clear();
  connectorCache.clear();
}
