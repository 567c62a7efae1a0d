import type { Site, SiteCreate, SitePatch } from '../../contracts/sites';
import { sites } from '../../db/schema';
import { resourceTimestamps } from './present';
import { presentFields, type ResourceSpec } from './resource-spec';

type Row = typeof sites.$inferSelect;

export const siteSpec: ResourceSpec<Row, Site, SiteCreate, SitePatch> = {
  noun: 'site',
  idKind: 'site',
  table: sites,
  insertValues: (input) => ({ name: input.name, timeZone: input.timeZone ?? null }),
  updateValues: (patch) => presentFields(patch, ['name', 'timeZone']),
  references: () => [],
  present: async (_tx, _tenantId, rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      timeZone: r.timeZone,
      ...resourceTimestamps(r),
    })),
  uniqueFields: { sites_name_unique: '/name' },
};
