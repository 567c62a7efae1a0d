import { and, asc, desc, eq, inArray, lt, ne, not, or, type SQL, sql } from 'drizzle-orm';
import type {
  QA_STATUSES,
  QaCalibration,
  QaEvaluationCreate,
  QaEvaluationOut,
  QaEvaluationPatch,
  QaResolution,
} from '../../contracts/qa';
import type { Tx } from '../../db/client';
import { interactions, qaEvaluations, qaFormVersions } from '../../db/schema';
import type { ApiKeyLimit } from '../../domain/api-keys';
import { AppError, invalid, notFound } from '../../domain/errors';
import { type Answer, answerProblems, type QaFormBody, scoreEvaluation } from '../../domain/people/qa';
import { newId } from '../../lib/ids';
import { type Actor, audit } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import { evaluationWithin } from '../key-limits/qa';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';
import { loadTenantRow } from '../tenants/get-tenant';
import { formVersion } from './forms';

type Row = typeof qaEvaluations.$inferSelect;
type Status = (typeof QA_STATUSES)[number];
const RESOURCE = 'qa_evaluation';

/** The evaluated call's complaint category when the call is a complaint (its category one of the tenant's), else null. */
type Complaint = string | null;

function present(r: Row, complaint: Complaint): QaEvaluationOut {
  return {
    id: r.id,
    formId: r.formId,
    formVersion: r.formVersion,
    callId: r.interactionId,
    agentId: r.agentId,
    purpose: r.purpose as QaEvaluationOut['purpose'],
    status: r.status as Status,
    evaluator: r.evaluator,
    answers: r.answers,
    comment: r.comment,
    score: r.score,
    numerator: r.numerator,
    denominator: r.denominator,
    criticalFailed: r.criticalFailed ?? [],
    band: r.band,
    submittedAt: r.submittedAt?.toISOString() ?? null,
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    dispute: r.dispute ?? null,
    resolution: r.resolution ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    complaint: complaint !== null,
    complaintCategory: complaint,
  };
}

/** The disposition category of an evaluation's call, as SQL (null: no disposition, or none given). */
const callCategory = sql<string | null>`(SELECT ${interactions.disposition}->>'category' FROM ${interactions}
  WHERE ${interactions.tenantId} = ${qaEvaluations.tenantId} AND ${interactions.id} = ${qaEvaluations.interactionId})`;

/**
 * Whether an evaluation's call is a complaint is read when the evaluation is: the call's disposition category
 * against the tenant's `complaintCategories` now, so a settings change or a late disposition shows at once.
 */
async function complaintCategories(tx: Tx, tenantId: string): Promise<readonly string[]> {
  return (await loadTenantRow(tx, tenantId)).settings.complaintCategories;
}

async function presentOne(tx: Tx, tenantId: string, r: Row): Promise<QaEvaluationOut> {
  const [categories, [call]] = await Promise.all([
    complaintCategories(tx, tenantId),
    tx
      .select({ category: sql<string | null>`${interactions.disposition}->>'category'` })
      .from(interactions)
      .where(and(eq(interactions.tenantId, tenantId), eq(interactions.id, r.interactionId))),
  ]);
  const category = call?.category ?? null;
  return present(r, category !== null && categories.includes(category) ? category : null);
}

const wrongStatus = (r: Row, action: string, allowed: Status[]) =>
  new AppError(
    'conflict',
    'EVALUATION_STATUS',
    `The evaluation is ${r.status}: it can be ${action} only when ${allowed.join(' or ')}.`,
  );

/** The answers are complete and fit the form version: the score, numerator and denominator, the band. */
function scored(form: Omit<QaFormBody, 'name'>, answers: Record<string, Answer>, pointerBase = '') {
  const full: QaFormBody = { name: '', ...form };
  const problems = answerProblems(full, answers);
  if (problems.length > 0) {
    throw invalid(
      problems.map((p) => ({ in: 'body' as const, pointer: `${pointerBase}${p.pointer}`, detail: p.detail })),
      'The answers do not fit the form.',
    );
  }
  const s = scoreEvaluation(full, answers);
  return { score: s.score, numerator: s.numerator, denominator: s.denominator, criticalFailed: s.criticalFailed, band: s.band };
}

async function loadVersionBody(tx: Tx, tenantId: string, r: Row): Promise<Omit<QaFormBody, 'name'>> {
  const [v] = await tx
    .select({ body: qaFormVersions.body })
    .from(qaFormVersions)
    .where(
      and(eq(qaFormVersions.tenantId, tenantId), eq(qaFormVersions.formId, r.formId), eq(qaFormVersions.version, r.formVersion)),
    );
  if (!v) throw new Error(`QA form version ${r.formId}/${r.formVersion} is missing`);
  return v.body;
}

