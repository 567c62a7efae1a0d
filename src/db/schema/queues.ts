import { foreignKey, pgTable, text } from 'drizzle-orm/pg-core';
import { ServiceLevelOverrideSchema } from '../../domain/settings';
import { jsonbOf } from './common';
import { externalKeysTable, resourceColumns, resourceConstraints } from './resource-table';
import { sites } from './sites';

export const queues = pgTable(
  'queues',
  {
    ...resourceColumns(),
    siteId: text('site_id'),
    /** Per-queue override of the tenant's service-level policy (only the fields that differ). */
    serviceLevel: jsonbOf('service_level', ServiceLevelOverrideSchema),
  },
  (t) => [
    ...resourceConstraints('queues', t),
    foreignKey({ name: 'queues_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
  ],
).enableRLS();

export const queueExternalKeys = externalKeysTable('queue_external_keys', 'queue_id', queues);
