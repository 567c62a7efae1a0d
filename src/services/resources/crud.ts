import { and, asc, eq, gt, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { DeleteResult } from '../../contracts/common';
import type { Tx } from '../../db/client';
import { FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION, violatedConstraint } from '../../db/errors';
import { agents, queues, sites, teams } from '../../db/schema';
import { AppError, conflict, type FieldIssue, invalid, notFound } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import type { BaseRow, Reference, ReferenceKind, ResourceSpec, ResourceTable } from './resource-spec';

const REFERENCE_TABLES: Record<ReferenceKind, ResourceTable> = { site: sites, team: teams, queue: queues, agent: agents };

function byId(table: ResourceTable, tenantId: string, id: string): SQL {
  return and(eq(table.tenantId, tenantId), eq(table.id, id)) as SQL;
}

export async function listResources<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  /** `onlyIds`: the resources a key limited to a team or an agent may see (docs/roles.md). */
  page: PageRequest & { includeArchived: boolean; onlyIds?: readonly string[] | undefined },
): Promise<Page<Out & { id: string }>> {
  return tenantTx(ctx, async (tx) => {
    const rows = (await tx
      .select()
      .from(spec.table)
      .where(
        and(
          eq(spec.table.tenantId, ctx.tenantId),
          page.afterId ? gt(spec.table.id, page.afterId) : undefined,
          page.includeArchived ? undefined : isNull(spec.table.archivedAt),
          page.onlyIds ? (page.onlyIds.length ? inArray(spec.table.id, [...page.onlyIds]) : sql`false`) : undefined,
        ),
      )
      .orderBy(asc(spec.table.id))
      .limit(page.limit + 1)) as Row[];
    const presented = (await spec.present(tx, ctx.tenantId, rows)) as (Out & { id: string })[];
    return pageFrom(presented, page.limit);
  });
}

export async function getResource<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  id: string,
): Promise<Out> {
  return tenantTx(ctx, async (tx) => present(tx, ctx.tenantId, spec, await load(tx, ctx.tenantId, spec, id)));
}

export async function createResource<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  input: C,
): Promise<Out> {
  const id = newId(spec.idKind, ctx.now.getTime());
  const { after } = await withConflicts(spec, () =>
    mirrored(ctx, spec, async (tx) => {
      await assertReferences(tx, ctx.tenantId, spec.references(input));
      await tx
        .insert(spec.table)
        .values({ ...spec.insertValues(input), tenantId: ctx.tenantId, id, createdAt: ctx.now, updatedAt: ctx.now });
      await spec.relations?.write(tx, ctx.tenantId, id, input, { now: ctx.now, created: true });
      return { id, before: null, after: await present(tx, ctx.tenantId, spec, await load(tx, ctx.tenantId, spec, id)) };
    }),
  );
  return after as Out;
}

export async function updateResource<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  id: string,
  patch: P,
): Promise<Out> {
  const { after } = await withConflicts(spec, () =>
    mirrored(ctx, spec, async (tx) => {
      const current = await load(tx, ctx.tenantId, spec, id, true);
      if (current.archivedAt) {
        throw conflict('RESOURCE_ARCHIVED', `The ${spec.noun} '${id}' is archived and cannot be changed.`);
      }
      const before = await present(tx, ctx.tenantId, spec, current);
      await assertReferences(tx, ctx.tenantId, spec.references(patch));
      await tx
        .update(spec.table)
        .set({ ...spec.updateValues(patch, current), updatedAt: ctx.now })
        .where(byId(spec.table, ctx.tenantId, id));
      await spec.relations?.write(tx, ctx.tenantId, id, patch, { now: ctx.now, created: false });
      return { id, before, after: await present(tx, ctx.tenantId, spec, await load(tx, ctx.tenantId, spec, id)) };
    }),
  );
  return after as Out;
}

/**
 * Deletes the resource, or archives it when anything still refers to it: history and other
 * resources reference it through foreign keys without ON DELETE, so the attempt fails with a
 * foreign-key violation, which we take as "has history". Repeating the call is harmless.
 */
