import { createRoute, z } from '@hono/zod-openapi';
import {
  AppraisalPeriodSchema,
  AppraisalReopenSchema,
  AppraisalRuleCreateSchema,
  AppraisalRulePatchSchema,
  AppraisalRuleSchema,
  AppraisalRuleVersionCreateSchema,
  AppraisalRuleVersionSchema,
  AppraisalRunSchema,
  AppraisalSchema,
  AuditEntrySchema,
} from '../../contracts/appraisal';
import { DeleteResultSchema, LocalDate, Timestamp } from '../../contracts/common';
import { csvResponse, formatQuery, jsonOrCsvContent, wantsCsv } from '../../http/csv';
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
import { closeAppraisal, getAppraisal, listAppraisals, reopenAppraisal, runAppraisal } from '../../services/appraisal/appraisals';
import { appraisalCsvFilename, appraisalCsvLines } from '../../services/appraisal/csv';
import {
  addAppraisalRuleVersion,
  createAppraisalRule,
  deleteAppraisalRule,
  getAppraisalRule,
  getAppraisalRuleVersion,
  listAppraisalRules,
  updateAppraisalRule,
} from '../../services/appraisal/rules';
import { auditEntries } from '../../services/audit/audit';
import { pageRequest } from '../../services/pagination';

const tags = ['Appraisal'];
const appraisalParams = IdParam('appraisalId', 'apl_01jx2c8v3m0000000000000000');
const appraisalId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) =>
  c.req.valid('param').appraisalId as string;
const ruleParams = IdParam('appraisalRuleId', 'apr_01jx2c8v3m0000000000000000');
const ruleId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').appraisalRuleId as string;

