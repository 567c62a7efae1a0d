import { createRoute } from '@hono/zod-openapi';
import { DeleteResultSchema } from '../../contracts/common';
import {
  WebhookAttemptQuerySchema,
  WebhookAttemptSchema,
  WebhookEndpointCreateSchema,
  WebhookEndpointPatchSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
  WebhookTestResultSchema,
} from '../../contracts/webhook-endpoints';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { pageRequest } from '../../services/pagination';
import { listWebhookAttempts } from '../../services/webhook-endpoints/deliveries';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  testWebhookEndpoint,
  updateWebhookEndpoint,
} from '../../services/webhook-endpoints/endpoints';

const tags = ['Webhook endpoints'];
const params = IdParam('endpointId', 'whe_01jx2c8v3m0000000000000000');
const id = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').endpointId as string;

export const webhookEndpointsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/webhook-endpoints',
        operationId: 'listWebhookEndpoints',
        tags,
        summary: 'List webhook endpoints',
        request: { query: ListQuerySchema.omit({ includeArchived: true }) },
        responses: { 200: jsonContent(pageOf(WebhookEndpointSchema, 'WebhookEndpointPage'), 'A page of endpoints.') },
      }),
    ),
    async (c) => c.json(await listWebhookEndpoints(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/webhook-endpoints',
        operationId: 'createWebhookEndpoint',
        tags,
        summary: 'Create a webhook endpoint',
        description: `Callboard POSTs the events the endpoint subscribes to, signed per Standard Webhooks (\`webhook-id\`,
\`webhook-timestamp\`, \`webhook-signature\`) with the secret this answer shows once. See docs/webhooks-out.md.`,
        request: { body: jsonBody(WebhookEndpointCreateSchema) },
        responses: { 201: jsonContent(WebhookEndpointWithSecretSchema, 'The endpoint with its signing secret.') },
      }),
    ),
    async (c) => {
      const created = await createWebhookEndpoint(serviceContext(c), c.req.valid('json'));
      c.header('Location', `/v1/webhook-endpoints/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/webhook-endpoints/{endpointId}',
        operationId: 'getWebhookEndpoint',
        tags,
        summary: 'Get a webhook endpoint',
        request: { params },
        responses: { 200: jsonContent(WebhookEndpointSchema, 'The endpoint (without its secret).') },
      }),
    ),
    async (c) => c.json(await getWebhookEndpoint(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/webhook-endpoints/{endpointId}',
        operationId: 'updateWebhookEndpoint',
        tags,
        summary: 'Update a webhook endpoint',
        description:
          'Takes effect for the next delivery. `enabled: true` re-enables an endpoint Callboard disabled; its waiting messages are sent at once.',
        request: { params, body: jsonBody(WebhookEndpointPatchSchema) },
        responses: { 200: jsonContent(WebhookEndpointSchema, 'The endpoint.') },
      }),
    ),
    async (c) => c.json(await updateWebhookEndpoint(serviceContext(c), id(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/webhook-endpoints/{endpointId}',
        operationId: 'deleteWebhookEndpoint',
        tags,
        summary: 'Delete a webhook endpoint',
        description: 'Its waiting messages and its delivery log go with it.',
        request: { params },
        responses: { 200: jsonContent(DeleteResultSchema, 'Deleted.') },
      }),
    ),
    async (c) => c.json(await deleteWebhookEndpoint(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/webhook-endpoints/{endpointId}/rotate-secret',
        operationId: 'rotateWebhookEndpointSecret',
        tags,
        summary: "Rotate a webhook endpoint's signing secret",
        description:
          'Returns the new secret once. For 24 hours every delivery carries two signatures (`v1,… v1,…`), under the new and the previous secret, so the receiver can switch over.',
        request: { params },
        responses: { 200: jsonContent(WebhookEndpointWithSecretSchema, 'The endpoint with its new secret.') },
      }),
    ),
    async (c) => c.json(await rotateWebhookSecret(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/webhook-endpoints/{endpointId}/test',
        operationId: 'testWebhookEndpoint',
        tags,
        summary: 'Send a test event to a webhook endpoint',
        description:
          'Sends a `webhook.test` event now and answers how the first attempt went; a failed one is retried like any message. A disabled endpoint is a 409.',
        request: { params },
        responses: { 200: jsonContent(WebhookTestResultSchema, 'The first attempt.') },
      }),
    ),
    async (c) => c.json(await testWebhookEndpoint(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/webhook-endpoints/{endpointId}/deliveries',
        operationId: 'listWebhookEndpointDeliveries',
        tags,
        summary: "A webhook endpoint's delivery attempts",
        description:
          'Every attempt, newest first: the message (`webhook-id`), the event type, the attempt number, what the endpoint answered (status, the start of the body) or why it could not be reached, how long it took and when the next attempt is. Kept 30 days.',
        request: { params, query: WebhookAttemptQuerySchema },
        responses: { 200: jsonContent(pageOf(WebhookAttemptSchema, 'WebhookAttemptPage'), 'A page of attempts.') },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageRequest({ limit: q.limit, cursor: q.cursor });
      return c.json(await listWebhookAttempts(serviceContext(c), id(c), page, { status: q.status }), 200);
    },
  );
