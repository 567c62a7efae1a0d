import { foreignKey, pgTable, text } from 'drizzle-orm/pg-core';
import { resourceColumns, resourceConstraints } from './resource-table';
import { sites } from './sites';

export const teams = pgTable('teams', { ...resourceColumns(), siteId: text('site_id') }, (t) => [
  ...resourceConstraints('teams', t),
  // Composite keys keep references inside one tenant at the database level too.
  foreignKey({ name: 'teams_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
]).enableRLS();