const AuditQuerySchema = z.object({
  resourceType: z.string().min(1).max(64).optional().openapi({ example: 'appraisal_rule' }),
  resourceId: z.string().min(1).max(64).optional(),
  from: Timestamp.optional().openapi({ description: 'At or after.' }),
  to: Timestamp.optional().openapi({ description: 'Before.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional(),
});

/** How people are appraised is no one's personal data: team leads and agents read the rules that score them. */
const RULE_LIMITS = 'Rules are definitions, the same for every key.';

export const appraisalRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/appraisal-rules',
        operationId: 'listAppraisalRules',
        tags,
        summary: 'List appraisal rules',
        request: { query: ListQuerySchema.omit({ includeArchived: true }) },
        responses: {
          200: jsonContent(pageOf(AppraisalRuleSchema, 'AppraisalRulePage'), 'A page of rules, each with its newest version.'),
        },
      }),
      { keyLimits: RULE_LIMITS },
    ),
    async (c) => c.json(await listAppraisalRules(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/appraisal-rules',
        operationId: 'createAppraisalRule',
        tags,
        summary: 'Create an appraisal rule',
        description:
          'Categories weighted to 100 %, each holding catalog metrics weighted to 100 % within it, each scored linearly or by bands against absolute or team-relative targets (docs/appraisal.md). Beyond its shape, a rule whose weights do not sum to 100, that names a metric the catalog does not know or that has no better direction, or whose scale contradicts a metric’s direction is refused with a pointer to each problem. This is its version 1, in effect from `effectiveFrom`.',
        request: { body: jsonBody(AppraisalRuleCreateSchema) },
        responses: { 201: jsonContent(AppraisalRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => {
      const created = await createAppraisalRule(serviceContext(c), actorOf(c), c.req.valid('json'));
      c.header('Location', `/v1/appraisal-rules/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/appraisal-rules/{appraisalRuleId}',
        operationId: 'getAppraisalRule',
        tags,
        summary: 'Get an appraisal rule',
        request: {
          params: ruleParams,
          query: z.object({
            at: LocalDate.optional().openapi({
              description: 'The version in effect on this day as `current` (default: the newest).',
            }),
          }),
        },
        responses: { 200: jsonContent(AppraisalRuleSchema, 'The rule.') },
      }),
      { keyLimits: RULE_LIMITS },
    ),
    async (c) => c.json(await getAppraisalRule(serviceContext(c), ruleId(c), c.req.valid('query').at), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/appraisal-rules/{appraisalRuleId}/versions',
        operationId: 'addAppraisalRuleVersion',
        tags,
        summary: 'Change what an appraisal rule scores, from a day on',
        description:
          'A new version; the earlier ones never change, so a period scored with one keeps its numbers. It may not start before the newest version does.',
        request: { params: ruleParams, body: jsonBody(AppraisalRuleVersionCreateSchema) },
        responses: { 201: jsonContent(AppraisalRuleSchema, 'The rule, the new version as `current`.') },
      }),
    ),
    async (c) => c.json(await addAppraisalRuleVersion(serviceContext(c), actorOf(c), ruleId(c), c.req.valid('json')), 201),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/appraisal-rules/{appraisalRuleId}/versions/{version}',
        operationId: 'getAppraisalRuleVersion',
        tags,
        summary: 'One version of an appraisal rule',
        request: {
          params: ruleParams.extend(versionParam),
        },
        responses: { 200: jsonContent(AppraisalRuleVersionSchema, 'The version as written.') },
      }),
      { keyLimits: RULE_LIMITS },
    ),
    async (c) => {
      const { appraisalRuleId: id, version } = c.req.valid('param');
      return c.json(await getAppraisalRuleVersion(serviceContext(c), id, version), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/appraisal-rules/{appraisalRuleId}',
        operationId: 'updateAppraisalRule',
        tags,
        summary: 'Rename an appraisal rule or change its team',
        request: { params: ruleParams, body: jsonBody(AppraisalRulePatchSchema) },
        responses: { 200: jsonContent(AppraisalRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => c.json(await updateAppraisalRule(serviceContext(c), actorOf(c), ruleId(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/appraisal-rules/{appraisalRuleId}',
        operationId: 'deleteAppraisalRule',
        tags,
        summary: 'Delete an appraisal rule',
        description: 'Archived: its versions stay for the appraisals made with them.',
        request: { params: ruleParams },
        responses: { 200: jsonContent(DeleteResultSchema, 'Archived.') },
      }),
    ),
    async (c) => c.json(await deleteAppraisalRule(serviceContext(c), actorOf(c), ruleId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/audit-log',
        operationId: 'listAuditLog',
        tags,
        summary: 'Who changed what, and when',
        description:
          'Every change of an appraisal rule (created, a version added, renamed or moved, deleted), newest first, with the API key that made it. Written in the same transaction as the change.',
        request: { query: AuditQuerySchema },
        responses: { 200: jsonContent(pageOf(AuditEntrySchema, 'AuditEntryPage'), 'A page of entries.') },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await auditEntries(serviceContext(c), q, pageRequest(q)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/appraisals',
        operationId: 'runAppraisal',
        tags,
        summary: 'Run an appraisal rule for a month or a quarter',
        description:
          'With the rule’s version in effect on the period’s first day, for every agent it covers (its team that day, or all): each metric’s value over the period from `GET /v1/kpis` by agent, points, category scores, the total, ranks in team and tenant, and a sentence for each number. Run again while open, it is computed again; once closed, it answers the frozen results unchanged (`computed: false`).',
        request: { body: jsonBody(AppraisalRunSchema) },
        responses: {
          200: jsonContent(
            z.object({
              computed: z.boolean().describe('false: the appraisal was closed; these are its frozen results.'),
              appraisal: AppraisalSchema,
            }),
            'The appraisal.',
          ),
        },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json(await runAppraisal(serviceContext(c), actorOf(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/appraisals',
        operationId: 'listAppraisals',
        tags,
        summary: 'List appraisals',
        description: 'Newest first, without their results.',
        request: {
          query: z.object({
            ruleId: z.string().min(1).max(64).optional(),
            period: AppraisalPeriodSchema.optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().min(1).max(400).optional(),
          }),
        },
        responses: {
          200: jsonContent(
            pageOf(AppraisalSchema.omit({ results: true }).extend({ agents: z.number().int() }), 'AppraisalPage'),
            'A page of appraisals.',
          ),
        },
      }),
      { keyLimits: 'Every appraisal (a rule and a period); `agents` counts only the results the key sees.' },
    ),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listAppraisals(serviceContext(c), q, pageRequest(q), keyLimit(c)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/appraisals/{appraisalId}',
        operationId: 'getAppraisal',
        tags,
        summary: 'Get an appraisal',
        request: { params: appraisalParams, query: z.object({ format: formatQuery }) },
        responses: {
          200: jsonOrCsvContent(
            AppraisalSchema,
            'The appraisal with every agent’s result.',
            'one line per agent, best first: `agentId`, `teamId`, `total`, `status`, `rankInTeam`, `rankInTenant`, a column per category (its score), `<category>.<metric>` (the value) and `<category>.<metric>.points` per metric, `explanation`.',
          ),
        },
      }),
      {
        keyLimits:
          "Only the results the key sees (JSON and CSV): a team key's, its team's as of the period's start; an agent key's, its own.",
      },
    ),
    async (c) => {
      const appraisal = await getAppraisal(serviceContext(c), appraisalId(c), keyLimit(c));
      if (!wantsCsv(c, c.req.valid('query').format)) return c.json(appraisal, 200);
      return csvResponse(c, appraisalCsvFilename(appraisal), appraisalCsvLines(appraisal));
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/appraisals/{appraisalId}/close',
        operationId: 'closeAppraisal',
        tags,
        summary: 'Close an appraisal: its results are frozen',
        description: 'Later events, rule versions or team moves no longer change it. Closing twice is harmless.',
        request: { params: appraisalParams },
        responses: { 200: jsonContent(AppraisalSchema, 'The appraisal.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json(await closeAppraisal(serviceContext(c), actorOf(c), appraisalId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/appraisals/{appraisalId}/reopen',
        operationId: 'reopenAppraisal',
        tags,
        summary: 'Re-open a closed appraisal',
        description: 'Explicit, with a reason kept in the audit log; the next run computes it again.',
        request: { params: appraisalParams, body: jsonBody(AppraisalReopenSchema) },
        responses: { 200: jsonContent(AppraisalSchema, 'The appraisal.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json(await reopenAppraisal(serviceContext(c), actorOf(c), appraisalId(c), c.req.valid('json').reason), 200),
  );
