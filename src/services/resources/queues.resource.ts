import { and, eq } from 'drizzle-orm';
import type { Queue, QueueCreate, QueuePatch } from '../../contracts/queues';
import { agentQueues, queues, tenants } from '../../db/schema';
import { effectiveServiceLevel, mergeServiceLevelOverride } from '../../domain/settings';
import { queueKeys } from './external-keys';
import { resourceTimestamps } from './present';
import { presentFields, type ResourceSpec, refItems } from './resource-spec';

type Row = typeof queues.$inferSelect;

export const queueSpec: ResourceSpec<Row, Queue, QueueCreate, QueuePatch> = {
  noun: 'queue',
  idKind: 'queue',
  table: queues,
  insertValues: (input) => ({
    name: input.name,
    siteId: input.siteId ?? null,
    serviceLevel: mergeServiceLevelOverride(null, input.serviceLevel ?? null),
  }),
  updateValues: (patch, current) => ({
    ...presentFields(patch, ['name', 'siteId']),
    ...(patch.serviceLevel !== undefined
      ? { serviceLevel: mergeServiceLevelOverride(current.serviceLevel, patch.serviceLevel) }
      : {}),
  }),
  references: (input) => [{ kind: 'site', items: refItems('/siteId', input.siteId) }],
  relations: {
    write: async (tx, tenantId, id, input) => {
      if (input.externalKeys !== undefined) await queueKeys.replace(tx, tenantId, id, input.externalKeys);
    },
    release: async (tx, tenantId, id) => {
      await queueKeys.release(tx, tenantId, id);
      await tx.delete(agentQueues).where(and(eq(agentQueues.tenantId, tenantId), eq(agentQueues.queueId, id)));
    },
  },
  present: async (tx, tenantId, rows) => {
    if (rows.length === 0) return [];
    const [tenant] = await tx.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, tenantId));
    if (!tenant) throw new Error(`tenant ${tenantId} not visible`);
    const keys = await queueKeys.loadFor(
      tx,
      tenantId,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      siteId: r.siteId,
      serviceLevel: r.serviceLevel,
      effectiveServiceLevel: effectiveServiceLevel(tenant.settings.serviceLevel, r.serviceLevel),
      externalKeys: keys.get(r.id) ?? [],
      ...resourceTimestamps(r),
    }));
  },
  uniqueFields: { queues_name_unique: '/name', queue_external_keys_unique: '/externalKeys' },
  hotPath: {
    kind: 'queue',
    view: (q) => ({
      id: q.id,
      name: q.name,
      archived: q.archivedAt !== null,
      externalKeys: q.externalKeys,
      siteId: q.siteId,
      serviceLevel: q.serviceLevel,
    }),
  },
};
