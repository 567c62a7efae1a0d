import { z } from 'zod';
import { ATTRS } from '../domain/events/event-types';

const attrs = ATTRS['survey.completed'].shape;

/** `POST /v1/surveys`: one customer survey of a call, ingested as its `survey.completed` event. */
export const SurveyCreateSchema = z
  .strictObject({
    callId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The call surveyed: its `interactionId` (a call not seen yet is fine: the survey waits for it).'),
    score: attrs.score.describe('The score given, on the scale scaleMin..scaleMax.'),
    scaleMin: attrs.scaleMin.describe('The lowest score of the scale (default 1).'),
    scaleMax: attrs.scaleMax.describe('The highest score of the scale (default 5).'),
    satisfiedScore: attrs.satisfiedScore.describe(
      "This survey's own satisfied threshold: a score at or above it counts as satisfied in csat, whatever a request's `csatSatisfiedScore` says (without one: the request's, else the top two scores of the scale).",
    ),
    comment: attrs.comment,
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces.')
      .optional()
      .describe(
        'Your deterministic id for this survey (the event id): the same id again is a duplicate with no effect. Default: `survey:{callId}`, so one survey per call unless you give ids.',
      ),
    at: z.iso
      .datetime({ offset: true, precision: undefined })
      .optional()
      .describe('When the survey was answered, ISO-8601 with an offset (default: now).'),
  })
  .superRefine((s, ctx) => {
    if (s.scaleMin >= s.scaleMax) {
      ctx.addIssue({ code: 'custom', path: ['scaleMax'], message: `Must be above scaleMin (${s.scaleMin}).` });
      return;
    }
    const inScale = `Must be on the scale ${s.scaleMin}..${s.scaleMax}.`;
    if (s.score < s.scaleMin || s.score > s.scaleMax) ctx.addIssue({ code: 'custom', path: ['score'], message: inScale });
    if (s.satisfiedScore !== undefined && (s.satisfiedScore < s.scaleMin || s.satisfiedScore > s.scaleMax)) {
      ctx.addIssue({ code: 'custom', path: ['satisfiedScore'], message: inScale });
    }
  })
  .meta({ id: 'SurveyCreate' });
export type SurveyCreate = z.infer<typeof SurveyCreateSchema>;

export const SurveyResultSchema = z
  .object({
    id: z.string().describe('The survey’s event id (yours, or the default `survey:{callId}`).'),
    callId: z.string(),
    status: z
      .enum(['accepted', 'duplicate'])
      .describe('`duplicate`: a survey with this id was already received; nothing changed.'),
  })
  .meta({ id: 'SurveyResult' });
export type SurveyResult = z.infer<typeof SurveyResultSchema>;
