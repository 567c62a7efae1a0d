import { createRoute, z } from '@hono/zod-openapi';
import {
  AttendanceQuerySchema,
  AttendanceSchema,
  type ShiftInput,
  ShiftSchema,
  ShiftSelectionFields,
  ShiftsUpsertSchema,
} from '../../contracts/schedules';
import { limitAgentId, limitTeamId } from '../../domain/key-limits';
import { SHIFT_CSV_COLUMNS } from '../../domain/people/shifts-csv';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam, jsonContent } from '../../http/openapi';
import { ProblemError } from '../../http/problem';
import { serviceContext } from '../../http/service-context';
import { reachFor } from '../../services/key-limits/reach';
import { attendance, deleteShift, listShifts, upsertShifts } from '../../services/schedules/schedules';
import { MAX_CSV_SHIFTS, upsertShiftsCsv } from '../../services/schedules/shifts-csv';

const tags = ['Schedules'];
const ShiftListSchema = z.object({ data: z.array(ShiftSchema) }).meta({ id: 'ShiftList' });

const csvColumns = SHIFT_CSV_COLUMNS.map((c) => `- \`${c.name}\`${c.required ? ' (required)' : ''}: ${c.description}`).join('\n');
const CSV_EXAMPLE = [
  'shiftId,agent,start,end,activity,activityStart,activityEnd',
  'ada-0302,agt_01jx2c8v3m0000000000000000,2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,lunch,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z',
  'ada-0302,,,,break,2026-03-02T14:00:00Z,2026-03-02T14:15:00Z',
  'bo-0302,sip:1002,2026-03-02T12:00:00Z,2026-03-02T20:00:00Z,,,',
].join('\n');
const isCsv = (contentType: string | undefined) => /^text\/csv\s*(;|$)/i.test(contentType ?? '');

export const schedulesRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/schedules',
        operationId: 'upsertShifts',
        tags,
        summary: 'Add or replace scheduled shifts',
        description: `Up to ${MAX_CSV_SHIFTS} shifts at once, all or none: each an agent’s span (at most 24 h) and the activities within it (break, lunch, training, meeting, offline work; the rest is on queue). A shift sent again with its \`id\` replaces it. Refused with a pointer for each problem (an end before the start, an activity outside the shift or overlapping another, an unknown agent, the same id twice).

As JSON (\`{"shifts": […]}\`), or as CSV (\`Content-Type: text/csv\`, RFC 4180, UTF-8, at most 1 MiB) the way workforce tools export schedules: a header naming the columns in any order, then one row per shift or per activity — rows with the same \`shiftId\` are one shift, the shift’s columns repeated on each (they must agree) or given once. The same checks, all or none; each problem points at \`/rows/<line>/<column>\` (line 1 is the header; \`/header/<column>\` for the header). Columns:

${csvColumns}

\`\`\`csv
${CSV_EXAMPLE}
\`\`\``,
        request: {
          body: {
            // Not `required` for the validator's sake: a required JSON body would be checked even when the body is CSV.
            required: false,
            content: {
              'application/json': { schema: ShiftsUpsertSchema },
              'text/csv': { schema: z.string().openapi({ example: CSV_EXAMPLE }) },
            },
          },
        },
        responses: { 200: jsonContent(ShiftListSchema, 'The shifts as stored.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      if (isCsv(c.req.header('content-type'))) return c.json({ data: await upsertShiftsCsv(ctx, await c.req.text()) }, 200);
      const body = c.req.valid('json') as { shifts?: ShiftInput[] };
      if (!body.shifts) {
        throw new ProblemError('UNSUPPORTED_MEDIA_TYPE', 'Send the shifts as JSON (`{"shifts": […]}`) or as CSV (`text/csv`).');
      }
      return c.json({ data: await upsertShifts(ctx, body.shifts) }, 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/schedules',
        operationId: 'listShifts',
        tags,
        summary: 'Scheduled shifts starting in a range, or of a local date',
        description:
          'Shifts starting in `[from, to)`, or with `date` those of that local date — each shift’s in the zone of its agent’s site as of its start (the site’s `timeZone`, else the tenant’s); `siteId` keeps the agents of a site as of each start (docs/attendance.md).',
        request: {
          query: z.object(ShiftSelectionFields),
        },
        responses: { 200: jsonContent(ShiftListSchema, 'The shifts, by start.') },
      }),
      {
        keyLimits:
          "A team key's: shifts of its team's agents as of each shift's start; an agent key's: its own. `agentId` must be one of its agents (403).",
      },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = c.req.valid('query');
      const reach = await reachFor(ctx, keyLimit(c));
      if (!reach) return c.json({ data: await listShifts(ctx, q) }, 200);
      const shifts = await listShifts(ctx, { ...q, agentId: limitAgentId(reach, q.agentId) });
      return c.json({ data: shifts.filter((s) => reach.sees(s.agentId, Date.parse(s.start))) }, 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/schedules/{shiftId}',
        operationId: 'deleteShift',
        tags,
        summary: 'Delete a scheduled shift',
        request: { params: IdParam('shiftId', 'shf_01jx2c8v3m0000000000000000') },
        responses: { 200: jsonContent(z.object({ id: z.string(), outcome: z.literal('deleted') }), 'Deleted.') },
      }),
    ),
    async (c) => c.json(await deleteShift(serviceContext(c), c.req.valid('param').shiftId as string), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/attendance',
        operationId: 'getAttendance',
        tags,
        summary: 'Attendance, adherence and conformance of scheduled shifts',
        description:
          'For each shift starting in the range (or, with `date`, of that local date in the zone of its agent’s site, else the tenant’s — each shift says its `date` and `timeZone`), from the agent’s state intervals: attended or absent, minutes late and left early (beyond the grace), adherence (time in the state the schedule asks for, Genesys-style, with the exceptions) and conformance (实际工作率: on-queue time worked / scheduled, may exceed 100 %); and per agent 出勤率 (shifts attended / ended), late arrivals, early leaves, absences, adherence and conformance (docs/attendance.md).',
        request: { query: AttendanceQuerySchema },
        responses: { 200: jsonContent(AttendanceSchema, 'The shifts and the agents’ totals.') },
      }),
      {
        keyLimits:
          "A team key's: its team (`teamId` set to it; another is a 403); an agent key's: its own shifts. `agentId` must be one of its agents (403).",
      },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = c.req.valid('query');
      const reach = await reachFor(ctx, keyLimit(c));
      const limited = reach ? { ...q, teamId: limitTeamId(reach, q.teamId), agentId: limitAgentId(reach, q.agentId) } : q;
      return c.json(await attendance(ctx, limited), 200);
    },
  );
