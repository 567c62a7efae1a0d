import { createRoute } from '@hono/zod-openapi';
import { DeleteResultSchema } from '../../contracts/common';
import {
  ConnectorCreateSchema,
  ConnectorPatchSchema,
  ConnectorSchema,
  ConnectorWithSecretSchema,
} from '../../contracts/connectors';
import {
  DeliveryQuerySchema,
  DeliverySchema,
  RENORMALIZE_PAGE,
  RenormalizeRequestSchema,
  RenormalizeResultSchema,
} from '../../contracts/deliveries';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import {
  createConnector,
  deleteConnector,
  getConnector,
  listConnectors,
  rotateConnectorSecret,
  updateConnector,
} from '../../services/connectors/connectors';
import { listDeliveries, renormalizeDeliveries } from '../../services/connectors/deliveries';
import { pageRequest } from '../../services/pagination';

const tags = ['Connectors'];
const params = IdParam('connectorId', 'con_01jx2c8v3m0000000000000000_01jx2c8v3m0000000000000000');
const id = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').connectorId as string;

export const connectorsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/connectors',
        operationId: 'listConnectors',
        tags,
        summary: 'List connectors',
        request: { query: ListQuerySchema.omit({ includeArchived: true }) },
        responses: { 200: jsonContent(pageOf(ConnectorSchema, 'ConnectorPage'), 'A page of connectors.') },
      }),
    ),
    async (c) => c.json(await listConnectors(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/connectors',
        operationId: 'createConnector',
        tags,
        summary: 'Create a connector',
        description: 'Returns the signing secret once; it is stored sealed (AES-GCM) under the platform key.',
        request: { body: jsonBody(ConnectorCreateSchema) },
        responses: { 201: jsonContent(ConnectorWithSecretSchema, 'The connector with its secret.') },
      }),
    ),
    async (c) => {
      const created = await createConnector(serviceContext(c), c.req.valid('json'));
      c.header('Location', `/v1/connectors/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/connectors/{connectorId}',
        operationId: 'getConnector',
        tags,
        summary: 'Get a connector',
        request: { params },
        responses: { 200: jsonContent(ConnectorSchema, 'The connector (without its secret).') },
      }),
    ),
    async (c) => c.json(await getConnector(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/connectors/{connectorId}',
        operationId: 'updateConnector',
        tags,
        summary: 'Update a connector',
        description: 'Mappings replace the whole map when sent. Disabling takes effect within seconds.',
        request: { params, body: jsonBody(ConnectorPatchSchema) },
        responses: { 200: jsonContent(ConnectorSchema, 'The connector.') },
      }),
    ),
    async (c) => c.json(await updateConnector(serviceContext(c), id(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/connectors/{connectorId}',
        operationId: 'deleteConnector',
        tags,
        summary: 'Delete a connector',
        request: { params },
        responses: { 200: jsonContent(DeleteResultSchema, 'Deleted.') },
      }),
    ),
    async (c) => c.json(await deleteConnector(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/connectors/{connectorId}/rotate-secret',
        operationId: 'rotateConnectorSecret',
        tags,
        summary: "Rotate a connector's signing secret",
        description: 'Returns the new secret once. The previous secret keeps verifying for 24 hours.',
        request: { params },
        responses: { 200: jsonContent(ConnectorWithSecretSchema, 'The connector with its new secret.') },
      }),
    ),
    async (c) => c.json(await rotateConnectorSecret(serviceContext(c), id(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/connectors/{connectorId}/deliveries',
        operationId: 'listConnectorDeliveries',
        tags,
        summary: "A connector's recent deliveries",
        description: `Every request the connector's webhook received, newest first, with its outcome (accepted, partial,
rejected and why), what it mapped to, and its raw body — kept for the tenant's \`rawRetentionDays\`. For debugging a
provider's setup: a wrong URL or secret shows as \`SIGNATURE_INVALID\`, an unmapped queue as \`unknown_queue_key\`.`,
        request: { params, query: DeliveryQuerySchema },
        responses: { 200: jsonContent(pageOf(DeliverySchema, 'DeliveryPage'), 'A page of deliveries.') },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      const page = pageRequest({ limit: q.limit, cursor: q.cursor });
      return c.json(await listDeliveries(serviceContext(c), id(c), page, q), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/connectors/{connectorId}/renormalize',
        operationId: 'renormalizeConnectorDeliveries',
        tags,
        summary: "Normalize a connector's deliveries again",
        description: `After an adapter fix: the verified deliveries received in \`[from, to)\` go through the provider's
adapter again. Only what changed takes effect — an event with the same content is unchanged, a changed one replaces
the old content (its call is projected again), a newly mapped one is accepted. Safe to repeat. At most
${RENORMALIZE_PAGE} deliveries per request; \`nextFrom\` says where to continue.`,
        request: { params, body: jsonBody(RenormalizeRequestSchema) },
        responses: { 200: jsonContent(RenormalizeResultSchema, 'What changed.') },
      }),
    ),
    async (c) => c.json(await renormalizeDeliveries(serviceContext(c), id(c), c.req.valid('json')), 200),
  );
