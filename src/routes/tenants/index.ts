import { createRoute, z } from '@hono/zod-openapi';
import { ApiKeyCreateSchema, CreatedApiKeySchema } from '../../contracts/api-keys';
import { CreatedTenantSchema, TenantCreateSchema, TenantSchema } from '../../contracts/tenants';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { platformContext, requestServices } from '../../http/service-context';
import { createApiKey } from '../../services/api-keys/create-api-key';
import { reencryptConnectorSecrets } from '../../services/connectors/connectors';
import { reencryptTenantDatabase } from '../../services/tenant-databases/tenant-databases';
import { createTenant } from '../../services/tenants/create-tenant';
import { getTenant } from '../../services/tenants/get-tenant';
import { resyncTenant } from '../../services/tenants/resync-tenant';
import { reencryptWebhookSecrets } from '../../services/webhook-endpoints/endpoints';
import { tenantIdParams, tenantParam } from './params';

const tags = ['Platform'];
const params = tenantIdParams;

export const tenantsRouter = createRouter()
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'post',
        path: '/v1/tenants',
        tags,
        summary: 'Create a tenant',
        operationId: 'createTenant',
        description: 'Platform operator only. Returns the tenant and its first admin API key (shown once).',
        request: { body: jsonBody(TenantCreateSchema) },
        responses: { 201: jsonContent(CreatedTenantSchema, 'The tenant and its first admin key.') },
      }),
    ),
    async (c) => {
      const created = await createTenant(requestServices(c), c.req.valid('json'));
      c.header('Location', `/v1/tenants/${created.tenant.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'get',
        path: '/v1/tenants/{tenantId}',
        tags,
        summary: 'Get a tenant',
        operationId: 'getTenant',
        request: { params },
        responses: { 200: jsonContent(TenantSchema, 'The tenant.') },
      }),
    ),
    async (c) => c.json(await getTenant(platformContext(c, tenantParam(c.req.valid('param').tenantId))), 200),
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'post',
        path: '/v1/tenants/{tenantId}/api-keys',
        tags,
        summary: 'Issue a key for a tenant',
        operationId: 'issueTenantApiKey',
        description: 'Platform operator only: recovers a tenant that lost its admin keys.',
        request: { params, body: jsonBody(ApiKeyCreateSchema) },
        responses: { 201: jsonContent(CreatedApiKeySchema, 'The new key, with its secret.') },
      }),
    ),
    async (c) => {
      const ctx = platformContext(c, tenantParam(c.req.valid('param').tenantId));
      await getTenant(ctx);
      const created = await createApiKey(ctx, c.req.valid('json'), 'platform');
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'post',
        path: '/v1/tenants/{tenantId}/resync',
        tags,
        summary: "Rebuild a tenant's hot-path configuration",
        operationId: 'resyncTenant',
        description:
          "Rewrites the tenant's Durable Object configuration (keys, settings, connectors, webhook endpoints) from Postgres.",
        request: { params },
        responses: {
          200: jsonContent(
            z
              .object({
                tenantId: z.string(),
                apiKeys: z.number().int(),
                configVersion: z.number().int(),
                webhookEndpoints: z.number().int().describe("Webhook endpoints written to the tenant's webhook sender."),
              })
              .openapi('ResyncResult'),
            'What was written.',
          ),
        },
      }),
    ),
    async (c) => c.json(await resyncTenant(platformContext(c, tenantParam(c.req.valid('param').tenantId))), 200),
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'post',
        path: '/v1/tenants/{tenantId}/reencrypt',
        operationId: 'reencryptTenantSecrets',
        tags,
        summary: "Re-seal a tenant's connector and webhook secrets under the current platform key",
        description:
          'After putting a new key first in PLATFORM_KEYS: every secret sealed under an older key is opened and sealed again.',
        request: { params },
        responses: {
          200: jsonContent(
            z
              .object({
                tenantId: z.string(),
                reencrypted: z.number().int().describe('Connectors whose secrets were re-sealed under the current platform key.'),
                total: z.number().int(),
                webhookEndpoints: z
                  .object({ reencrypted: z.number().int(), total: z.number().int() })
                  .describe("Webhook endpoints whose signing secrets were re-sealed, of the tenant's endpoints."),
                database: z
                  .object({ reencrypted: z.number().int(), total: z.number().int() })
                  .describe("The tenant's own database (its two connection strings), if it has one: re-sealed or not."),
                deliveryBodies: z
                  .object({ resealed: z.number().int(), remaining: z.number().int() })
                  .describe(
                    "The delivery log's exact bodies re-sealed under the current key, at most 1,000 per call: call again while `remaining` > 0.",
                  ),
              })
              .openapi('ReencryptResult'),
            'How many secrets were re-sealed.',
          ),
        },
      }),
    ),
    async (c) => {
      const ctx = platformContext(c, tenantParam(c.req.valid('param').tenantId));
      await getTenant(ctx);
      const connectors = await reencryptConnectorSecrets(ctx);
      return c.json(
        { ...connectors, webhookEndpoints: await reencryptWebhookSecrets(ctx), database: await reencryptTenantDatabase(ctx) },
        200,
      );
    },
  );
