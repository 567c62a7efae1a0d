import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { QaFormCreate, QaFormOut, QaFormVersionCreate, QaFormVersionOut } from '../../contracts/qa';
import type { Tx } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION, violatedConstraint } from '../../db/errors';
import { qaForms, qaFormVersions } from '../../db/schema';
import { conflict, invalid, notFound } from '../../domain/errors';
import { type QaFormBody, qaFormProblems } from '../../domain/people/qa';
import { newId } from '../../lib/ids';
import { type Actor, audit } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';

type FormRow = typeof qaForms.$inferSelect;
export type FormVersionRow = typeof qaFormVersions.$inferSelect;
const RESOURCE = 'qa_form';
export const MAX_QA_FORMS = 100;

function presentVersion(v: FormVersionRow): QaFormVersionOut {
  return { ...v.body, version: v.version, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy };
}

function present(form: FormRow, versions: FormVersionRow[]): QaFormOut {
  const current = versions.at(-1);
  if (!current) throw new Error(`QA form ${form.id} has no version`);
  return {
    id: form.id,
    name: form.name,
    current: presentVersion(current),
    versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy })),
    createdAt: form.createdAt.toISOString(),
    updatedAt: form.updatedAt.toISOString(),
  };
}

/** Weights that do not sum to 100, duplicate ids, scales without a maximum, bands out of order: a pointer for each. */
function checkBody(form: QaFormBody): void {
  const problems = qaFormProblems(form);
  if (problems.length > 0)
    throw invalid(
      problems.map((p) => ({ in: 'body' as const, ...p })),
      'The QA form is not valid.',
    );
}

function nameTaken(err: unknown): never {
  if (sqlState(err) !== UNIQUE_VIOLATION || violatedConstraint(err) !== 'qa_forms_name_unique') throw err;
  throw conflict('CONFLICT', 'Another QA form already has this name.', [
    { in: 'body', pointer: '/name', detail: 'Already taken by another QA form.' },
  ]);
}

async function loadForm(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<FormRow> {
  const q = tx
    .select()
    .from(qaForms)
    .where(and(eq(qaForms.tenantId, tenantId), eq(qaForms.id, id), isNull(qaForms.archivedAt)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('QA form', id);
  return row;
}

async function versionsOf(tx: Tx, tenantId: string, formId: string): Promise<FormVersionRow[]> {
  return tx
    .select()
    .from(qaFormVersions)
    .where(and(eq(qaFormVersions.tenantId, tenantId), eq(qaFormVersions.formId, formId)))
    .orderBy(asc(qaFormVersions.version));
}

/** A version of a live form (the newest when `version` is not given), for an evaluation. */
export async function formVersion(
  tx: Tx,
  tenantId: string,
  formId: string,
  version: number | undefined,
): Promise<FormVersionRow & { name: string }> {
  const form = await loadForm(tx, tenantId, formId);
  const versions = await versionsOf(tx, tenantId, formId);
  const found = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  if (!found) {
    throw invalid([{ in: 'body', pointer: '/formVersion', detail: `The QA form ${formId} has no version ${version}.` }]);
  }
  return { ...found, name: form.name };
}

export async function createQaForm(ctx: ServiceContext, actor: Actor, input: QaFormCreate): Promise<QaFormOut> {
  const { name, ...body } = input;
  checkBody(input);
  const id = newId('qaForm', ctx.now.getTime());
  return tenantTx(ctx, async (tx) => {
    if ((await tx.$count(qaForms, and(eq(qaForms.tenantId, ctx.tenantId), isNull(qaForms.archivedAt)))) >= MAX_QA_FORMS) {
      throw conflict('TOO_MANY_QA_FORMS', `A tenant has at most ${MAX_QA_FORMS} QA forms.`);
    }
    const [form] = await tx
      .insert(qaForms)
      .values({ tenantId: ctx.tenantId, id, name, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    const [version] = await tx
      .insert(qaFormVersions)
      .values({ tenantId: ctx.tenantId, formId: id, version: 1, body, createdAt: ctx.now, createdBy: actor })
      .returning();
    if (!form || !version) throw new Error('QA form insert returned nothing');
    await audit(tx, ctx, actor, {
      action: 'qa_form.created',
      resourceType: RESOURCE,
      resourceId: id,
      details: { name, version: 1 },
    });
    return present(form, [version]);
  }).catch(nameTaken);
}

/** Publishes a new version; evaluations made with earlier ones keep theirs. */
export async function addQaFormVersion(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  body: QaFormVersionCreate,
): Promise<QaFormOut> {
  return tenantTx(ctx, async (tx) => {
    const form = await loadForm(tx, ctx.tenantId, id, true);
    checkBody({ name: form.name, ...body });
    const versions = await versionsOf(tx, ctx.tenantId, id);
    const number = (versions.at(-1)?.version ?? 0) + 1;
    const [version] = await tx
      .insert(qaFormVersions)
      .values({ tenantId: ctx.tenantId, formId: id, version: number, body, createdAt: ctx.now, createdBy: actor })
      .returning();
    const [updated] = await tx
      .update(qaForms)
      .set({ updatedAt: ctx.now })
      .where(and(eq(qaForms.tenantId, ctx.tenantId), eq(qaForms.id, id)))
      .returning();
    if (!version) throw new Error('QA form version insert returned nothing');
    await audit(tx, ctx, actor, {
      action: 'qa_form.version_added',
      resourceType: RESOURCE,
      resourceId: id,
      details: { version: number },
    });
    return present(updated ?? form, [...versions, version]);
  });
}

export async function getQaForm(ctx: ServiceContext, id: string): Promise<QaFormOut> {
  return tenantTx(ctx, async (tx) => present(await loadForm(tx, ctx.tenantId, id), await versionsOf(tx, ctx.tenantId, id)));
}

export async function getQaFormVersion(ctx: ServiceContext, id: string, version: number): Promise<QaFormVersionOut> {
  return tenantTx(ctx, async (tx) => {
    await loadForm(tx, ctx.tenantId, id);
    const found = (await versionsOf(tx, ctx.tenantId, id)).find((v) => v.version === version);
    if (!found) throw notFound('QA form version', `${id}/${version}`);
    return presentVersion(found);
  });
}

export async function listQaForms(ctx: ServiceContext, page: PageRequest): Promise<Page<QaFormOut>> {
  return tenantTx(ctx, async (tx) => {
    const forms = await tx
      .select()
      .from(qaForms)
      .where(
        and(
          eq(qaForms.tenantId, ctx.tenantId),
          isNull(qaForms.archivedAt),
          page.afterId ? gt(qaForms.id, page.afterId) : undefined,
        ),
      )
      .orderBy(asc(qaForms.id))
      .limit(page.limit + 1);
    const out: QaFormOut[] = [];
    for (const f of forms) out.push(present(f, await versionsOf(tx, ctx.tenantId, f.id)));
    return pageFrom(out, page.limit);
  });
}

/** Archives a form: its versions stay for the evaluations made with them. */
export async function deleteQaForm(ctx: ServiceContext, actor: Actor, id: string): Promise<{ id: string; outcome: 'archived' }> {
  await tenantTx(ctx, async (tx) => {
    await loadForm(tx, ctx.tenantId, id, true);
    await tx
      .update(qaForms)
      .set({ archivedAt: ctx.now, updatedAt: ctx.now })
      .where(and(eq(qaForms.tenantId, ctx.tenantId), eq(qaForms.id, id)));
    await audit(tx, ctx, actor, { action: 'qa_form.deleted', resourceType: RESOURCE, resourceId: id });
  });
  return { id, outcome: 'archived' };
}
