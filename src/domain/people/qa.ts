import { z } from 'zod';
import { sum, sumsToHundred } from '../weights';

/**
 * Quality evaluation forms (监听分值, issue 10 §2), pure: a form version's sections and questions with their
 * weights, critical items and performance bands, what is wrong with one (422 pointers), and an evaluation's score.
 * A published version is immutable: evaluations keep the version they were made with.
 */

export const QuestionSchema = z
  .strictObject({
    id: z.string().min(1).max(40),
    text: z.string().min(1).max(500),
    type: z.enum(['yes_no', 'scale']),
    /** `scale`: answers from 0 to `scaleMax`. */
    scaleMax: z.number().int().min(1).max(10).optional(),
    weight: z.number().min(0).max(100).describe('Percent of its section; the questions of a section sum to 100.'),
    allowNa: z.boolean().default(false).describe('May be answered N/A: it then drops out of the denominator.'),
    critical: z.boolean().default(false).describe('Answered no (or 0): the whole evaluation scores 0.'),
  })
  .meta({ id: 'QaQuestion' });
export type Question = z.infer<typeof QuestionSchema>;

export const QaFormBodySchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    sections: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(40),
          title: z.string().min(1).max(200),
          weight: z.number().min(0).max(100).describe('Percent of the form; the sections sum to 100.'),
          questions: z.array(QuestionSchema).min(1).max(50),
        }),
      )
      .min(1)
      .max(20),
    bands: z
      .array(z.strictObject({ name: z.string().min(1).max(40), from: z.number().min(0).max(100) }))
      .max(10)
      .default([])
      .describe('Performance bands, highest first: a score at or above `from` is in the band.'),
  })
  .meta({ id: 'QaFormBody' });
export type QaFormBody = z.infer<typeof QaFormBodySchema>;

export type Answer = boolean | number | 'na';

export interface QaIssue {
  pointer: string;
  detail: string;
}

/** What is wrong with a form (empty: it can be published). */
export function qaFormProblems(form: QaFormBody): QaIssue[] {
  const issues: QaIssue[] = [];
  if (!sumsToHundred(form.sections.map((s) => s.weight))) {
    issues.push({ pointer: '/sections', detail: `section weights sum to ${sum(form.sections.map((s) => s.weight))}, not 100` });
  }
  const ids = new Set<string>();
  form.sections.forEach((s, i) => {
    if (!sumsToHundred(s.questions.map((q) => q.weight))) {
      issues.push({
        pointer: `/sections/${i}/questions`,
        detail: `question weights of ${s.id} sum to ${sum(s.questions.map((q) => q.weight))}, not 100`,
      });
    }
    s.questions.forEach((q, j) => {
      const at = `/sections/${i}/questions/${j}`;
      if (ids.has(q.id)) issues.push({ pointer: `${at}/id`, detail: `question ${q.id} appears twice` });
      ids.add(q.id);
      if (q.type === 'scale' && q.scaleMax === undefined)
        issues.push({ pointer: `${at}/scaleMax`, detail: 'a scale question needs its maximum' });
      if (q.type === 'yes_no' && q.scaleMax !== undefined)
        issues.push({ pointer: `${at}/scaleMax`, detail: 'a yes/no question has no scale' });
      if (q.critical && q.allowNa) issues.push({ pointer: `${at}/allowNa`, detail: 'a critical item must be answered' });
    });
  });
  form.bands.forEach((b, k) => {
    const prev = form.bands[k - 1];
    if (prev && b.from >= prev.from)
      issues.push({ pointer: `/bands/${k}/from`, detail: 'bands go from the highest to the lowest' });
  });
  return issues;
}

/** What is wrong with an evaluation's answers for a form (empty: it can be submitted). */
export function answerProblems(form: QaFormBody, answers: Readonly<Record<string, Answer>>): QaIssue[] {
  const issues: QaIssue[] = [];
  const known = new Set<string>();
  for (const s of form.sections) {
    for (const q of s.questions) {
      known.add(q.id);
      const a = answers[q.id];
      const at = `/answers/${q.id}`;
      if (a === undefined) issues.push({ pointer: at, detail: 'not answered' });
      else if (a === 'na' && !q.allowNa) issues.push({ pointer: at, detail: 'N/A is not allowed here' });
      else if (q.type === 'yes_no' && a !== 'na' && typeof a !== 'boolean')
        issues.push({ pointer: at, detail: 'answer true or false' });
      else if (
        q.type === 'scale' &&
        a !== 'na' &&
        (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > (q.scaleMax ?? 0))
      ) {
        issues.push({ pointer: at, detail: `answer a whole number from 0 to ${q.scaleMax}` });
      }
    }
  }
  for (const id of Object.keys(answers))
    if (!known.has(id)) issues.push({ pointer: `/answers/${id}`, detail: 'no such question in this form version' });
  return issues;
}

export interface QaScore {
  /** 0..100, two decimals. */
  score: number;
  /** Points earned and possible (the sum of the weights of the questions answered, N/A left out): `qaScore`'s numerator and denominator. */
  numerator: number;
  denominator: number;
  criticalFailed: string[];
  band: string | null;
  sections: { id: string; score: number | null }[];
}

/**
 * An evaluation's score: each question earns its share of its section (yes = all, a scale answer in proportion),
 * a section's N/A questions drop out and the rest are scaled up, sections weigh as the form says (a section all
 * N/A drops out the same way); a failed critical item makes the whole evaluation 0.
 */
export function scoreEvaluation(form: QaFormBody, answers: Readonly<Record<string, Answer>>): QaScore {
  const criticalFailed: string[] = [];
  const sections: { id: string; score: number | null; weight: number }[] = [];
  for (const s of form.sections) {
    let earned = 0;
    let possible = 0;
    for (const q of s.questions) {
      const a = answers[q.id];
      if (a === undefined || a === 'na') continue;
      const fraction = q.type === 'yes_no' ? (a === true ? 1 : 0) : (a as number) / (q.scaleMax ?? 1);
      if (q.critical && fraction === 0) criticalFailed.push(q.id);
      earned += fraction * q.weight;
      possible += q.weight;
    }
    sections.push({ id: s.id, weight: s.weight, score: possible === 0 ? null : (earned / possible) * 100 });
  }
  const counted = sections.filter((s) => s.score !== null);
  const denominator = counted.reduce((n, s) => n + s.weight, 0);
  const raw = counted.reduce((n, s) => n + (s.score as number) * s.weight, 0) / 100;
  const numerator = criticalFailed.length > 0 ? 0 : raw;
  const score = denominator === 0 ? 0 : Math.round((numerator / denominator) * 10_000) / 100;
  const band = form.bands.find((b) => score >= b.from)?.name ?? null;
  return {
    score,
    numerator: Math.round(numerator * 100) / 100,
    denominator,
    criticalFailed,
    band,
    sections: sections.map((s) => ({ id: s.id, score: s.score === null ? null : Math.round(s.score * 100) / 100 })),
  };
}
