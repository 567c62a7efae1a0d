import { createRoute, z } from '@hono/zod-openapi';
import { CallDetailSchema, CallSchema } from '../../contracts/calls';
import { QUEUE_OUTCOMES } from '../../domain/events/event-types';
import { createRouter, defineRoute, jsonContent, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { getCall, listCalls } from '../../services/calls/calls';

export const callsRouter = createRouter();
const tags = ['Calls'];

callsRouter.openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/calls',
      operationId: 'listCalls',
      tags,
      summary: 'List calls',
      description:
        'Newest first (by the first event of the call). Filters combine: a queue, an agent who handled it, a visit outcome, a time range.',
      request: {
        query: z.object({
          queueId: z.string().max(64).optional(),
          agentId: z.string().max(64).optional(),
          outcome: z
            .enum(QUEUE_OUTCOMES)
            .optional()
            .openapi({ description: 'A queue visit of the call left with this outcome.' }),
          from: z.iso
            .datetime({ offset: true })
            .optional()
            .openapi({ description: 'Calls that began at or after this instant.' }),
          to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Calls that began before this instant.' }),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(500).optional(),
        }),
      },
      responses: { 200: jsonContent(pageOf(CallSchema, 'CallPage'), 'A page of calls.') },
    }),
  ),
  async (c) => c.json(await listCalls(serviceContext(c), c.req.valid('query')), 200),
);

callsRouter.openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/calls/{callId}',
      operationId: 'getCall',
      tags,
      summary: 'Get a call',
      description:
        'The call with its queue visits, agent segments and normalized event timeline. Written by outbox flushes, so it lags ingestion by about a second.',
      request: {
        params: z.object({
          callId: z
            .string()
            .min(1)
            .max(200)
            .openapi({ param: { name: 'callId', in: 'path' } }),
        }),
      },
      responses: { 200: jsonContent(CallDetailSchema, 'The call.') },
    }),
  ),
  async (c) => c.json(await getCall(serviceContext(c), c.req.valid('param').callId), 200),
);
