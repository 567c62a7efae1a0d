import { createRoute, z } from '@hono/zod-openapi';
import { CallDetailSchema, CallSchema } from '../../contracts/calls';
import { QUEUE_OUTCOMES } from '../../domain/events/event-types';
import { csvResponse, formatQuery, jsonOrCsvContent, streamingContext, wantsCsv } from '../../http/csv';
import { createRouter, defineRoute, jsonContent, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { CALL_SORTS, SORT_ORDERS } from '../../services/calls/call-cursor';
import { callPages, getCall, listCalls } from '../../services/calls/calls';
import { CALL_CSV_COLUMNS, callCsvLines } from '../../services/calls/csv';

const tags = ['Calls'];

const instant = (description: string) => z.iso.datetime({ offset: true }).optional().openapi({ description });

export const callsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/calls',
        operationId: 'listCalls',
        tags,
        summary: 'List calls',
        description:
          'Calls with their queue visits and a handling summary (talk, hold, after-call work, transfers), enough for AHT without one request per call. ' +
          'Filters combine: a queue, an agent who handled it, a visit outcome, a window on the first event, a window on the first queue entry. ' +
          'Sorted by `sort` (the first event, or the first queue entry: then only calls that entered a queue are listed) in `order`, ties by call id. ' +
          'A cursor continues only the sort and order it came from (400 `CURSOR_MISMATCH` otherwise). ' +
          'As CSV with `format=csv` or `Accept: text/csv`: every call the filters select (from `cursor` when given; `limit` ' +
          'is ignored), streamed a page at a time, so a month of calls downloads in one request.',
        request: {
          query: z.object({
            queueId: z.string().max(64).optional(),
            agentId: z.string().max(64).optional(),
            outcome: z
              .enum(QUEUE_OUTCOMES)
              .optional()
              .openapi({ description: 'A queue visit of the call left with this outcome.' }),
            from: instant('Calls whose first event is at or after this instant.'),
            to: instant('Calls whose first event is before this instant.'),
            enqueuedFrom: instant('Calls that first entered a queue at or after this instant (`enqueuedAt`).'),
            enqueuedTo: instant('Calls that first entered a queue before this instant.'),
            sort: z
              .enum(CALL_SORTS)
              .optional()
              .openapi({
                description:
                  '`firstEventAt`, or `enqueuedAt` (lists only calls that entered a queue). Default: `enqueuedAt` when only ' +
                  '`enqueuedFrom`/`enqueuedTo` are given (the same calls, in the order of the instant filtered on), else `firstEventAt`. ' +
                  'Pages are fastest when the window and the sort are on the same instant.',
              }),
            order: z.enum(SORT_ORDERS).default('desc').openapi({ description: '`desc` (newest first) or `asc`.' }),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(1000).optional(),
            format: formatQuery,
          }),
        },
        responses: {
          200: jsonOrCsvContent(
            pageOf(CallSchema, 'CallPage'),
            'A page of calls.',
            `one line per call with the columns ${CALL_CSV_COLUMNS.map((col) => `\`${col.name}\``).join(', ')}: instants ` +
              'ISO-8601 UTC, durations in ms, `queueIds` and `agentIds` joined with `;` in the order they happened, `waitMs` ' +
              'summed over the visits, the caller only masked.',
          ),
        },
      }),
    ),
    async (c) => {
      const { format, ...query } = c.req.valid('query');
      if (!wantsCsv(c, format)) return c.json(await listCalls(serviceContext(c), query), 200);
      const { limit: _pageSize, ...filters } = query;
      const { ctx, close } = streamingContext(c);
      const pages = await callPages(ctx, filters).catch(async (err) => {
        await close();
        throw err;
      });
      if (c.req.method === 'HEAD') {
        // The body of a HEAD answer is dropped unread: nothing would ever close the stream's database handle.
        await pages.return();
        await close();
        return csvResponse(c, 'calls.csv', []);
      }
      return csvResponse(c, 'calls.csv', callCsvLines(pages), close);
    },
  )
  .openapi(
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
