import { createRoute } from '@hono/zod-openapi';
import { IngestResultSchema } from '../../contracts/events';
import { EventBatchSchema } from '../../domain/events/wire';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { tenantConfig } from '../../services/ingest/hot-config';
import { ingestEvents } from '../../services/ingest/ingest-events';

export const eventsRouter = createRouter().openapi(
  defineRoute(
    { scope: 'ingest' },
    createRoute({
      method: 'post',
      path: '/v1/events',
      operationId: 'ingestEvents',
      tags: ['Ingestion'],
      summary: 'Send normalized events',
      description: `Up to 1,000 normalized events. Each event carries your own deterministic \`id\`: a repeat is a \`duplicate\`
with no effect (within one batch too: the first copy counts), so retrying a whole batch is always safe. Queues and
agents are named by Callboard id or by their external keys. The answer comes once every accepted event is durable; a
503 means retry. An id that is not one of your queues/agents (a transfer's \`toQueueId\`/\`toAgentId\` too) refuses
the whole batch (404, nothing written); an unknown external key rejects just that event. Text with U+0000 or a lone
UTF-16 surrogate is refused (422, pointing at the field).`,
      request: { body: jsonBody(EventBatchSchema) },
      responses: { 200: jsonContent(IngestResultSchema, 'One result per event.') },
    }),
  ),
  async (c) => {
    const ctx = serviceContext(c);
    const principal = c.get('principal');
    const config = await tenantConfig(c.env, ctx.tenantId, principal?.configVersion ?? 0);
    const result = await ingestEvents(ctx, {
      events: c.req.valid('json').events,
      provider: 'generic',
      connectorId: null,
      connectorSecret: null,
      unknownKeys: 'reject',
      config,
    });
    return c.json(result, 200);
  },
);
