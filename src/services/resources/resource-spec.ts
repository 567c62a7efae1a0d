import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/client';
import type { HotAgent, HotQueue } from '../../durable-objects/tenant/tenant.types';
import type { IdKind } from '../../lib/ids';

/** The columns every admin resource table has. */
export type ResourceTable = PgTable & {
  tenantId: PgColumn;
  id: PgColumn;
  createdAt: PgColumn;
  updatedAt: PgColumn;
  archivedAt: PgColumn;
};

export interface BaseRow {
  tenantId: string;
  id: string;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
}

export type ReferenceKind = 'site' | 'team' | 'queue' | 'agent';

/** A body field that names other resources of the tenant; each must exist and not be archived. */
export interface Reference {
  kind: ReferenceKind;
  items: { pointer: string; id: string }[];
}

/** When and how a resource is being written (relations that keep history need the instant). */
export interface WriteContext {
  now: Date;
  created: boolean;
}

/**
 * How one admin resource maps between its contract and its table. The generic use cases in
 * `crud.ts` do the rest: tenant scoping, cursor pages, reference checks, 409 on unique values,
 * delete-or-archive.
 */
export interface ResourceSpec<Row extends BaseRow, Out, Create, Patch> {
  noun: string;
  idKind: IdKind;
  table: ResourceTable;
  insertValues(input: Create): Record<string, unknown>;
  updateValues(patch: Patch, current: Row): Record<string, unknown>;
  references(input: Create | Patch): Reference[];
  /** Rows of other tables owned by the resource (external keys, memberships). */
  relations?: {
    write(tx: Tx, tenantId: string, id: string, input: Create | Patch, at: WriteContext): Promise<void>;
    /** An archived resource lets go of its external keys and memberships so they can be reused. */
    release(tx: Tx, tenantId: string, id: string): Promise<void>;
  };
  present(tx: Tx, tenantId: string, rows: Row[]): Promise<Out[]>;
  /** Unique constraint name → the body field it is about. */
  uniqueFields: Record<string, string>;
  /** Resources ingestion needs are mirrored into the TenantDO in the same request (docs/ARCHITECTURE.md). */
  hotPath?: { kind: 'queue'; view(out: Out): HotQueue } | { kind: 'agent'; view(out: Out): HotAgent };
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of specs of different resource types
export type AnyResourceSpec = ResourceSpec<any, any, any, any>;

/** Turns an optional body field into reference items (absent and null name nothing). */
export function refItems(pointer: string, value: string | string[] | null | undefined): Reference['items'] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((id, i) => ({ pointer: `${pointer}/${i}`, id }));
  return [{ pointer, id: value }];
}

/** Copies only the fields present in a patch (undefined = leave alone; null = clear). */
export function presentFields<T extends object>(patch: T, fields: (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (patch[f] !== undefined) out[f as string] = patch[f];
  return out;
}
