import { createRoute, z } from '@hono/zod-openapi';
import {
  ALERT_STATUSES,
  AlertRuleCreateSchema,
  AlertRulePatchSchema,
  AlertRuleSchema,
  AlertSchema,
} from '../../contracts/alerts';
import { DeleteResultSchema } from '../../contracts/common';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { acknowledgeAlert, listAlerts } from '../../services/alerts/alerts';
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from '../../services/alerts/rules';
import { pageRequest } from '../../services/pagination';

const tags = ['Alerts'];
const ruleParams = IdParam('ruleId', 'arl_01jx2c8v3m0000000000000000');
const ruleId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').ruleId as string;

const AlertQuerySchema = z.object({
  status: z
    .enum([...ALERT_STATUSES, 'open'])
    .optional()
    .openapi({ description: '`open`: triggered or acknowledged.' }),
  ruleId: z.string().min(1).max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Triggered at or after.' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Triggered before.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional(),
});

export const alertsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/alert-rules',
        operationId: 'listAlertRules',
        tags,
        summary: 'List alert rules',
        request: { query: ListQuerySchema.omit({ includeArchived: true }) },
        responses: { 200: jsonContent(pageOf(AlertRuleSchema, 'AlertRulePage'), 'A page of rules.') },
      }),
    ),
    async (c) => c.json(await listAlertRules(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/alert-rules',
        operationId: 'createAlertRule',
        tags,
        summary: 'Create an alert rule',
        description:
          'Watched by the tenant’s live hub on every change of the live state and on timers (docs/alerts.md). An anomaly rule’s normal values are computed from the last 8 weeks of its queue’s history.',
        request: { body: jsonBody(AlertRuleCreateSchema) },
        responses: { 201: jsonContent(AlertRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => {
      const created = await createAlertRule(serviceContext(c), c.req.valid('json'));
      c.header('Location', `/v1/alert-rules/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/alert-rules/{ruleId}',
        operationId: 'getAlertRule',
        tags,
        summary: 'Get an alert rule',
        request: { params: ruleParams },
        responses: { 200: jsonContent(AlertRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => c.json(await getAlertRule(serviceContext(c), ruleId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/alert-rules/{ruleId}',
        operationId: 'updateAlertRule',
        tags,
        summary: 'Change an alert rule',
        description: 'Fields given replace the rule’s (`scope` and `condition` as a whole).',
        request: { params: ruleParams, body: jsonBody(AlertRulePatchSchema) },
        responses: { 200: jsonContent(AlertRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => c.json(await updateAlertRule(serviceContext(c), ruleId(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/alert-rules/{ruleId}/baseline',
        operationId: 'refreshAlertRuleBaseline',
        tags,
        summary: "Compute an anomaly rule's normal values again",
        description: 'From the last 8 weeks of its queue’s history (after an import, say).',
        request: { params: ruleParams },
        responses: { 200: jsonContent(AlertRuleSchema, 'The rule.') },
      }),
    ),
    async (c) => c.json(await updateAlertRule(serviceContext(c), ruleId(c), {}, { refreshBaseline: true }), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/alert-rules/{ruleId}',
        operationId: 'deleteAlertRule',
        tags,
        summary: 'Delete an alert rule',
        description: 'Its open alerts resolve; its history stays.',
        request: { params: ruleParams },
        responses: { 200: jsonContent(DeleteResultSchema, 'Archived.') },
      }),
    ),
    async (c) => c.json(await deleteAlertRule(serviceContext(c), ruleId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/alerts',
        operationId: 'listAlerts',
        tags,
        summary: 'The alert history',
        description: 'Newest first, from Postgres (about a second after the hub raised them).',
        request: { query: AlertQuerySchema },
        responses: { 200: jsonContent(pageOf(AlertSchema, 'AlertPage'), 'A page of alerts.') },
      }),
    ),
    async (c) => c.json(await listAlerts(serviceContext(c), c.req.valid('query')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/alerts/{alertId}/acknowledge',
        operationId: 'acknowledgeAlert',
        tags,
        summary: 'Acknowledge an open alert',
        description:
          'Someone is on it: the alert stays open until its condition stops holding. Any key that can read may acknowledge (a supervisor’s); the key is recorded. Acknowledging twice is harmless.',
        request: { params: IdParam('alertId', 'alr_01jx2c8v3m0000000000000000') },
        responses: { 200: jsonContent(AlertSchema, 'The alert.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => {
      const principal = c.get('principal');
      if (!principal) throw new Error('guarded route without a principal');
      return c.json(await acknowledgeAlert(serviceContext(c), c.req.valid('param').alertId as string, principal.keyId), 200);
    },
  );
