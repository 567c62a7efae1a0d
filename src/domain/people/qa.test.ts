import { describe, expect, it } from 'vitest';
import { type Answer, answerProblems, type QaFormBody, QaFormBodySchema, qaFormProblems, scoreEvaluation } from './qa';

const form = (over: Partial<Record<string, unknown>> = {}): QaFormBody =>
  QaFormBodySchema.parse({
    name: 'Inbound calls v1',
    sections: [
      {
        id: 'opening',
        title: 'Opening',
        weight: 20,
        questions: [
          { id: 'greet', text: 'Greeted with the company name', type: 'yes_no', weight: 50 },
          { id: 'verify', text: 'Verified the caller', type: 'yes_no', weight: 50, critical: true },
        ],
      },
      {
        id: 'handling',
        title: 'Handling',
        weight: 80,
        questions: [
          { id: 'empathy', text: 'Empathy', type: 'scale', scaleMax: 5, weight: 60 },
          { id: 'upsell', text: 'Offered the upgrade', type: 'yes_no', weight: 40, allowNa: true },
        ],
      },
    ],
    bands: [
      { name: 'excellent', from: 90 },
      { name: 'good', from: 75 },
      { name: 'needs coaching', from: 0 },
    ],
    ...over,
  });

describe('QA forms: what is refused', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['section weights', { sections: [{ ...form().sections[0], weight: 30 }, form().sections[1]] }, '/sections'],
    [
      'question weights',
      {
        sections: [
          form().sections[0],
          {
            ...form().sections[1],
            questions: [{ ...form().sections[1]?.questions[0], weight: 50 }, form().sections[1]?.questions[1]],
          },
        ],
      },
      '/sections/1/questions',
    ],
    [
      'a scale without its maximum',
      {
        sections: [
          form().sections[0],
          {
            ...form().sections[1],
            questions: [{ ...form().sections[1]?.questions[0], scaleMax: undefined }, form().sections[1]?.questions[1]],
          },
        ],
      },
      '/sections/1/questions/0/scaleMax',
    ],
    [
      'a critical item that may be N/A',
      {
        sections: [
          {
            ...form().sections[0],
            questions: [form().sections[0]?.questions[0], { ...form().sections[0]?.questions[1], allowNa: true }],
          },
          form().sections[1],
        ],
      },
      '/sections/0/questions/1/allowNa',
    ],
    [
      'bands out of order',
      {
        bands: [
          { name: 'good', from: 75 },
          { name: 'excellent', from: 90 },
        ],
      },
      '/bands/1/from',
    ],
  ];
  for (const [name, over, pointer] of cases) {
    it(name, () => expect(qaFormProblems(form(over))).toEqual([expect.objectContaining({ pointer })]));
  }
  it('a sound form has none', () => expect(qaFormProblems(form())).toEqual([]));
  it("answers that do not fit the form's questions", () => {
    expect(answerProblems(form(), { greet: true, verify: 'na', empathy: 7, extra: true }).map((p) => p.pointer)).toEqual([
      '/answers/verify',
      '/answers/empathy',
      '/answers/upsell',
      '/answers/extra',
    ]);
  });
});

describe('scoring an evaluation', () => {
  const cases: [string, Record<string, Answer>, Partial<ReturnType<typeof scoreEvaluation>>][] = [
    [
      'everything right',
      { greet: true, verify: true, empathy: 5, upsell: true },
      { score: 100, band: 'excellent', criticalFailed: [] },
    ],
    // Opening 50 %, handling: empathy 3/5 = 60 % of 60 + 40 = 76 % → 0.2 × 50 + 0.8 × 76 = 70.8.
    [
      'partly',
      { greet: false, verify: true, empathy: 3, upsell: true },
      { score: 70.8, band: 'needs coaching', numerator: 70.8, denominator: 100 },
    ],
    // N/A drops out: handling = empathy alone, 4/5 = 80 % → 0.2 × 100 + 0.8 × 80 = 84.
    ['N/A leaves the denominator', { greet: true, verify: true, empathy: 4, upsell: 'na' }, { score: 84, band: 'good' }],
    [
      'a failed critical item is 0',
      { greet: true, verify: false, empathy: 5, upsell: true },
      { score: 0, criticalFailed: ['verify'], numerator: 0 },
    ],
  ];
  for (const [name, answers, expected] of cases) it(name, () => expect(scoreEvaluation(form(), answers)).toMatchObject(expected));
});
