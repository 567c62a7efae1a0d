import { z } from 'zod';
import { LocalDate, Timestamp } from './common';

/** At most a week of training in one record. */
export const MAX_TRAINING_HOURS = 24 * 7;
/** Records one request adds or replaces. */
export const MAX_TRAINING_RECORDS_PER_REQUEST = 500;

const examScore = z.number().finite().min(0);

const fields = {
  agentId: z.string().min(1).max(64),
  course: z.string().trim().min(1).max(200).describe('The course or programme, as your training system names it.'),
  completedOn: LocalDate.describe('The day it was completed, in the tenant’s time zone; not after today.'),
  hours: z.number().finite().gt(0).max(MAX_TRAINING_HOURS).describe(`Hours of training (up to ${MAX_TRAINING_HOURS}: a week).`),
  examScore: examScore.nullable().describe('The exam’s score, from 0 to `examMaxScore`; null: no exam.'),
  examMaxScore: z.number().finite().gt(0).max(1_000_000).describe('The exam’s maximum score (default 100).'),
};

/** A score above the exam's maximum is refused where it is, whatever else is wrong with the record. */
function scoreWithinMax(r: { examScore?: number | null | undefined; examMaxScore?: number | undefined }, ctx: z.RefinementCtx) {
  const max = r.examMaxScore ?? 100;
  if (typeof r.examScore === 'number' && r.examScore > max) {
    ctx.addIssue({ code: 'custom', path: ['examScore'], message: `At most \`examMaxScore\` (${max}).` });
  }
}

export const TrainingRecordInputSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/)
      .optional()
      .describe('Your own id of the record (letters, digits, `._:-`): sending it again replaces it (default: a new `trn_…` id).'),
    agentId: fields.agentId,
    course: fields.course,
    completedOn: fields.completedOn,
    hours: fields.hours,
    examScore: fields.examScore.default(null),
    examMaxScore: fields.examMaxScore.default(100),
  })
  .superRefine(scoreWithinMax)
  .meta({ id: 'TrainingRecordInput' });
export type TrainingRecordInput = z.infer<typeof TrainingRecordInputSchema>;

export const TrainingRecordsBulkSchema = z
  .strictObject({
    records: z.array(TrainingRecordInputSchema).min(1).meta({ maxItems: MAX_TRAINING_RECORDS_PER_REQUEST }),
  })
  // Counted here rather than by `.max()`: a union gives up on a branch that failed a length check and reports
  // "invalid input" at the top instead of this.
  .superRefine((b, ctx) => {
    if (b.records.length > MAX_TRAINING_RECORDS_PER_REQUEST) {
      ctx.addIssue({
        code: 'custom',
        path: ['records'],
        message: `At most ${MAX_TRAINING_RECORDS_PER_REQUEST} records per request.`,
      });
    }
  })
  .meta({ id: 'TrainingRecordsBulk' });

/** One record, or `{ records: [...] }`. */
export const TrainingRecordsPostSchema = z.union([TrainingRecordsBulkSchema, TrainingRecordInputSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'One training record, or `{"records": [...]}`.' : undefined),
});
export type TrainingRecordsPost = z.infer<typeof TrainingRecordsPostSchema>;

export const TrainingRecordPatchSchema = z
  .strictObject({
    agentId: fields.agentId.optional(),
    course: fields.course.optional(),
    completedOn: fields.completedOn.optional(),
    hours: fields.hours.optional(),
    examScore: fields.examScore.optional(),
    examMaxScore: fields.examMaxScore.optional(),
  })
  .meta({ id: 'TrainingRecordPatch' });
export type TrainingRecordPatch = z.infer<typeof TrainingRecordPatchSchema>;

export const TrainingRecordSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    course: z.string(),
    completedOn: LocalDate,
    hours: z.number(),
    examScore: z.number().nullable(),
    examMaxScore: z.number(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'TrainingRecord' });
export type TrainingRecordOut = z.infer<typeof TrainingRecordSchema>;

/** At most this many days between `from` and `to`. */
export const MAX_TRAINING_RANGE_DAYS = 366;

export const TrainingRecordListQuerySchema = z.object({
  from: LocalDate.describe('First day (`completedOn` on or after).'),
  to: LocalDate.describe(`Last day, exclusive; at most ${MAX_TRAINING_RANGE_DAYS} days after \`from\`.`),
  agentId: z.string().min(1).max(64).optional(),
  teamId: z.string().min(1).max(64).optional().describe('The agents in this team on the day of each record.'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Page size (1–500).'),
  cursor: z.string().min(1).max(400).optional().describe('`nextCursor` from the previous page.'),
});
export type TrainingRecordListQuery = z.infer<typeof TrainingRecordListQuerySchema>;