async function load(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(qaEvaluations)
    .where(and(eq(qaEvaluations.tenantId, tenantId), eq(qaEvaluations.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('QA evaluation', id);
  return row;
}

async function save(tx: Tx, ctx: ServiceContext, id: string, set: Partial<Row>): Promise<Row> {
  const [row] = await tx
    .update(qaEvaluations)
    .set({ ...set, updatedAt: ctx.now })
    .where(and(eq(qaEvaluations.tenantId, ctx.tenantId), eq(qaEvaluations.id, id)))
    .returning();
  if (!row) throw notFound('QA evaluation', id);
  return row;
}

export async function createEvaluation(ctx: ServiceContext, actor: Actor, input: QaEvaluationCreate): Promise<QaEvaluationOut> {
  const id = newId('qaEvaluation', ctx.now.getTime());
  return tenantTx(ctx, async (tx) => {
    await assertReferences(tx, ctx.tenantId, [{ kind: 'agent', items: [{ pointer: '/agentId', id: input.agentId }] }]);
    const [call] = await tx
      .select({ id: interactions.id })
      .from(interactions)
      .where(and(eq(interactions.tenantId, ctx.tenantId), eq(interactions.id, input.callId)));
    if (!call) throw invalid([{ in: 'body', pointer: '/callId', detail: `No call '${input.callId}' in this tenant's history.` }]);
    const version = await formVersion(tx, ctx.tenantId, input.formId, input.formVersion);
    const score = input.submit ? scored(version.body, input.answers) : null;
    const [row] = await tx
      .insert(qaEvaluations)
      .values({
        tenantId: ctx.tenantId,
        id,
        formId: input.formId,
        formVersion: version.version,
        interactionId: input.callId,
        agentId: input.agentId,
        purpose: input.purpose,
        status: input.submit ? 'submitted' : 'draft',
        evaluator: actor,
        answers: input.answers,
        comment: input.comment ?? null,
        ...(score ?? {}),
        submittedAt: input.submit ? ctx.now : null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    if (!row) throw new Error('QA evaluation insert returned nothing');
    await audit(tx, ctx, actor, {
      action: input.submit ? 'qa_evaluation.submitted' : 'qa_evaluation.created',
      resourceType: RESOURCE,
      resourceId: id,
      details: {
        formId: input.formId,
        formVersion: version.version,
        callId: input.callId,
        agentId: input.agentId,
        score: row.score,
      },
    });
    return presentOne(tx, ctx.tenantId, row);
  });
}

/** A draft's answers or comment; a submitted evaluation never changes (409). */
export async function updateEvaluation(ctx: ServiceContext, id: string, patch: QaEvaluationPatch): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status !== 'draft') throw wrongStatus(r, 'edited', ['draft']);
    return presentOne(
      tx,
      ctx.tenantId,
      await save(tx, ctx, id, {
        ...(patch.answers ? { answers: { ...r.answers, ...patch.answers } } : {}),
        ...(patch.comment !== undefined ? { comment: patch.comment } : {}),
      }),
    );
  });
}

/** Submits a draft: every question answered; the score is computed and frozen. */
export async function submitEvaluation(ctx: ServiceContext, actor: Actor, id: string): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status !== 'draft') throw wrongStatus(r, 'submitted', ['draft']);
    const score = scored(await loadVersionBody(tx, ctx.tenantId, r), r.answers);
    const row = await save(tx, ctx, id, { ...score, status: 'submitted', submittedAt: ctx.now });
    await audit(tx, ctx, actor, {
      action: 'qa_evaluation.submitted',
      resourceType: RESOURCE,
      resourceId: id,
      details: { score: row.score },
    });
    return presentOne(tx, ctx.tenantId, row);
  });
}

/** The agent has seen it and agrees. */
export async function acknowledgeEvaluation(ctx: ServiceContext, actor: Actor, id: string): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status === 'acknowledged') return presentOne(tx, ctx.tenantId, r);
    if (r.status !== 'submitted') throw wrongStatus(r, 'acknowledged', ['submitted']);
    const row = await save(tx, ctx, id, { status: 'acknowledged', acknowledgedAt: ctx.now });
    await audit(tx, ctx, actor, { action: 'qa_evaluation.acknowledged', resourceType: RESOURCE, resourceId: id });
    return presentOne(tx, ctx.tenantId, row);
  });
}

/** The agent disagrees, with a comment; a supervisor resolves it. */
export async function disputeEvaluation(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  comment: string,
): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status !== 'submitted' && r.status !== 'acknowledged') throw wrongStatus(r, 'disputed', ['submitted', 'acknowledged']);
    const dispute = { comment, at: ctx.now.toISOString(), by: actor };
    const row = await save(tx, ctx, id, { status: 'disputed', dispute });
    await audit(tx, ctx, actor, {
      action: 'qa_evaluation.disputed',
      resourceType: RESOURCE,
      resourceId: id,
      details: { comment },
    });
    return presentOne(tx, ctx.tenantId, row);
  });
}

