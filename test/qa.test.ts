import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { answeredCall, callId, sendEvents, settle } from './helpers/ingest';

const FORM = {
  sections: [
    {
      id: 'greeting',
      title: 'Greeting',
      weight: 40,
      questions: [
        { id: 'hello', text: 'Greeted the caller', type: 'yes_no', weight: 50 },
        { id: 'name', text: 'Used the caller’s name', type: 'yes_no', weight: 50, allowNa: true },
      ],
    },
    {
      id: 'solution',
      title: 'Solution',
      weight: 60,
      questions: [
        { id: 'resolved', text: 'Resolved the request', type: 'scale', scaleMax: 4, weight: 70 },
        { id: 'compliance', text: 'Verified identity', type: 'yes_no', weight: 30, critical: true },
      ],
    },
  ],
  bands: [
    { name: 'excellent', from: 90 },
    { name: 'good', from: 70 },
    { name: 'poor', from: 0 },
  ],
};
const GOOD = { hello: true, name: 'na', resolved: 3, compliance: true };

type Evaluation = {
  id: string;
  status: string;
  formVersion: number;
  score: number | null;
  band: string | null;
  criticalFailed: string[];
  resolution: { outcome: string; previousScore: number } | null;
};

async function setUp() {
  const t = await createTenant();
  const q = await createQueue(t);
  const agent = await createAgent(t);
  const call = callId('qa');
  await sendEvents(t.admin, answeredCall(call, q.id, agent.id));
  await settle(t);
  const form = await t.admin.post<{ id: string; current: { version: number } }>('/v1/qa/forms', {
    name: `Calls ${call}`,
    ...FORM,
  });
  expect(form.status, form.text).toBe(201);
  return { t, agent, call, form: form.body };
}

