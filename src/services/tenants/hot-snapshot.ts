import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { agentExternalKeys, agentQueues, agents, apiKeys, connectors, queueExternalKeys, queues } from '../../db/schema';
import type { HotAgent, HotConnector, HotQueue, TenantSnapshot } from '../../durable-objects/tenant/tenant.types';
import { keyRecord } from '../api-keys/issue-api-key';
import { loadTenantRow } from './get-tenant';

/** Everything the TenantDO holds, read from Postgres (the source of record) for a resync. */
export async function loadHotSnapshot(tx: Tx, tenantId: string): Promise<TenantSnapshot> {
  const tenant = await loadTenantRow(tx, tenantId);
  const keys = await tx.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId));
  const queueRows = await tx.select().from(queues).where(eq(queues.tenantId, tenantId));
  const qKeys = await tx.select().from(queueExternalKeys).where(eq(queueExternalKeys.tenantId, tenantId));
  const agentRows = await tx.select().from(agents).where(eq(agents.tenantId, tenantId));
  const aKeys = await tx.select().from(agentExternalKeys).where(eq(agentExternalKeys.tenantId, tenantId));
  const memberships = await tx.select().from(agentQueues).where(eq(agentQueues.tenantId, tenantId));
  const connectorRows = await tx
    .select()
    .from(connectors)
    .where(and(eq(connectors.tenantId, tenantId), isNull(connectors.archivedAt)));
  return {
    config: { tenantId, settings: tenant.settings, callerSalt: tenant.callerSalt },
    apiKeys: keys.map(keyRecord),
    queues: queueRows.map(
      (q): HotQueue => ({
        id: q.id,
        name: q.name,
        archived: q.archivedAt !== null,
        externalKeys: qKeys.filter((k) => k.owner === q.id).map((k) => ({ provider: k.provider, key: k.key })),
        siteId: q.siteId,
        serviceLevel: q.serviceLevel,
      }),
    ),
    agents: agentRows.map(
      (a): HotAgent => ({
        id: a.id,
        name: a.name,
        archived: a.archivedAt !== null,
        queueIds: memberships.filter((m) => m.agentId === a.id).map((m) => m.queueId),
        externalKeys: aKeys.filter((k) => k.owner === a.id).map((k) => ({ provider: k.provider, key: k.key })),
        teamId: a.teamId,
        siteId: a.siteId,
      }),
    ),
    connectors: connectorRows.map(hotConnector),
  };
}

/** A connector row as the TenantDO keeps it. */
export function hotConnector(c: typeof connectors.$inferSelect): HotConnector {
  const previousLive = c.previousSecretSealed && c.previousSecretExpiresAt && c.previousSecretExpiresAt.getTime() > Date.now();
  return {
    id: c.id,
    provider: c.provider as HotConnector['provider'],
    enabled: c.enabled,
    unknownKeys: c.unknownKeys as HotConnector['unknownKeys'],
    secrets: previousLive && c.previousSecretSealed ? [c.secretSealed, c.previousSecretSealed] : [c.secretSealed],
    previousSecretExpiresAt: previousLive ? (c.previousSecretExpiresAt?.getTime() ?? null) : null,
    queueMappings: c.queueMappings,
    agentMappings: c.agentMappings,
    options: c.options,
  };
}
