import { createRoute, z } from '@hono/zod-openapi';
import { DeleteResultSchema } from '../../contracts/common';
import {
  QA_STATUSES,
  QaCalibrationSchema,
  QaDisputeSchema,
  QaEvaluationCreateSchema,
  QaEvaluationPatchSchema,
  QaEvaluationSchema,
  QaFormCreateSchema,
  QaFormSchema,
  QaFormVersionCreateSchema,
  QaFormVersionSchema,
  QaResolutionSchema,
} from '../../contracts/qa';
import { limitAgentId } from '../../domain/key-limits';
import { keyLimit } from '../../http/key-limits';
import {
  createRouter,
  defineRoute,
  IdParam,
  jsonBody,
  jsonContent,
  ListQuerySchema,
  pageOf,
  versionParam,
} from '../../http/openapi';
import { actorOf, serviceContext } from '../../http/service-context';
import { assertEvaluationWithin, assertMayAnswerEvaluation } from '../../services/key-limits/qa';
import { reachFor } from '../../services/key-limits/reach';
import { pageRequest } from '../../services/pagination';
import {
  acknowledgeEvaluation,
  calibration,
  createEvaluation,
  disputeEvaluation,
  getEvaluation,
  listEvaluations,
  resolveDispute,
  submitEvaluation,
  updateEvaluation,
} from '../../services/qa/evaluations';
import { addQaFormVersion, createQaForm, deleteQaForm, getQaForm, getQaFormVersion, listQaForms } from '../../services/qa/forms';

const tags = ['Quality'];
const formParams = IdParam('formId', 'qaf_01jx2c8v3m0000000000000000');
const evaluationParams = IdParam('evaluationId', 'qae_01jx2c8v3m0000000000000000');
const formId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').formId as string;
const evaluationId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) =>
  c.req.valid('param').evaluationId as string;
const id64 = z.string().min(1).max(64);

/** One step of an evaluation's life: `POST /v1/qa/evaluations/{evaluationId}/<step>`. */
const step = (
  path: string,
  operationId: string,
  summary: string,
  description: string,
  scope: 'read' | 'admin',
  keyLimits?: string,
) =>
  defineRoute(
    { scope },
    createRoute({
      method: 'post',
      path: `/v1/qa/evaluations/{evaluationId}/${path}`,
      operationId,
      tags,
      summary,
      description,
      request: { params: evaluationParams },
      responses: { 200: jsonContent(QaEvaluationSchema, 'The evaluation.') },
    }),
    { idempotencyKey: false, ...(keyLimits !== undefined ? { keyLimits } : {}) },
  );

const FORM_LIMITS = 'Forms are definitions, the same for every key.';
const ANSWER_LIMITS =
  'An agent key on its own evaluations only (another’s is a 404); a team key is refused (403): only the agent answers.';

