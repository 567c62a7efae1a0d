import type { Team, TeamCreate, TeamPatch } from '../../contracts/teams';
import { teams } from '../../db/schema';
import { resourceTimestamps } from './present';
import { presentFields, type ResourceSpec, refItems } from './resource-spec';

type Row = typeof teams.$inferSelect;

export const teamSpec: ResourceSpec<Row, Team, TeamCreate, TeamPatch> = {
  noun: 'team',
  idKind: 'team',
  table: teams,
  insertValues: (input) => ({ name: input.name, siteId: input.siteId ?? null }),
  updateValues: (patch) => presentFields(patch, ['name', 'siteId']),
  references: (input) => [{ kind: 'site', items: refItems('/siteId', input.siteId) }],
  present: async (_tx, _tenantId, rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      siteId: r.siteId,
      ...resourceTimestamps(r),
    })),
  uniqueFields: { teams_name_unique: '/name' },
};
