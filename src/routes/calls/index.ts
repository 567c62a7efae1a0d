import { createRoute, z } from '@hono/zod-openapi';
import { type Call, CallDetailSchema, CallSchema } from '../../contracts/calls';
import { QUEUE_OUTCOMES } from '../../domain/events/event-types';
import { limitAgentId } from '../../domain/key-limits';
import { csvResponse, formatQuery, jsonOrCsvContent, streamingContext, wantsCsv } from '../../http/csv';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, jsonContent, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { CALL_SORTS, SORT_ORDERS } from '../../services/calls/call-cursor';
import { callPages, getCall, listCalls } from '../../services/calls/calls';
import { CALL_CSV_COLUMNS, callCsvLines } from '../../services/calls/csv';
import { callWithin } from '../../services/key-limits/calls';
import { reachFor } from '../../services/key-limits/reach';

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
      {
        keyLimits:
          'Only calls one of its agents handled at the time (a team key: its team then; an agent key: itself); other agents’ ids ' +
          'are left out of each call; `agentId` must be one of its agents (403 otherwise).',
      },
    ),
    async (c) => {
      const { format, ...asked } = c.req.valid('query');
      const limit = keyLimit(c);
      const reach = await reachFor(serviceContext(c), limit);
      const query = reach ? { ...asked, agentId: limitAgentId(reach, asked.agentId), keyLimit: limit } : asked;
      const within = <C extends Call>(calls: C[]) => (reach ? calls.map((call) => callWithin(call, reach)) : calls);
      if (!wantsCsv(c, format)) {
        const page = await listCalls(serviceContext(c), query);
        return c.json({ ...page, data: within(page.data) }, 200);
      }
      const { limit: _pageSize, ...filters } = query;
      const { ctx, close } = streamingContext(c);
      const raw = await callPages(ctx, filters).catch(async (err) => {
        await close();
        throw err;
      });
      const pages = reach
        ? (async function* () {
            for await (const page of raw) yield within(page);
          })()
        : raw;
      if (c.req.method === 'HEAD') {
        // The body of a HEAD answer is dropped unread: nothing would ever close the stream's database handle.
        await raw.return();
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
      { keyLimits: 'A call none of its agents handled is a 404; other agents’ segments and ids are left out.' },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const limit = keyLimit(c);
      const call = await getCall(ctx, c.req.valid('param').callId, limit);
      const reach = await reachFor(ctx, limit);
      return c.json(reach ? callWithin(call, reach) : call, 200);
    },
  );
