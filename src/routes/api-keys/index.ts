import { createRoute, z } from '@hono/zod-openapi';
import { ApiKeyCreateSchema, ApiKeySchema, CreatedApiKeySchema } from '../../contracts/api-keys';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { createApiKey } from '../../services/api-keys/create-api-key';
import { getApiKey, listApiKeys } from '../../services/api-keys/list-api-keys';
import { revokeApiKey } from '../../services/api-keys/revoke-api-key';
import { pageRequest } from '../../services/pagination';

const tags = ['API keys'];
const params = IdParam('keyId', 'key_01jx2c8v3m0000000000000000');

export const apiKeysRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/api-keys',
        tags,
        summary: 'List API keys',
        operationId: 'listApiKeys',
        description: 'Oldest first. Secrets are never returned, only their prefix. Revoked keys with `includeRevoked=true`.',
        request: {
          query: ListQuerySchema.omit({ includeArchived: true }).extend({
            includeRevoked: z.enum(['true', 'false']).default('false'),
          }),
        },
        responses: { 200: jsonContent(pageOf(ApiKeySchema, 'ApiKeyPage'), 'A page of keys.') },
      }),
    ),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listApiKeys(serviceContext(c), {
        ...pageRequest(query),
        includeRevoked: query.includeRevoked === 'true',
      });
      return c.json(page, 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/api-keys',
        tags,
        summary: 'Create an API key',
        operationId: 'createApiKey',
        description: 'The response carries the key itself, once. Only its SHA-256 is stored.',
        request: { body: jsonBody(ApiKeyCreateSchema) },
        responses: { 201: jsonContent(CreatedApiKeySchema, 'The new key, with its secret.') },
      }),
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const created = await createApiKey(ctx, c.req.valid('json'), c.get('principal')?.keyId ?? 'unknown');
      c.header('Location', `/v1/api-keys/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/api-keys/{keyId}',
        tags,
        summary: 'Get an API key',
        operationId: 'getApiKey',
        request: { params },
        responses: { 200: jsonContent(ApiKeySchema, 'The key (without its secret).') },
      }),
    ),
    async (c) => c.json(await getApiKey(serviceContext(c), c.req.valid('param').keyId as string), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/api-keys/{keyId}',
        tags,
        summary: 'Revoke an API key',
        operationId: 'revokeApiKey',
        description: 'Effective on the next request made with it. Revoking twice is harmless.',
        request: { params },
        responses: { 200: jsonContent(ApiKeySchema, 'The revoked key.') },
      }),
    ),
    async (c) => c.json(await revokeApiKey(serviceContext(c), c.req.valid('param').keyId as string), 200),
  );
