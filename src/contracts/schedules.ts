import { z } from 'zod';
import { ACTIVITY_TYPES } from '../domain/people/attendance';
import { LocalDate, Timestamp } from './common';

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

/** Which shifts: a range of start instants, or a local date — each shift's in the zone of its agent's site (docs/attendance.md). */
export const ShiftSelectionFields = {
  from: Timestamp.optional().describe('Shifts starting at or after (with `to`; or give `date`).'),
  to: Timestamp.optional().describe('Shifts starting before; at most 62 days after `from`.'),
  date: LocalDate.optional().describe(
    'Instead of `from`/`to`: the shifts of this local date, each in the zone of its agent’s site as of its start (the site’s `timeZone`, else the tenant’s).',
  ),
  agentId: z.string().min(1).max(64).optional(),
  siteId: z.string().min(1).max(64).optional().describe('The agents of this site (as of each shift’s start).'),
};

export const AttendanceQuerySchema = z.object({
  ...ShiftSelectionFields,
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
        date: LocalDate.describe('The local date of the start in `timeZone`: the day the shift belongs to.'),
        timeZone: z.string().describe('The zone of the agent’s site as of the start (the site’s `timeZone`), else the tenant’s.'),
        siteId: z.string().nullable().describe('The agent’s site as of the start.'),
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