const evaluate = async (t: TestTenant, body: Record<string, unknown>) => {
  const res = await t.admin.post<Evaluation>('/v1/qa/evaluations', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
};

describe('QA forms and evaluations', () => {
  it('refuses a form that does not add up, with pointers; a new version leaves evaluations of the old one as they were', async () => {
    const { t, agent, call, form } = await setUp();
    const bad = structuredClone(FORM);
    (bad.sections[0] as { weight: number }).weight = 50;
    const refused = await t.admin.post('/v1/qa/forms', { name: 'Bad', ...bad });
    expect((expectProblem(refused, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer)).toContain('/sections');

    const v1 = await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, answers: GOOD, submit: true });
    expect(v1).toMatchObject({ status: 'submitted', formVersion: 1, score: 89.5, band: 'good' });
    // Version 2 weighs the greeting less: new evaluations use it, the first keeps version 1 and its score.
    const v2Body = structuredClone(FORM);
    (v2Body.sections[0] as { weight: number }).weight = 20;
    (v2Body.sections[1] as { weight: number }).weight = 80;
    const published = await t.admin.post<{ current: { version: number } }>(`/v1/qa/forms/${form.id}/versions`, v2Body);
    expect(published.status, published.text).toBe(201);
    expect(published.body.current.version).toBe(2);
    const later = await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, answers: GOOD, submit: true });
    expect(later).toMatchObject({ formVersion: 2, score: 86 });
    expect((await t.admin.get<Evaluation>(`/v1/qa/evaluations/${v1.id}`)).body).toMatchObject({ formVersion: 1, score: 89.5 });
    expect(
      (await t.admin.get<{ sections: { weight: number }[] }>(`/v1/qa/forms/${form.id}/versions/1`)).body.sections[0]?.weight,
    ).toBe(40);
    // Explicitly with version 1, still.
    expect(
      await evaluate(t, { formId: form.id, formVersion: 1, callId: call, agentId: agent.id, answers: GOOD, submit: true }),
    ).toMatchObject({
      formVersion: 1,
      score: 89.5,
    });
  });

  it('a draft is edited and submitted, then never changes; a failed critical item scores 0', async () => {
    const { t, agent, call, form } = await setUp();
    const draft = await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, answers: { hello: true } });
    expect(draft).toMatchObject({ status: 'draft', score: null });
    // Submitting with questions unanswered says which.
    const early = await t.admin.post(`/v1/qa/evaluations/${draft.id}/submit`);
    expect((expectProblem(early, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer).sort()).toEqual([
      '/answers/compliance',
      '/answers/name',
      '/answers/resolved',
    ]);
    const edited = await t.admin.patch(`/v1/qa/evaluations/${draft.id}`, {
      answers: { name: true, resolved: 4, compliance: false },
    });
    expect(edited.status, edited.text).toBe(200);
    const submitted = await t.admin.post<Evaluation>(`/v1/qa/evaluations/${draft.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'submitted', score: 0, criticalFailed: ['compliance'] });
    expectProblem(await t.admin.patch(`/v1/qa/evaluations/${draft.id}`, { comment: 'later' }), 409, 'EVALUATION_STATUS');
    // Answers that do not fit the form.
    const wrong = await t.admin.post('/v1/qa/evaluations', {
      formId: form.id,
      callId: call,
      agentId: agent.id,
      answers: { ...GOOD, hello: 'na', resolved: 9, extra: true },
      submit: true,
    });
    const pointers = (expectProblem(wrong, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/answers/hello', '/answers/extra']));
    // A call that is not in the history, an agent of another tenant.
    const noCall = await t.admin.post('/v1/qa/evaluations', { formId: form.id, callId: 'no-such-call', agentId: agent.id });
    expect(expectProblem(noCall, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/callId');
    const stranger = await createAgent(await createTenant());
    expectProblem(
      await t.admin.post('/v1/qa/evaluations', { formId: form.id, callId: call, agentId: stranger.id }),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('the agent acknowledges or disputes; a supervisor upholds or rescores, the previous score kept; all in the audit log', async () => {
    const { t, agent, call, form } = await setUp();
    const reader = (await createKey(t, { scopes: ['read'] })).client;
    const first = await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, answers: GOOD, submit: true });
    const ack = await reader.post<Evaluation>(`/v1/qa/evaluations/${first.id}/acknowledge`);
    expect(ack.body.status).toBe('acknowledged');
    expect((await reader.post<Evaluation>(`/v1/qa/evaluations/${first.id}/acknowledge`)).body.status).toBe('acknowledged');

    const second = await evaluate(t, {
      formId: form.id,
      callId: call,
      agentId: agent.id,
      answers: { ...GOOD, resolved: 1 },
      submit: true,
    });
    expectProblem(
      await t.admin.post(`/v1/qa/evaluations/${second.id}/resolve`, { outcome: 'upheld', comment: 'x' }),
      409,
      'EVALUATION_STATUS',
    );
    const disputed = await reader.post<Evaluation>(`/v1/qa/evaluations/${second.id}/dispute`, {
      comment: 'The customer was helped.',
    });
    expect(disputed.body.status).toBe('disputed');
    // Only an admin key resolves; rescored needs the answers.
    expectProblem(
      await reader.post(`/v1/qa/evaluations/${second.id}/resolve`, { outcome: 'upheld', comment: 'x' }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectProblem(
      await t.admin.post(`/v1/qa/evaluations/${second.id}/resolve`, { outcome: 'rescored', comment: 'x' }),
      422,
      'VALIDATION_FAILED',
    );
    const resolved = await t.admin.post<Evaluation>(`/v1/qa/evaluations/${second.id}/resolve`, {
      outcome: 'rescored',
      comment: 'Listened again: resolved.',
      answers: GOOD,
    });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      score: 89.5,
      resolution: { outcome: 'rescored', previousScore: second.score },
    });
    expect(second.score).toBeLessThan(89.5);

    const log = await t.admin.get<{ data: { action: string }[] }>(
      `/v1/audit-log?resourceType=qa_evaluation&resourceId=${second.id}`,
    );
    expect(log.body.data.map((e) => e.action)).toEqual([
      'qa_evaluation.resolved',
      'qa_evaluation.disputed',
      'qa_evaluation.submitted',
    ]);
  });

  it('calibration: several evaluators on one call, their mean, spread and standard deviation', async () => {
    const { t, agent, call, form } = await setUp();
    const other = (await createKey(t, { scopes: ['admin'] })).client;
    await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, purpose: 'calibration', answers: GOOD, submit: true });
    const theirs = await other.post<Evaluation>('/v1/qa/evaluations', {
      formId: form.id,
      callId: call,
      agentId: agent.id,
      purpose: 'calibration',
      answers: { ...GOOD, resolved: 1 },
      submit: true,
    });
    expect(theirs.status, theirs.text).toBe(201);
    // A draft is not counted.
    await evaluate(t, { formId: form.id, callId: call, agentId: agent.id, purpose: 'calibration', answers: { hello: false } });
    const cal = await t.admin.get<{
      evaluations: { evaluator: string; score: number }[];
      mean: number;
      spread: number;
      standardDeviation: number;
    }>(`/v1/qa/calibration?callId=${call}&formId=${form.id}`);
    expect(cal.status, cal.text).toBe(200);
    const scores = cal.body.evaluations.map((e) => e.score);
    expect(scores).toEqual([89.5, theirs.body.score]);
    expect(new Set(cal.body.evaluations.map((e) => e.evaluator)).size).toBe(2);
    const low = theirs.body.score as number;
    expect(cal.body.spread).toBeCloseTo(89.5 - low, 2);
    expect(cal.body.mean).toBeCloseTo((89.5 + low) / 2, 2);
    expect(cal.body.standardDeviation).toBeCloseTo((89.5 - low) / 2, 2);
  });
});
