import { createRoute } from '@hono/zod-openapi';
import {
  DeadLetterListSchema,
  DeadLetterQuerySchema,
  DeadLettersDiscardedSchema,
  DeadLettersRetriedSchema,
} from '../../contracts/dead-letters';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { discardDeadLetters, listDeadLetters, retryDeadLetters } from '../../services/dead-letters/dead-letters';

export const deadLettersRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'get',
        path: '/v1/dead-letters',
        operationId: 'listDeadLetters',
        tags: ['Operations'],
        summary: 'Rows Postgres refused',
        description:
          'Events and records the history flush could not write because Postgres refused their content (SQLSTATE classes 22, 23, 54: e.g. U+0000 or a lone surrogate in text). Each was set aside so the rows behind it could be written; nothing else is held back. Newest first, from the tenant and every queue; works while Postgres is down.',
        request: { query: DeadLetterQuerySchema },
        responses: { 200: jsonContent(DeadLetterListSchema, 'The dead letters.') },
      }),
    ),
    async (c) => c.json(await listDeadLetters(serviceContext(c), c.req.valid('query').limit), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/dead-letters/retry',
        operationId: 'retryDeadLetters',
        tags: ['Operations'],
        summary: 'Write the dead letters again',
        description:
          'Puts every dead letter back into its outbox, to be written within a second — for after a fix, when Postgres may take them. Those it still refuses become dead letters again (once each).',
        responses: { 200: jsonContent(DeadLettersRetriedSchema, 'How many were put back.') },
      }),
    ),
    async (c) => c.json(await retryDeadLetters(serviceContext(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/dead-letters',
        operationId: 'discardDeadLetters',
        tags: ['Operations'],
        summary: 'Forget the dead letters',
        description: 'Removes every dead letter of the tenant; they will never be written.',
        responses: { 200: jsonContent(DeadLettersDiscardedSchema, 'How many were forgotten.') },
      }),
    ),
    async (c) => c.json(await discardDeadLetters(serviceContext(c)), 200),
  );
