import { and, asc, eq, gt, gte, inArray, lt, or, sql } from 'drizzle-orm';
import {
  MAX_TRAINING_RANGE_DAYS,
  type TrainingRecordInput,
  type TrainingRecordListQuery,
  type TrainingRecordOut,
  type TrainingRecordPatch,
} from '../../contracts/training';
import type { Tx } from '../../db/client';
import { teams, trainingRecords } from '../../db/schema';
import { AppError, type FieldIssue, invalid, notFound } from '../../domain/errors';
import { startOfLocalDay } from '../../domain/time/zones';
import { decodeJsonCursor, encodeJsonCursor } from '../../lib/cursor';
import { newId } from '../../lib/ids';
import { type Actor, auditAll } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import type { Page } from '../pagination';
import { assertReferences } from '../resources/crud';
import { loadTenantRow } from '../tenants/get-tenant';

type Row = typeof trainingRecords.$inferSelect;
const RESOURCE = 'training_record';
const DAY_MS = 86_400_000;

function present(r: Row): TrainingRecordOut {
  return {
    id: r.id,
    agentId: r.agentId,
    course: r.course,
    completedOn: r.completedOn,
    hours: r.hours,
    examScore: r.examScore,
    examMaxScore: r.examMaxScore,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** What a record says, without its timestamps: the audit log's before and after. */
const content = (r: Row | TrainingRecordOut) => ({
  agentId: r.agentId,
  course: r.course,
  completedOn: r.completedOn,
  hours: r.hours,
  examScore: r.examScore,
  examMaxScore: r.examMaxScore,
});

/** The tenant's today (YYYY-MM-DD in its time zone): no training is completed after it. */
async function tenantToday(tx: Tx, ctx: ServiceContext): Promise<{ today: string; timeZone: string }> {
  const { timeZone } = (await loadTenantRow(tx, ctx.tenantId)).settings;
  return { today: startOfLocalDay(ctx.now.getTime(), timeZone).date, timeZone };
}

/** The checks the schema cannot make: the day against the tenant's today, the score against the merged maximum. */
function recordProblems(r: Omit<TrainingRecordInput, 'id'>, at: string, today: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (r.completedOn > today) {
    issues.push({ in: 'body', pointer: `${at}/completedOn`, detail: `After the tenant’s today (${today}).` });
  }
  if (r.examScore !== null && r.examScore > r.examMaxScore) {
    issues.push({ in: 'body', pointer: `${at}/examScore`, detail: `At most \`examMaxScore\` (${r.examMaxScore}).` });
  }
  return issues;
}

/** The agents' references, checked with the rest: one 422 lists every problem of the request. */
async function referenceProblems(tx: Tx, tenantId: string, items: { pointer: string; id: string }[]): Promise<FieldIssue[]> {
  try {
    await assertReferences(tx, tenantId, [{ kind: 'agent', items }]);
    return [];
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED') return err.extra.issues ?? [];
    throw err;
  }
}

/**
 * Adds or replaces training records (by id), all or none: `POST /v1/training-records`. `at(i)` is the pointer of
 * the i-th record in the request (`/records/3`, or `` for a single record). Every created or replaced record is
 * in the audit log, a replaced one with what it was.
 */
export async function upsertTrainingRecords(
  ctx: ServiceContext,
  actor: Actor,
  input: TrainingRecordInput[],
  at: (index: number) => string,
): Promise<{ records: TrainingRecordOut[]; created: boolean[] }> {
  const firstOf = new Map<string, number>();
  const duplicates: FieldIssue[] = [];
  input.forEach((r, i) => {
    if (r.id === undefined) return;
    const first = firstOf.get(r.id);
    if (first === undefined) firstOf.set(r.id, i);
    else duplicates.push({ in: 'body', pointer: `${at(i)}/id`, detail: `The same id as ${at(first) || 'another record'}.` });
  });
  return tenantTx(ctx, async (tx) => {
    const { today } = await tenantToday(tx, ctx);
    const issues = [
      ...duplicates,
      ...input.flatMap((r, i) => recordProblems(r, at(i), today)),
      ...(await referenceProblems(
        tx,
        ctx.tenantId,
        input.map((r, i) => ({ pointer: `${at(i)}/agentId`, id: r.agentId })),
      )),
    ];
    if (issues.length > 0) throw invalid(issues, 'Some training records are not valid; none was saved.');

    const given = input.flatMap((r) => (r.id === undefined ? [] : [r.id]));
    const before = new Map(
      (given.length
        ? await tx
            .select()
            .from(trainingRecords)
            .where(and(eq(trainingRecords.tenantId, ctx.tenantId), inArray(trainingRecords.id, given)))
            .for('update')
        : []
      ).map((r) => [r.id, r]),
    );
    const written = await tx
      .insert(trainingRecords)
      .values(
        input.map((r) => ({
          tenantId: ctx.tenantId,
          id: r.id ?? newId('trainingRecord', ctx.now.getTime()),
          agentId: r.agentId,
          course: r.course,
          completedOn: r.completedOn,
          hours: r.hours,
          examScore: r.examScore,
          examMaxScore: r.examMaxScore,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })),
      )
      .onConflictDoUpdate({
        target: [trainingRecords.tenantId, trainingRecords.id],
        set: {
          agentId: sql`excluded.agent_id`,
          course: sql`excluded.course`,
          completedOn: sql`excluded.completed_on`,
          hours: sql`excluded.hours`,
          examScore: sql`excluded.exam_score`,
          examMaxScore: sql`excluded.exam_max_score`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning();
    // RETURNING gives the rows in the order of VALUES.
    const created = written.map((r) => !before.has(r.id));
    await auditAll(
      tx,
      ctx,
      actor,
      written.map((r) => {
        const old = before.get(r.id);
        return old
          ? {
              action: 'training_record.replaced',
              resourceType: RESOURCE,
              resourceId: r.id,
              details: { before: content(old), after: content(r) },
            }
          : { action: 'training_record.created', resourceType: RESOURCE, resourceId: r.id, details: content(r) };
      }),
    );
    return { records: written.map(present), created };
  });
}

async function load(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(trainingRecords)
    .where(and(eq(trainingRecords.tenantId, tenantId), eq(trainingRecords.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('training record', id);
  return row;
}

export async function getTrainingRecord(ctx: ServiceContext, id: string): Promise<TrainingRecordOut> {
  return present(await tenantTx(ctx, (tx) => load(tx, ctx.tenantId, id)));
}

/** Changes some fields of a record, checked as a whole; the audit log keeps the fields that changed, before and after. */
export async function updateTrainingRecord(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  patch: TrainingRecordPatch,
): Promise<TrainingRecordOut> {
  return tenantTx(ctx, async (tx) => {
    const before = await load(tx, ctx.tenantId, id, true);
    const next = { ...content(before), ...patch };
    const { today } = await tenantToday(tx, ctx);
    const issues = [
      ...recordProblems(next, '', today),
      ...(patch.agentId === undefined
        ? []
        : await referenceProblems(tx, ctx.tenantId, [{ pointer: '/agentId', id: patch.agentId }])),
    ];
    if (issues.length > 0) throw invalid(issues, 'The training record would not be valid.');
    const [after] = await tx
      .update(trainingRecords)
      .set({ ...patch, updatedAt: ctx.now })
      .where(and(eq(trainingRecords.tenantId, ctx.tenantId), eq(trainingRecords.id, id)))
      .returning();
    if (!after) throw notFound('training record', id);
    const was = content(before);
    const now = content(after);
    const changed = (Object.keys(was) as (keyof typeof was)[]).filter((k) => was[k] !== now[k]);
    if (changed.length > 0) {
      await auditAll(tx, ctx, actor, [
        {
          action: 'training_record.updated',
          resourceType: RESOURCE,
          resourceId: id,
          details: {
            before: Object.fromEntries(changed.map((k) => [k, was[k]])),
            after: Object.fromEntries(changed.map((k) => [k, now[k]])),
          },
        },
      ]);
    }
    return present(after);
  });
}

export async function deleteTrainingRecord(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
): Promise<{ id: string; outcome: 'deleted' }> {
  await tenantTx(ctx, async (tx) => {
    const row = await load(tx, ctx.tenantId, id, true);
    await tx.delete(trainingRecords).where(and(eq(trainingRecords.tenantId, ctx.tenantId), eq(trainingRecords.id, id)));
    await auditAll(tx, ctx, actor, [
      { action: 'training_record.deleted', resourceType: RESOURCE, resourceId: id, details: content(row) },
    ]);
  });
  return { id, outcome: 'deleted' };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The cursor of a listing: the last record's day and id, base64url JSON. */
function readCursor(cursor: string | undefined): { completedOn: string; id: string } | null {
  if (cursor === undefined) return null;
  const value = decodeJsonCursor(cursor);
  if (Array.isArray(value) && value.length === 2) {
    const [completedOn, id] = value as unknown[];
    if (typeof completedOn === 'string' && DATE.test(completedOn) && typeof id === 'string' && id.length <= 64) {
      return { completedOn, id };
    }
  }
  throw invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);
}

/**
 * `GET /v1/training-records`: the records completed in `[from, to)`, by day then id, a page at a time. With
 * `teamId`, the records of the agents who were in the team at the start of the record's day (the tenant's zone).
 */
export async function listTrainingRecords(ctx: ServiceContext, q: TrainingRecordListQuery): Promise<Page<TrainingRecordOut>> {
  const span = (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS;
  if (!(span > 0)) throw invalid([{ in: 'query', pointer: '/to', detail: 'Must be after `from`.' }]);
  if (span > MAX_TRAINING_RANGE_DAYS) {
    throw invalid([{ in: 'query', pointer: '/to', detail: `At most ${MAX_TRAINING_RANGE_DAYS} days after \`from\`.` }]);
  }
  const after = readCursor(q.cursor);
  const rows = await tenantTx(ctx, async (tx) => {
    let timeZone = 'UTC';
    if (q.teamId) {
      const [team] = await tx
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.tenantId, ctx.tenantId), eq(teams.id, q.teamId)));
      if (!team)
        throw invalid([{ in: 'query', pointer: '/teamId', detail: `No team with id '${q.teamId}' exists in this tenant.` }]);
      timeZone = (await loadTenantRow(tx, ctx.tenantId)).settings.timeZone;
    }
    const t = trainingRecords;
    const dayStart = sql`(${t.completedOn}::timestamp AT TIME ZONE ${timeZone})`;
    return tx
      .select()
      .from(t)
      .where(
        and(
          eq(t.tenantId, ctx.tenantId),
          gte(t.completedOn, q.from),
          lt(t.completedOn, q.to),
          q.agentId ? eq(t.agentId, q.agentId) : undefined,
          q.teamId
            ? sql`EXISTS (SELECT 1 FROM agent_memberships m WHERE m.tenant_id = ${t.tenantId} AND m.agent_id = ${t.agentId}
                AND m.team_id = ${q.teamId} AND m.valid_from <= ${dayStart} AND (m.valid_to IS NULL OR m.valid_to > ${dayStart}))`
            : undefined,
          after
            ? or(gt(t.completedOn, after.completedOn), and(eq(t.completedOn, after.completedOn), gt(t.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(asc(t.completedOn), asc(t.id))
      .limit(q.limit + 1);
  });
  const data = rows.slice(0, q.limit).map(present);
  const last = data.at(-1);
  return {
    data,
    nextCursor: rows.length > q.limit && last ? encodeJsonCursor([last.completedOn, last.id]) : null,
  };
}
