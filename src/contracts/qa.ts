import { z } from 'zod';
import { QaFormBodySchema } from '../domain/people/qa';
import { NameSchema, Timestamp } from './common';

export const QaFormCreateSchema = QaFormBodySchema.extend({ name: NameSchema }).meta({ id: 'QaFormCreate' });
export type QaFormCreate = z.infer<typeof QaFormCreateSchema>;

export const QaFormVersionCreateSchema = QaFormBodySchema.omit({ name: true }).meta({ id: 'QaFormVersionCreate' });
export type QaFormVersionCreate = z.infer<typeof QaFormVersionCreateSchema>;

const versionMeta = {
  version: z.number().int().min(1),
  createdAt: Timestamp,
  createdBy: z.string().describe('The API key that published it.'),
};

export const QaFormVersionSchema = QaFormBodySchema.omit({ name: true }).extend(versionMeta).meta({ id: 'QaFormVersion' });
export type QaFormVersionOut = z.infer<typeof QaFormVersionSchema>;

export const QaFormSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    current: QaFormVersionSchema.describe('The newest version: new evaluations use it unless they name another.'),
    versions: z.array(z.object(versionMeta)).describe('Every version, oldest first.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'QaForm' });
export type QaFormOut = z.infer<typeof QaFormSchema>;

export const QaAnswerSchema = z
  .union([z.boolean(), z.number().int().min(0).max(10), z.literal('na')])
  .describe('yes/no: true or false; a scale: 0..its maximum; "na" where the question allows it.');

const answers = z.record(z.string().min(1).max(40), QaAnswerSchema).describe('By question id.');
const comment = z.string().trim().min(1).max(2000);

export const QA_STATUSES = ['draft', 'submitted', 'acknowledged', 'disputed', 'resolved'] as const;

export const QaEvaluationCreateSchema = z
  .strictObject({
    formId: z.string().min(1).max(64),
    formVersion: z.number().int().min(1).optional().describe('Default: the form’s newest version.'),
    callId: z.string().min(1).max(200).describe('The call evaluated (`GET /v1/calls/{callId}`).'),
    agentId: z.string().min(1).max(64),
    purpose: z
      .enum(['review', 'calibration'])
      .default('review')
      .describe('`calibration`: several evaluators score the same call to compare themselves; not part of the agent’s QA score.'),
    answers: answers.default({}),
    comment: comment.optional(),
    submit: z.boolean().default(false).describe('Submit at once (every question answered); else a draft.'),
  })
  .meta({ id: 'QaEvaluationCreate' });
export type QaEvaluationCreate = z.infer<typeof QaEvaluationCreateSchema>;

export const QaEvaluationPatchSchema = z
  .strictObject({ answers: answers.optional(), comment: comment.nullable().optional() })
  .meta({ id: 'QaEvaluationPatch' });
export type QaEvaluationPatch = z.infer<typeof QaEvaluationPatchSchema>;

export const QaDisputeSchema = z.strictObject({ comment }).meta({ id: 'QaDispute' });

export const QaResolutionSchema = z
  .strictObject({
    outcome: z
      .enum(['upheld', 'rescored'])
      .describe('`upheld`: the evaluation stands; `rescored`: `answers` replace the disputed ones.'),
    comment,
    answers: answers.optional().describe('With `rescored`: the answers that replace the evaluator’s (every question).'),
  })
  .meta({ id: 'QaResolution' });
export type QaResolution = z.infer<typeof QaResolutionSchema>;

export const QaEvaluationSchema = z
  .object({
    id: z.string(),
    formId: z.string(),
    formVersion: z.number().int(),
    callId: z.string(),
    agentId: z.string(),
    purpose: z.enum(['review', 'calibration']),
    status: z.enum(QA_STATUSES),
    evaluator: z.string().describe('The API key that evaluated.'),
    answers,
    comment: z.string().nullable(),
    score: z.number().nullable().describe('0..100 once submitted; 0 when a critical item failed.'),
    numerator: z.number().nullable().describe('Points earned (N/A answers left out): `qaScore`’s numerator.'),
    denominator: z.number().nullable().describe('Points possible.'),
    criticalFailed: z.array(z.string()).describe('Critical questions answered no (or 0).'),
    band: z.string().nullable(),
    submittedAt: Timestamp.nullable(),
    acknowledgedAt: Timestamp.nullable(),
    dispute: z.object({ comment: z.string(), at: Timestamp, by: z.string() }).nullable(),
    resolution: z
      .object({
        outcome: z.enum(['upheld', 'rescored']),
        comment: z.string(),
        at: Timestamp,
        by: z.string(),
        previousScore: z.number().describe('The score before the resolution.'),
      })
      .nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    complaint: z
      .boolean()
      .describe(
        "The evaluated call is a complaint: its disposition's category is one of the tenant's `complaintCategories` (as they are now).",
      ),
    complaintCategory: z.string().nullable().describe('The complaint category of the call, when it is a complaint.'),
  })
  .meta({ id: 'QaEvaluation' });
export type QaEvaluationOut = z.infer<typeof QaEvaluationSchema>;

export const QaCalibrationSchema = z
  .object({
    callId: z.string(),
    formId: z.string(),
    evaluations: z.array(
      z.object({ id: z.string(), evaluator: z.string(), formVersion: z.number().int(), purpose: z.string(), score: z.number() }),
    ),
    mean: z.number().nullable(),
    spread: z.number().nullable().describe('Highest score minus lowest.'),
    standardDeviation: z.number().nullable().describe('Population standard deviation of the scores.'),
  })
  .meta({ id: 'QaCalibration' });
export type QaCalibration = z.infer<typeof QaCalibrationSchema>;