/** A supervisor resolves a dispute: the evaluation stands, or new answers replace the disputed ones (rescored). */
export async function resolveDispute(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: QaResolution,
): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => {
    const r = await load(tx, ctx.tenantId, id, true);
    if (r.status !== 'disputed') throw wrongStatus(r, 'resolved', ['disputed']);
    if (input.outcome === 'rescored' && !input.answers) {
      throw invalid([
        { in: 'body', pointer: '/answers', detail: 'A rescored evaluation needs the answers that replace the disputed ones.' },
      ]);
    }
    const rescored = input.outcome === 'rescored' && input.answers ? input.answers : null;
    const score = rescored ? scored(await loadVersionBody(tx, ctx.tenantId, r), rescored) : null;
    const resolution = {
      outcome: input.outcome,
      comment: input.comment,
      at: ctx.now.toISOString(),
      by: actor,
      previousScore: r.score ?? 0,
    };
    const row = await save(tx, ctx, id, { status: 'resolved', resolution, ...(rescored ? { answers: rescored, ...score } : {}) });
    await audit(tx, ctx, actor, {
      action: 'qa_evaluation.resolved',
      resourceType: RESOURCE,
      resourceId: id,
      details: { outcome: input.outcome, previousScore: r.score, score: row.score },
    });
    return presentOne(tx, ctx.tenantId, row);
  });
}

export async function getEvaluation(ctx: ServiceContext, id: string): Promise<QaEvaluationOut> {
  return tenantTx(ctx, async (tx) => presentOne(tx, ctx.tenantId, await load(tx, ctx.tenantId, id)));
}

export interface EvaluationQuery {
  agentId?: string;
  formId?: string;
  callId?: string;
  status?: Status;
  /** A limited key's team or agent (docs/roles.md): only the evaluations it sees. */
  keyLimit?: ApiKeyLimit | null;
  /** true: only evaluations of calls that are complaints; false: only of calls that are not. */
  complaint?: boolean;
}

/** Newest first. */
export async function listEvaluations(
  ctx: ServiceContext,
  q: EvaluationQuery,
  page: PageRequest,
): Promise<Page<QaEvaluationOut>> {
  return tenantTx(ctx, async (tx) => {
    const categories = await complaintCategories(tx, ctx.tenantId);
    const isComplaint: SQL = categories.length > 0 ? inArray(callCategory, [...categories]) : sql`false`;
    const rows = await tx
      .select({ e: qaEvaluations, category: callCategory })
      .from(qaEvaluations)
      .where(
        and(
          eq(qaEvaluations.tenantId, ctx.tenantId),
          q.agentId ? eq(qaEvaluations.agentId, q.agentId) : undefined,
          q.formId ? eq(qaEvaluations.formId, q.formId) : undefined,
          q.callId ? eq(qaEvaluations.interactionId, q.callId) : undefined,
          q.status ? eq(qaEvaluations.status, q.status) : undefined,
          q.keyLimit ? evaluationWithin(ctx.tenantId, q.keyLimit) : undefined,
          q.complaint === true ? isComplaint : undefined,
          q.complaint === false ? or(sql`${callCategory} IS NULL`, not(isComplaint)) : undefined,
          page.afterId ? lt(qaEvaluations.id, page.afterId) : undefined,
        ),
      )
      .orderBy(desc(qaEvaluations.id))
      .limit(page.limit + 1);
    const out = rows.map(({ e, category }) => present(e, category !== null && categories.includes(category) ? category : null));
    return pageFrom(out, page.limit);
  });
}

/**
 * How far apart evaluators are on one call with one form: every submitted evaluation of it (calibration or review),
 * their mean, spread (highest − lowest) and standard deviation.
 */
export async function calibration(ctx: ServiceContext, q: { callId: string; formId: string }): Promise<QaCalibration> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(qaEvaluations)
      .where(
        and(
          eq(qaEvaluations.tenantId, ctx.tenantId),
          eq(qaEvaluations.interactionId, q.callId),
          eq(qaEvaluations.formId, q.formId),
          ne(qaEvaluations.status, 'draft'),
        ),
      )
      .orderBy(asc(qaEvaluations.id)),
  );
  const scoredRows = rows.filter((r) => r.score !== null);
  const scores = scoredRows.map((r) => r.score as number);
  const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    callId: q.callId,
    formId: q.formId,
    evaluations: scoredRows.map((r) => ({
      id: r.id,
      evaluator: r.evaluator,
      formVersion: r.formVersion,
      purpose: r.purpose,
      score: r.score as number,
    })),
    mean: mean === null ? null : round(mean),
    spread: scores.length ? round(Math.max(...scores) - Math.min(...scores)) : null,
    standardDeviation: mean === null ? null : round(Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length)),
  };
}
