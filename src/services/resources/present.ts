import type { BaseRow } from './resource-spec';

/** The timestamps every resource shows, as ISO strings. */
export function resourceTimestamps(row: BaseRow) {
  return {
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
  };
}
