import type { Team, TeamCreate, TeamPatch } from '../../contracts/teams';
import { teams } from '../../db/schema';
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
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      archivedAt: r.archivedAt?.toISOString() ?? null,
    })),
  uniqueFields: { teams_name_unique: '/name' },
};
