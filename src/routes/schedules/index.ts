import { createRoute, z } from '@hono/zod-openapi';
import { Timestamp } from '../../contracts/common';
import { AttendanceQuerySchema, AttendanceSchema, ShiftSchema, ShiftsUpsertSchema } from '../../contracts/schedules';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { attendance, deleteShift, listShifts, upsertShifts } from '../../services/schedules/schedules';

const tags = ['Schedules'];
const ShiftListSchema = z.object({ data: z.array(ShiftSchema) }).meta({ id: 'ShiftList' });

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
        description:
          'Up to 500 shifts at once, all or none: each an agent’s span (at most 24 h) and the activities within it (break, lunch, training, meeting, offline work; the rest is on queue). A shift sent again with its `id` replaces it. Refused with a pointer for each problem (an end before the start, an activity outside the shift or overlapping another, an unknown agent).',
        request: { body: jsonBody(ShiftsUpsertSchema) },
        responses: { 200: jsonContent(ShiftListSchema, 'The shifts as stored.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json({ data: await upsertShifts(serviceContext(c), c.req.valid('json').shifts) }, 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/schedules',
        operationId: 'listShifts',
        tags,
        summary: 'Scheduled shifts starting in a range',
        request: {
          query: z.object({
            from: Timestamp,
            to: Timestamp.openapi({ description: 'Exclusive; at most 62 days after `from`.' }),
            agentId: z.string().min(1).max(64).optional(),
          }),
        },
        responses: { 200: jsonContent(ShiftListSchema, 'The shifts, by start.') },
      }),
    ),
    async (c) => c.json({ data: await listShifts(serviceContext(c), c.req.valid('query')) }, 200),
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
          'For each shift starting in the range, from the agent’s state intervals: attended or absent, minutes late and left early (beyond the grace), adherence (time in the state the schedule asks for, Genesys-style, with the exceptions) and conformance (实际工作率: on-queue time worked / scheduled, may exceed 100 %); and per agent 出勤率 (shifts attended / ended), late arrivals, early leaves, absences, adherence and conformance (docs/attendance.md).',
        request: { query: AttendanceQuerySchema },
        responses: { 200: jsonContent(AttendanceSchema, 'The shifts and the agents’ totals.') },
      }),
    ),
    async (c) => c.json(await attendance(serviceContext(c), c.req.valid('query')), 200),
  );
