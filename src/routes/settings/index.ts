import { createRoute } from '@hono/zod-openapi';
import { TenantSettingsPatchSchema, TenantSettingsSchema } from '../../domain/settings';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { getSettings, updateSettings } from '../../services/settings/settings';

const tags = ['Settings'];

export const settingsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/settings',
        tags,
        summary: "Get the tenant's settings",
        operationId: 'getSettings',
        responses: {
          200: jsonContent(
            TenantSettingsSchema,
            'Time zone, service-level policy, FCR window, stale-visit and retention settings.',
          ),
        },
      }),
      { keyLimits: 'Configuration (time zone, policies), no one’s personal data: the same for every key.' },
    ),
    async (c) => c.json(await getSettings(serviceContext(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/settings',
        tags,
        summary: "Change the tenant's settings",
        operationId: 'updateSettings',
        description:
          'Only the fields sent change; `serviceLevel` fields merge one by one. KPIs derive judgements from the current policy, so a change applies to history too.',
        request: { body: jsonBody(TenantSettingsPatchSchema) },
        responses: { 200: jsonContent(TenantSettingsSchema, 'The settings after the change.') },
      }),
    ),
    async (c) => c.json(await updateSettings(serviceContext(c), c.req.valid('json')), 200),
  );
