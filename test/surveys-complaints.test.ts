import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { handledCall, PAST_T0, pastAt, sendEvents, settle } from './helpers/ingest';

/** CSAT with a threshold per survey, complaints by disposition category, both FCR methods per agent (issue 10 §3). */

type Value = {
  value: number | null;
  numerator: number;
  denominator: number | null;
  byCategory?: Record<string, { value: number | null; numerator: number; denominator: number | null }>;
};
type Row = { group: Record<string, string | null>; metrics: Record<string, Value> };

const RANGE = { from: new Date(PAST_T0 - 86_400_000).toISOString(), to: new Date(PAST_T0 + 86_400_000).toISOString() };

async function kpis(t: TestTenant, params: Record<string, string>): Promise<Row[]> {
  const res = await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...RANGE, ...params }).toString()}`);
  expect(res.status, res.text).toBe(200);
  return res.body.rows as Row[];
}
const byAgent = (rows: Row[], agentId: string) => rows.find((r) => r.group.agentId === agentId)?.metrics ?? {};

/** A handled call of `agentId` starting `second` s after PAST_T0, from `caller`; returns its id and events. */
function call(queueId: string, agentId: string, second: number, caller: string) {
  const events = handledCall(queueId, agentId, second, 60).map((e, i) => (i === 0 ? { ...e, caller } : e));
  return { id: events[0]?.interactionId as string, events };
}
const disposition = (id: string, second: number, resolved: boolean, category?: string) => ({
  id: `${id}:disp`,
  type: 'call.dispositioned',
  occurredAt: pastAt(second),
  interactionId: id,
  attrs: { resolved, ...(category ? { category } : {}) },
});

/**
 * Ada handles c1, c2, c5; Bob c3, c4, c6. c1 and c5 come from the same caller within the hour (c1 is repeated).
 * Dispositions: c1 billing (not resolved), c2 info (resolved), c3 rude_agent (not resolved), c4 no category.
 * Surveys: c1 3/5 with its own threshold 3 (satisfied; top-2-box would not be), c2 4/5 (top-2-box), c3 4/5 with
 * its own threshold 5 (not satisfied), c4 2/5, c6 5/5 — c6's survey sent before any event of its call.
 */
async function scenario() {
  const t = await createTenant();
  const q = await createQueue(t);
  const ada = await createAgent(t);
  const bob = await createAgent(t);
  const c1 = call(q.id, ada.id, 0, '+420 600 000 001');
  const c2 = call(q.id, ada.id, 100, '+420 600 000 002');
  const c3 = call(q.id, bob.id, 200, '+420 600 000 003');
  const c4 = call(q.id, bob.id, 300, '+420 600 000 004');
  const c5 = call(q.id, ada.id, 400, '+420 600 000 001');
  const c6 = call(q.id, bob.id, 500, '+420 600 000 006');

  // A survey of a call not seen yet is accepted, like any event of an unseen call.
  const early = await t.admin.post('/v1/surveys', { callId: c6.id, score: 5, at: pastAt(700) });
  expect(early.status, early.text).toBe(200);
  expect(early.body).toEqual({ id: `survey:${c6.id}`, callId: c6.id, status: 'accepted' });

  await sendEvents(t.admin, [
    ...c1.events,
    ...c2.events,
    ...c3.events,
    ...c4.events,
    ...c5.events,
    ...c6.events,
    disposition(c1.id, 120, false, 'billing'),
    disposition(c2.id, 220, true, 'info'),
    disposition(c3.id, 320, false, 'rude_agent'),
    disposition(c4.id, 420, true),
  ]);
  const surveys = [
    { callId: c1.id, score: 3, satisfiedScore: 3, comment: '  Slow, but sorted in the end.  ', at: pastAt(200) },
    { callId: c2.id, score: 4, at: pastAt(300) },
    { callId: c3.id, score: 4, satisfiedScore: 5, at: pastAt(400) },
    { callId: c4.id, score: 2, scaleMin: 1, scaleMax: 5, id: `my-survey-${c4.id}`, at: pastAt(500) },
  ];
  for (const s of surveys) {
    const res = await t.admin.post('/v1/surveys', s);
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('accepted');
  }
  await settle(t);
  return { t, q, ada, bob, c1, c2, c3, c4, c5, c6 };
}

describe('POST /v1/surveys, CSAT per survey, complaints by category', () => {
  it('csat follows each survey’s own threshold, then the request’s, then top-2-box; duplicates count once', async () => {
    const { t, c1, c4 } = await scenario();
    const csat = async (extra: Record<string, string> = {}) =>
      (await kpis(t, { metrics: 'csat,csatMean,surveyResponses', ...extra }))[0]?.metrics as Record<string, Value>;

    // c1 (own 3: 3 ≥ 3), c2 (top-2-box: 4 ≥ 4), c6 (5) satisfied; c3 (own 5: 4 < 5) and c4 (2) not.
    const base = await csat();
    expect(base.csat).toMatchObject({ numerator: 3, denominator: 5 });
    expect(base.csatMean).toMatchObject({ numerator: 3 + 4 + 4 + 2 + 5, denominator: 5 });
    expect(base.surveyResponses).toMatchObject({ value: 5 });
    // The request's threshold applies to surveys without their own: 2 makes c4 satisfied, c3 still is not.
    expect((await csat({ csatSatisfiedScore: '2' })).csat).toMatchObject({ numerator: 4, denominator: 5 });
    // 5 leaves c2 out; c1 keeps its own threshold.
    expect((await csat({ csatSatisfiedScore: '5' })).csat).toMatchObject({ numerator: 2, denominator: 5 });

    // The same survey again (default id survey:{callId}, even with another score) and the same own id: duplicates.
    const again = await t.admin.post('/v1/surveys', { callId: c1.id, score: 1, at: pastAt(250) });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual({ id: `survey:${c1.id}`, callId: c1.id, status: 'duplicate' });
    const mine = await t.admin.post('/v1/surveys', { callId: c4.id, score: 2, id: `my-survey-${c4.id}`, at: pastAt(500) });
    expect(mine.body.status).toBe('duplicate');
    await settle(t);
    const after = await csat();
    expect(after.csat).toMatchObject({ numerator: 3, denominator: 5 });
    expect(after.csatMean).toMatchObject({ numerator: 18, denominator: 5 });

    // The call keeps the survey as sent (comment trimmed) and the disposition's category.
    const detail = await t.admin.get(`/v1/calls/${c1.id}`);
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.survey).toMatchObject({
      score: 3,
      scaleMin: 1,
      scaleMax: 5,
      satisfiedScore: 3,
      comment: 'Slow, but sorted in the end.',
    });
    expect(detail.body.disposition).toMatchObject({ resolved: false, category: 'billing' });
  });

  it('complaints by category per agent; a settings change applies to all history; rollups and records agree', async () => {
    const { t, ada, bob } = await scenario();
    const metrics = { metrics: 'complaints,complaintRate,fcrDisposition', groupBy: 'agent' };

    // No complaint categories yet (the default): nothing is a complaint.
    let rows = await kpis(t, metrics);
    expect(byAgent(rows, ada.id).complaints).toMatchObject({ value: 0, byCategory: {} });
    expect(byAgent(rows, ada.id).complaintRate).toMatchObject({ numerator: 0, denominator: 2 });

    const set = await t.admin.patch('/v1/settings', { complaintCategories: ['billing', 'rude_agent'] });
    expect(set.status, set.text).toBe(200);
    expect(set.body.complaintCategories).toEqual(['billing', 'rude_agent']);
    rows = await kpis(t, metrics);
    expect(byAgent(rows, ada.id).complaints).toMatchObject({
      value: 1,
      byCategory: { billing: { value: 1 }, rude_agent: { value: 0 } },
    });
    expect(byAgent(rows, ada.id).complaintRate).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(byAgent(rows, bob.id).complaints).toMatchObject({
      value: 1,
      byCategory: { billing: { value: 0 }, rude_agent: { value: 1 } },
    });
    expect(byAgent(rows, bob.id).complaintRate).toMatchObject({ numerator: 1, denominator: 2 });
    const total = (await kpis(t, { metrics: 'complaints,complaintRate' }))[0]?.metrics;
    expect(total?.complaints).toMatchObject({ value: 2 });
    expect(total?.complaintRate?.byCategory?.billing).toMatchObject({ numerator: 1, denominator: 4 });

    // The cell explained call by call: Ada's complaint and her other dispositioned call.
    const explain = await t.admin.get(
      `/v1/kpis/explain?${new URLSearchParams({ metric: 'complaintRate', start: RANGE.from, end: RANGE.to, agentId: ada.id })}`,
    );
    expect(explain.status, explain.text).toBe(200);
    expect(explain.body).toMatchObject({
      numerator: 1,
      denominator: 2,
      policy: { complaintCategories: ['billing', 'rude_agent'] },
    });
    expect(
      (explain.body.items as { disposition: { category: string }; inNumerator: boolean; reason: string }[]).map((i) => [
        i.disposition.category,
        i.inNumerator,
        i.reason,
      ]),
    ).toEqual([
      ['billing', true, 'dispositioned with category billing: a complaint'],
      ['info', false, 'dispositioned with category info: not a complaint'],
    ]);

    // Another complaint set: the same history, judged again.
    expect((await t.admin.patch('/v1/settings', { complaintCategories: ['info'] })).status).toBe(200);
    rows = await kpis(t, metrics);
    expect(byAgent(rows, ada.id).complaints).toMatchObject({ value: 1, byCategory: { info: { value: 1 } } });
    expect(byAgent(rows, bob.id).complaints).toMatchObject({ value: 0, byCategory: { info: { value: 0 } } });

    // Rollups and records give the same rows, per agent and per queue, complaints and CSAT alike.
    for (const groupBy of ['agent', 'queue']) {
      const params = { metrics: 'complaints,complaintRate,csat,csatMean,fcrDisposition', groupBy, interval: 'hour' };
      const rollups = await kpis(t, { ...params, source: 'rollups' });
      const records = await kpis(t, { ...params, source: 'records' });
      expect(rollups.length).toBeGreaterThan(0);
      expect(rollups).toEqual(records);
    }
  });

  it('both FCR methods per agent (groupBy=agent)', async () => {
    const { t, ada, bob } = await scenario();
    const rows = await kpis(t, { metrics: 'fcrDisposition,fcrRepeatCaller', groupBy: 'agent', fcrWindowHours: '1' });
    // Disposition: c1 not resolved, c2 resolved (Ada); c3 not, c4 resolved (Bob).
    expect(byAgent(rows, ada.id).fcrDisposition).toMatchObject({ numerator: 1, denominator: 2 });
    expect(byAgent(rows, bob.id).fcrDisposition).toMatchObject({ numerator: 1, denominator: 2 });
    // Repeat caller: c1's caller called again (c5) within the hour; every other call's window closed unrepeated.
    expect(byAgent(rows, ada.id).fcrRepeatCaller).toMatchObject({ numerator: 2, denominator: 3 });
    expect(byAgent(rows, bob.id).fcrRepeatCaller).toMatchObject({ numerator: 3, denominator: 3 });
  });

  it('QA evaluations show whether their call is a complaint, and list only those with complaint=true', async () => {
    const { t, ada, c1, c2 } = await scenario();
    const form = await t.admin.post<{ id: string }>('/v1/qa/forms', {
      name: `Complaints ${c1.id}`,
      sections: [{ id: 's', title: 'S', weight: 100, questions: [{ id: 'ok', text: 'OK', type: 'yes_no', weight: 100 }] }],
    });
    expect(form.status, form.text).toBe(201);
    const evaluate = async (callId: string) => {
      const res = await t.admin.post('/v1/qa/evaluations', { formId: form.body.id, callId, agentId: ada.id });
      expect(res.status, res.text).toBe(201);
      return res.body as { id: string; complaint: boolean; complaintCategory: string | null };
    };
    expect((await t.admin.patch('/v1/settings', { complaintCategories: ['billing'] })).status).toBe(200);
    const e1 = await evaluate(c1.id);
    const e2 = await evaluate(c2.id);
    expect(e1).toMatchObject({ complaint: true, complaintCategory: 'billing' });
    expect(e2).toMatchObject({ complaint: false, complaintCategory: null });

    const list = async (complaint: string) => {
      const res = await t.admin.get(`/v1/qa/evaluations?complaint=${complaint}`);
      expect(res.status, res.text).toBe(200);
      return (res.body.data as { id: string }[]).map((e) => e.id);
    };
    expect(await list('true')).toEqual([e1.id]);
    expect(await list('false')).toEqual([e2.id]);
    // The complaint set is read when the evaluation is: a settings change shows at once.
    expect((await t.admin.patch('/v1/settings', { complaintCategories: ['info'] })).status).toBe(200);
    expect(await list('true')).toEqual([e2.id]);
    expect((await t.admin.get(`/v1/qa/evaluations/${e2.id}`)).body).toMatchObject({ complaint: true, complaintCategory: 'info' });
    expectProblem(await t.admin.get('/v1/qa/evaluations?complaint=maybe'), 422, 'VALIDATION_FAILED');
  });

  it('bad input is a 422 problem with a pointer, and nothing is written', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ada = await createAgent(t);
    const c = call(q.id, ada.id, 0, '+420 600 000 009');
    await sendEvents(t.admin, c.events);
    const cases: [Record<string, unknown>, string][] = [
      [{ score: 4 }, '/callId'],
      [{ callId: c.id, score: 6 }, '/score'],
      [{ callId: c.id, score: 0 }, '/score'],
      [{ callId: c.id, score: 5, scaleMin: 5, scaleMax: 5 }, '/scaleMax'],
      [{ callId: c.id, score: 4, satisfiedScore: 9 }, '/satisfiedScore'],
      [{ callId: c.id, score: 4, comment: 'x'.repeat(1001) }, '/comment'],
      [{ callId: c.id, score: 4, comment: 'bad \u0000 byte' }, '/comment'],
      [{ callId: c.id, score: 4, id: 'has space' }, '/id'],
      [{ callId: c.id, score: 4, at: 'yesterday' }, '/at'],
      [{ callId: c.id, score: 4, at: new Date(Date.now() + 3_600_000).toISOString() }, '/at'],
      [{ callId: c.id, score: 4, mood: 'happy' }, '/mood'],
    ];
    for (const [body, pointer] of cases) {
      const p = expectProblem(await t.admin.post('/v1/surveys', body), 422, 'VALIDATION_FAILED');
      expect(
        p.errors?.map((e) => e.pointer),
        JSON.stringify(body).slice(0, 80),
      ).toContain(pointer);
    }
    // The settings refuse a repeated category, pointing at it.
    const dup = expectProblem(
      await t.admin.patch('/v1/settings', { complaintCategories: ['billing', 'billing'] }),
      422,
      'VALIDATION_FAILED',
    );
    expect(dup.errors?.map((e) => e.pointer)).toContain('/complaintCategories/1');
    await settle(t);
    const rows = await kpis(t, { metrics: 'surveyResponses' });
    expect(rows[0]?.metrics.surveyResponses).toMatchObject({ value: 0 });
  });
});