export const qaRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/forms',
        operationId: 'listQaForms',
        tags,
        summary: 'List QA forms',
        request: { query: ListQuerySchema.omit({ includeArchived: true }) },
        responses: { 200: jsonContent(pageOf(QaFormSchema, 'QaFormPage'), 'A page of forms, each with its newest version.') },
      }),
      { keyLimits: FORM_LIMITS },
    ),
    async (c) => c.json(await listQaForms(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/qa/forms',
        operationId: 'createQaForm',
        tags,
        summary: 'Create a QA form',
        description:
          'Sections weighted to 100 %, each with questions weighted to 100 % within it (yes/no or a scale, N/A allowed or not, critical items that fail the whole evaluation) and performance bands. A form that does not add up is refused with a pointer for each problem. This is its version 1.',
        request: { body: jsonBody(QaFormCreateSchema) },
        responses: { 201: jsonContent(QaFormSchema, 'The form.') },
      }),
    ),
    async (c) => {
      const created = await createQaForm(serviceContext(c), actorOf(c), c.req.valid('json'));
      c.header('Location', `/v1/qa/forms/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/forms/{formId}',
        operationId: 'getQaForm',
        tags,
        summary: 'Get a QA form',
        request: { params: formParams },
        responses: { 200: jsonContent(QaFormSchema, 'The form.') },
      }),
      { keyLimits: FORM_LIMITS },
    ),
    async (c) => c.json(await getQaForm(serviceContext(c), formId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/qa/forms/{formId}/versions',
        operationId: 'publishQaFormVersion',
        tags,
        summary: 'Publish a new version of a QA form',
        description: 'New evaluations use it; those made with earlier versions keep theirs, with their scores.',
        request: { params: formParams, body: jsonBody(QaFormVersionCreateSchema) },
        responses: { 201: jsonContent(QaFormSchema, 'The form, the new version as `current`.') },
      }),
    ),
    async (c) => c.json(await addQaFormVersion(serviceContext(c), actorOf(c), formId(c), c.req.valid('json')), 201),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/forms/{formId}/versions/{version}',
        operationId: 'getQaFormVersion',
        tags,
        summary: 'One version of a QA form',
        request: {
          params: formParams.extend(versionParam),
        },
        responses: { 200: jsonContent(QaFormVersionSchema, 'The version as published.') },
      }),
      { keyLimits: FORM_LIMITS },
    ),
    async (c) => {
      const { formId: id, version } = c.req.valid('param');
      return c.json(await getQaFormVersion(serviceContext(c), id, version), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/qa/forms/{formId}',
        operationId: 'deleteQaForm',
        tags,
        summary: 'Delete a QA form',
        description: 'Archived: its versions stay for the evaluations made with them.',
        request: { params: formParams },
        responses: { 200: jsonContent(DeleteResultSchema, 'Archived.') },
      }),
    ),
    async (c) => c.json(await deleteQaForm(serviceContext(c), actorOf(c), formId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/evaluations',
        operationId: 'listQaEvaluations',
        tags,
        summary: 'List QA evaluations',
        description: 'Newest first.',
        request: {
          query: z.object({
            agentId: id64.optional(),
            formId: id64.optional(),
            callId: z.string().min(1).max(200).optional(),
            status: z.enum(QA_STATUSES).optional(),
            complaint: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional()
              .describe(
                "`true`: only evaluations of calls that are complaints (their disposition's category is one of the tenant's `complaintCategories`); `false`: only of calls that are not.",
              ),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().min(1).max(400).optional(),
          }),
        },
        responses: { 200: jsonContent(pageOf(QaEvaluationSchema, 'QaEvaluationPage'), 'A page of evaluations.') },
      }),
      {
        keyLimits:
          "A team key's: its team's agents at the time of the call; an agent key's: its own. `agentId` must be one of its agents (403).",
      },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = c.req.valid('query');
      const limit = keyLimit(c);
      const reach = await reachFor(ctx, limit);
      const limited = reach ? { ...q, agentId: limitAgentId(reach, q.agentId), keyLimit: limit } : q;
      return c.json(await listEvaluations(ctx, limited, pageRequest(q)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/qa/evaluations',
        operationId: 'createQaEvaluation',
        tags,
        summary: 'Evaluate a call for an agent',
        description:
          'With a form version (the newest by default). A draft can be edited until it is submitted; submitted (`submit: true`, or `…/submit`), every question must be answered and the score is computed and never changes — except by a resolved dispute. The evaluator is the API key.',
        request: { body: jsonBody(QaEvaluationCreateSchema) },
        responses: { 201: jsonContent(QaEvaluationSchema, 'The evaluation.') },
      }),
    ),
    async (c) => {
      const created = await createEvaluation(serviceContext(c), actorOf(c), c.req.valid('json'));
      c.header('Location', `/v1/qa/evaluations/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/calibration',
        operationId: 'getQaCalibration',
        tags,
        summary: 'How far apart evaluators are on one call',
        description:
          'Every submitted evaluation of the call with the form (calibration or review): their mean, spread and standard deviation.',
        request: { query: z.object({ callId: z.string().min(1).max(200), formId: id64 }) },
        responses: { 200: jsonContent(QaCalibrationSchema, 'The evaluations and their spread.') },
      }),
    ),
    async (c) => c.json(await calibration(serviceContext(c), c.req.valid('query')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/qa/evaluations/{evaluationId}',
        operationId: 'getQaEvaluation',
        tags,
        summary: 'Get a QA evaluation',
        request: { params: evaluationParams },
        responses: { 200: jsonContent(QaEvaluationSchema, 'The evaluation.') },
      }),
      { keyLimits: 'One the key does not see (as `GET /v1/qa/evaluations` would list it) is a 404.' },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      await assertEvaluationWithin(ctx, evaluationId(c), keyLimit(c));
      return c.json(await getEvaluation(ctx, evaluationId(c)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/qa/evaluations/{evaluationId}',
        operationId: 'updateQaEvaluation',
        tags,
        summary: 'Edit a draft evaluation',
        description:
          'Answers given replace those of the same questions. A submitted evaluation cannot change (`409 EVALUATION_STATUS`).',
        request: { params: evaluationParams, body: jsonBody(QaEvaluationPatchSchema) },
        responses: { 200: jsonContent(QaEvaluationSchema, 'The evaluation.') },
      }),
    ),
    async (c) => c.json(await updateEvaluation(serviceContext(c), evaluationId(c), c.req.valid('json')), 200),
  )
  .openapi(
    step(
      'submit',
      'submitQaEvaluation',
      'Submit a draft evaluation',
      'Every question answered; the score is computed and frozen.',
      'admin',
    ),
    async (c) => c.json(await submitEvaluation(serviceContext(c), actorOf(c), evaluationId(c)), 200),
  )
  .openapi(
    step(
      'acknowledge',
      'acknowledgeQaEvaluation',
      'The agent acknowledges an evaluation',
      'Acknowledging twice is harmless.',
      'read',
      ANSWER_LIMITS,
    ),
    async (c) => {
      const ctx = serviceContext(c);
      await assertMayAnswerEvaluation(ctx, evaluationId(c), keyLimit(c), 'acknowledge');
      return c.json(await acknowledgeEvaluation(ctx, actorOf(c), evaluationId(c)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/qa/evaluations/{evaluationId}/dispute',
        operationId: 'disputeQaEvaluation',
        tags,
        summary: 'The agent disputes an evaluation',
        description: 'With a comment; a supervisor resolves it.',
        request: { params: evaluationParams, body: jsonBody(QaDisputeSchema) },
        responses: { 200: jsonContent(QaEvaluationSchema, 'The evaluation.') },
      }),
      { idempotencyKey: false, keyLimits: ANSWER_LIMITS },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      await assertMayAnswerEvaluation(ctx, evaluationId(c), keyLimit(c), 'dispute');
      return c.json(await disputeEvaluation(ctx, actorOf(c), evaluationId(c), c.req.valid('json').comment), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/qa/evaluations/{evaluationId}/resolve',
        operationId: 'resolveQaDispute',
        tags,
        summary: 'Resolve a disputed evaluation',
        description:
          '`upheld`: it stands; `rescored`: the answers given replace the disputed ones and the score is computed again (the previous score is kept in `resolution`).',
        request: { params: evaluationParams, body: jsonBody(QaResolutionSchema) },
        responses: { 200: jsonContent(QaEvaluationSchema, 'The evaluation.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json(await resolveDispute(serviceContext(c), actorOf(c), evaluationId(c), c.req.valid('json')), 200),
  );