export async function deleteResource<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  id: string,
): Promise<DeleteResult> {
  let outcome: DeleteResult['outcome'] = 'deleted';
  await mirrored(ctx, spec, async (tx) => {
    const current = await load(tx, ctx.tenantId, spec, id, true);
    const before = await present(tx, ctx.tenantId, spec, current);
    if (current.archivedAt) {
      outcome = 'archived';
      return { id, before, after: before };
    }
    try {
      await tx.transaction((savepoint) => savepoint.delete(spec.table).where(byId(spec.table, ctx.tenantId, id)));
      return { id, before, after: null };
    } catch (err) {
      if (sqlState(err) !== FOREIGN_KEY_VIOLATION) throw err;
    }
    await spec.relations?.release(tx, ctx.tenantId, id);
    await tx
      .update(spec.table)
      .set({ archivedAt: ctx.now, updatedAt: ctx.now })
      .where(byId(spec.table, ctx.tenantId, id));
    ctx.log.info(`${spec.noun} archived instead of deleted`, { tenantId: ctx.tenantId, id });
    outcome = 'archived';
    return { id, before, after: await present(tx, ctx.tenantId, spec, await load(tx, ctx.tenantId, spec, id)) };
  });
  return { id, outcome };
}

/**
 * Runs a change in the tenant's transaction and, for resources ingestion needs, mirrors the result
 * into the TenantDO before the commit (undone if the commit fails) — see `writeThrough`.
 */
async function mirrored<Row extends BaseRow, Out, C, P>(
  ctx: ServiceContext,
  spec: ResourceSpec<Row, Out, C, P>,
  change: (tx: Tx) => Promise<{ id: string; before: Out | null; after: Out | null }>,
): Promise<{ id: string; before: Out | null; after: Out | null }> {
  const hot = spec.hotPath;
  if (!hot) return tenantTx(ctx, change);
  const put = (out: Out | null, id: string) =>
    callTenantDO(ctx.env, ctx.tenantId, (s) => {
      if (out === null) return s.removeEntity(hot.kind, id);
      return hot.kind === 'queue' ? s.putQueue(hot.view(out)) : s.putAgent(hot.view(out));
    });
  return writeThrough(ctx, {
    postgres: change,
    durable: (r) => put(r.after, r.id),
    undo: (r) => put(r.before, r.id),
  });
}

async function load<Row extends BaseRow, Out, C, P>(
  tx: Tx,
  tenantId: string,
  spec: ResourceSpec<Row, Out, C, P>,
  id: string,
  forUpdate = false,
): Promise<Row> {
  const query = tx
    .select()
    .from(spec.table)
    .where(byId(spec.table, tenantId, id));
  const [row] = (await (forUpdate ? query.for('update') : query)) as Row[];
  if (!row) throw notFound(spec.noun, id);
  return row;
}

async function present<Row extends BaseRow, Out, C, P>(
  tx: Tx,
  tenantId: string,
  spec: ResourceSpec<Row, Out, C, P>,
  row: Row,
): Promise<Out> {
  const [out] = await spec.present(tx, tenantId, [row]);
  if (out === undefined) throw new Error(`${spec.noun} presenter dropped a row`);
  return out;
}

/** Every referenced id must name a live resource of this tenant (another tenant's id is just unknown). */
export async function assertReferences(tx: Tx, tenantId: string, references: Reference[]): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const ref of references) {
    if (ref.items.length === 0) continue;
    const table = REFERENCE_TABLES[ref.kind];
    const ids = [...new Set(ref.items.map((i) => i.id))];
    const found = (await tx
      .select({ id: table.id, archivedAt: table.archivedAt })
      .from(table)
      .where(and(eq(table.tenantId, tenantId), inArray(table.id, ids)))) as { id: string; archivedAt: Date | null }[];
    const state = new Map(found.map((r) => [r.id, r.archivedAt ? 'archived' : 'live']));
    for (const item of ref.items) {
      const s = state.get(item.id);
      if (s === 'live') continue;
      issues.push({
        in: 'body',
        pointer: item.pointer,
        detail:
          s === 'archived'
            ? `The ${ref.kind} '${item.id}' is archived.`
            : `No ${ref.kind} with id '${item.id}' exists in this tenant.`,
      });
    }
  }
  if (issues.length) throw invalid(issues, 'The request refers to resources that do not exist or are archived.');
}

/** A unique violation (a race the up-front checks did not see) becomes a 409 on its field. */
async function withConflicts<T>(spec: { noun: string; uniqueFields: Record<string, string> }, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError || sqlState(err) !== UNIQUE_VIOLATION) throw err;
    const pointer = spec.uniqueFields[violatedConstraint(err) ?? ''] ?? '';
    const field = pointer.slice(1) || 'value';
    throw conflict('CONFLICT', `Another ${spec.noun} already has this ${field}.`, [
      { in: 'body', pointer, detail: `Already taken by another ${spec.noun}.` },
    ]);
  }
}
