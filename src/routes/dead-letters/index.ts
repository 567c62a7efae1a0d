import { createRoute } from '@hono/zod-openapi';
import { DeadLetterListSchema, DeadLetterQuerySchema } from '../../contracts/dead-letters';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { listDeadLetters } from '../../services/dead-letters/dead-letters';

export const deadLettersRouter = createRouter();

deadLettersRouter.openapi(
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
);
