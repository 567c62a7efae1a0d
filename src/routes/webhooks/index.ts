import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { IngestResultSchema } from '../../contracts/events';
import { AppError } from '../../domain/errors';
import { EventBatchSchema } from '../../domain/events/wire';
import type { AppEnv, WebhookSender } from '../../http/context';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { platformContext } from '../../http/service-context';
import { reverifyDelivery } from '../../http/webhook-auth';
import { tenantConfig } from '../../services/ingest/hot-config';
import { ingestEvents } from '../../services/ingest/ingest-events';

export const webhooksRouter = createRouter();

webhooksRouter.openapi(
  defineRoute(
    { webhook: 'generic' },
    createRoute({
      method: 'post',
      path: '/v1/webhooks/generic/{connectorId}',
      operationId: 'receiveGenericWebhook',
      tags: ['Ingestion'],
      summary: 'Receive a signed batch of events (Standard Webhooks)',
      description: `The body of \`POST /v1/events\`, signed per Standard Webhooks with the connector's \`whsec_\` secret:
\`webhook-signature: v1,base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{raw body}"))\`, timestamp within
5 minutes; several space-separated signatures are accepted (for rotation). A retried delivery is all duplicates:
2xx, no effect.`,
      request: {
        params: z.object({ connectorId: z.string().openapi({ param: { name: 'connectorId', in: 'path' } }) }),
        headers: z.object({
          'webhook-id': z.string().optional().openapi({ description: 'Unique per delivery; the same on retries.' }),
          'webhook-timestamp': z.string().optional().openapi({ description: 'Unix seconds.' }),
          'webhook-signature': z.string().optional().openapi({ description: 'Space-separated `v1,<base64>` entries.' }),
        }),
        body: jsonBody(EventBatchSchema),
      },
      responses: { 200: jsonContent(IngestResultSchema, 'One result per event.') },
    }),
  ),
  async (c) => {
    let sender = c.get('webhook');
    if (!sender) throw new Error('webhook route without its signature guard');
    const events = c.req.valid('json').events;
    const ingest = (s: WebhookSender) =>
      ingestEvents(platformContext(c, s.tenantId), {
        events,
        provider: 'generic',
        connectorId: s.connector.id,
        connectorSecret: s.sealedSecret,
        unknownKeys: s.connector.unknownKeys,
        config: tenantConfigFor(c, s),
      });
    try {
      return c.json(await ingest(sender), 200);
    } catch (err) {
      // The TenantDO no longer knows the secret that matched: verify once more against its copy.
      if (!(err instanceof AppError && err.code === 'SIGNATURE_INVALID') || sender.fresh) throw err;
      sender = await reverifyDelivery(c, 'generic');
      return c.json(await ingest(sender), 200);
    }
  },
);

function tenantConfigFor(c: Context<AppEnv>, s: WebhookSender) {
  return tenantConfig(c.env, s.tenantId, s.configVersion);
}
