import { z } from 'zod';
import { ACTIVITY_TYPES } from '../domain/people/attendance';
import { Timestamp } from './common';

const ActivitySchema = z.strictObject({
  type: z.enum(ACTIVITY_TYPES),
  start: Timestamp,
  end: Timestamp,
});

export const ShiftInputSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/)
      .optional()
      .describe('Your own id of the shift: sending it again replaces it (default: a new id).'),
    agentId: z.string().min(1).max(64),
    start: Timestamp,
    end: Timestamp,
    activities: z
      .array(ActivitySchema)
      .max(50)
      .default([])
      .describe('Breaks, lunch, training… within the shift, not overlapping; the rest of the shift is on queue.'),
  })
  .meta({ id: 'ShiftInput' });
export type ShiftInput = z.infer<typeof ShiftInputSchema>;

export const ShiftsUpsertSchema = z
  .strictObject({ shifts: z.array(ShiftInputSchema).min(1).max(500) })
  .meta({ id: 'ShiftsUpsert' });

export const ShiftSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    start: Timestamp,
    end: Timestamp,
    activities: z.array(ActivitySchema),
  })
  .meta({ id: 'Shift' });
export type ShiftOut = z.infer<typeof ShiftSchema>;

export const AttendanceQuerySchema = z.object({
  from: Timestamp.describe('Shifts starting at or after.'),
  to: Timestamp.describe('Shifts starting before; at most 62 days after `from`.'),
  agentId: z.string().min(1).max(64).optional(),
  teamId: z.string().min(1).max(64).optional().describe('The agents of this team (as of each shift’s start).'),
  lateGraceMinutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(120)
    .optional()
    .describe(
      'For this request: arriving within this many minutes after the start is not late (default the tenant’s `attendance` setting).',
    ),
  earlyLeaveGraceMinutes: z.coerce.number().int().min(0).max(120).optional().describe('For this request (default the tenant’s).'),
});

const ratio = z.object({ value: z.number().nullable(), numerator: z.number(), denominator: z.number() });

export const AttendanceSchema = z
  .object({
    shifts: z.array(
      z.object({
        shiftId: z.string(),
        agentId: z.string(),
        start: Timestamp,
        end: Timestamp,
        status: z.enum(['upcoming', 'in_progress', 'attended', 'absent']),
        firstPresentAt: Timestamp.nullable(),
        lastPresentAt: Timestamp.nullable(),
        lateMinutes: z.number().int(),
        late: z.boolean(),
        earlyLeaveMinutes: z.number().int(),
        leftEarly: z.boolean(),
        adherence: ratio.describe('Time in the state the schedule asks for / scheduled time so far (ms).'),
        conformance: ratio.describe(
          '实际工作率: on-queue time worked around the shift / on-queue time scheduled (may exceed 1).',
        ),
        exceptions: z.array(z.object({ start: Timestamp, end: Timestamp, scheduled: z.string(), actual: z.string() })),
      }),
    ),
    agents: z.array(
      z.object({
        agentId: z.string(),
        shifts: z.number().int().describe('Shifts that have ended.'),
        attendanceRate: ratio.describe('出勤率: shifts attended / shifts ended.'),
        lateArrivals: z.number().int(),
        earlyLeaves: z.number().int(),
        absences: z.number().int(),
        adherence: ratio,
        conformance: ratio,
      }),
    ),
  })
  .meta({ id: 'Attendance' });
export type Attendance = z.infer<typeof AttendanceSchema>;
