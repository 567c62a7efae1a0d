import { describe, expect, it } from 'vitest';
import { PERSON_METRICS } from '../src/domain/kpi/catalog';
import { createAgent, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { answeredCall, callId, PAST_T0, sendEvents, settle } from './helpers/ingest';

/**
 * The people metrics of the KPI catalog (attendance, QA, training, employment) through GET /v1/kpis: the same
 * numbers as the routes that list their records (GET /v1/attendance), per agent and summed per team.
 */
const DAY_MS = 86_400_000;
const DAY = PAST_T0 - DAY_MS; // 00:00 UTC of a past day
const at = (h: number, m = 0) => new Date(DAY + (h * 60 + m) * 60_000).toISOString();
const date = (t: number) => new Date(t).toISOString().slice(0, 10);
const MIN = 60_000;

const FORM = {
  sections: [
    {
      id: 'call',
      title: 'Call',
      weight: 100,
      questions: [
        { id: 'hello', text: 'Greeted the caller', type: 'yes_no', weight: 40 },
        { id: 'fixed', text: 'Solved it', type: 'yes_no', weight: 40 },
        { id: 'identity', text: 'Verified identity', type: 'yes_no', weight: 20, critical: true },
      ],
    },
  ],
  bands: [{ name: 'all', from: 0 }],
};

type Value = { value: number | null; numerator: number; denominator: number | null; status: string; unit: string };
type Row = { group: Record<string, string | null>; metrics: Record<string, Value> };

const PEOPLE: readonly string[] = PERSON_METRICS;

async function world() {
  const t = await createTenant();
  const q = await createQueue(t);
  const t1 = await createTeam(t);
  const t2 = await createTeam(t);
  const ada = await createAgent(t, { teamId: t1.id, queueIds: [q.id] });
  // Bo's last day is DAY: left in the range.
  const bo = await createAgent(t, { teamId: t1.id, queueIds: [q.id], leftOn: date(DAY + DAY_MS) });
  const cy = await createAgent(t, { teamId: t2.id, queueIds: [q.id], hiredOn: '2020-01-01' });

  // Shifts: Ada and Bo 09:00–17:00 with lunch 12–13; Cy none.
  const shift = (agentId: string, id: string) => ({
    id,
    agentId,
    start: at(9),
    end: at(17),
    activities: [{ type: 'lunch', start: at(12), end: at(13) }],
  });
  const saved = await t.admin.post('/v1/schedules', { shifts: [shift(ada.id, 'ada-1'), shift(bo.id, 'bo-1')] });
  expect(saved.status, saved.text).toBe(200);
  // Ada: in at 09:10, lunch 12:00–13:05, out at 16:50. Bo never logs in.
  const state = (s: string, time: string, reason?: string) => ({
    id: `${callId()}:p`,
    type: 'agent.state_changed',
    occurredAt: time,
    agentId: ada.id,
    attrs: { state: s, ...(reason ? { reason } : {}) },
  });
  const calls = { ada: callId('ada'), bo: callId('bo') };
  await sendEvents(t.admin, [
    state('available', at(9, 10)),
    state('away', at(12), 'lunch'),
    state('available', at(13, 5)),
    state('offline', at(16, 50)),
    ...answeredCall(calls.ada, q.id, ada.id),
    ...answeredCall(calls.bo, q.id, bo.id),
  ]);
  await settle(t);

  // QA: Ada 60 of 100 points and 100 of 100; Bo fails the critical item (0 of 100); a draft and a calibration do not count.
  const form = await t.admin.post<{ id: string }>('/v1/qa/forms', { name: `Form ${calls.ada}`, ...FORM });
  expect(form.status, form.text).toBe(201);
  const evaluate = async (agentId: string, call: string, answers: Record<string, unknown>, extra = {}) => {
    const res = await t.admin.post('/v1/qa/evaluations', {
      formId: form.body.id,
      callId: call,
      agentId,
      answers,
      submit: true,
      ...extra,
    });
    expect(res.status, res.text).toBe(201);
  };
  await evaluate(ada.id, calls.ada, { hello: true, fixed: false, identity: true });
  await evaluate(ada.id, calls.ada, { hello: true, fixed: true, identity: true });
  await evaluate(bo.id, calls.bo, { hello: true, fixed: true, identity: false });
  await evaluate(ada.id, calls.ada, { hello: false, fixed: false, identity: true }, { submit: false });
  await evaluate(ada.id, calls.ada, { hello: false, fixed: false, identity: true }, { purpose: 'calibration' });

  // Training: Ada 3 h with an exam of 45 / 50; Cy 2 h without one.
  const training = await t.admin.post('/v1/training-records', {
    records: [
      { agentId: ada.id, course: 'Complaints', completedOn: date(DAY), hours: 3, examScore: 45, examMaxScore: 50 },
      { agentId: cy.id, course: 'Products', completedOn: date(DAY), hours: 2 },
    ],
  });
  expect(training.status, training.text).toBeLessThan(300);
  return { t, t1, t2, ada, bo, cy };
}

// A range that holds DAY and now (evaluations are submitted now).
const FROM = new Date(DAY).toISOString();
const TO = new Date(PAST_T0 + 2 * DAY_MS).toISOString();

const kpis = async (t: TestTenant, groupBy: string, metrics = PEOPLE) => {
  const res = await t.admin.get<{ rows: Row[] }>(
    `/v1/kpis?metrics=${metrics.join(',')}&from=${FROM}&to=${TO}&interval=total&timeZone=UTC${groupBy ? `&groupBy=${groupBy}` : ''}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body.rows;
};

describe('people metrics in GET /v1/kpis', () => {
  it('per agent: attendance, QA, training and employment, each with its numerator and denominator', async () => {
    const { t, ada, bo, cy } = await world();
    const rows = await kpis(t, 'agent');
    const of = (id: string) => rows.find((r) => r.group.agentId === id)?.metrics as Record<string, Value>;
    expect(rows.map((r) => r.group.agentId).sort()).toEqual([ada.id, bo.id, cy.id].sort());

    const a = of(ada.id);
    expect(a.attendanceRate).toMatchObject({ value: 1, numerator: 1, denominator: 1, unit: 'ratio' });
    expect(a.lateArrivals).toMatchObject({ value: 1, denominator: null });
    expect(a.earlyLeaves?.value).toBe(1);
    expect(a.absences?.value).toBe(0);
    // In adherence 455 of 480 minutes; on queue 395 of 420 scheduled.
    expect(a.adherence).toMatchObject({ numerator: 455 * MIN, denominator: 480 * MIN });
    expect(a.conformance).toMatchObject({ numerator: 395 * MIN, denominator: 420 * MIN });
    expect(a.qaScore).toMatchObject({ numerator: 160, denominator: 200, value: 0.8 });
    expect(a.qaEvaluations?.value).toBe(2);
    expect(a.trainingHours).toMatchObject({ value: 3, unit: 'hours' });
    expect(a.examScore).toMatchObject({ value: 0.9, numerator: 0.9, denominator: 1 });
    expect(a.headcount?.value).toBe(1);
    expect(a.attritionRate).toMatchObject({ value: 0, numerator: 0, denominator: 1 });

    const b = of(bo.id);
    expect(b.attendanceRate).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
    expect(b.absences?.value).toBe(1);
    // Offline at lunch is in adherence with lunch: 60 of 480 minutes.
    expect(b.adherence).toMatchObject({ value: 0.125, numerator: 60 * MIN, denominator: 480 * MIN });
    expect(b.qaScore).toMatchObject({ value: 0, numerator: 0, denominator: 100 });
    expect(b.headcount?.value).toBe(0);
    expect(b.attritionRate).toMatchObject({ numerator: 1, denominator: 0.5 });

    const c = of(cy.id);
    expect(c.trainingHours?.value).toBe(2);
    expect(c.examScore).toMatchObject({ value: null, denominator: 0 });
    expect(c.attendanceRate).toMatchObject({ value: null, denominator: 0 });
    expect(c.headcount?.value).toBe(1);

    // The same attendance numbers as GET /v1/attendance.
    const listed = await t.admin.get<{
      agents: { agentId: string; attendanceRate: { numerator: number; denominator: number }; absences: number }[];
    }>(`/v1/attendance?from=${FROM}&to=${TO}`);
    expect(listed.status, listed.text).toBe(200);
    for (const agent of listed.body.agents) {
      expect(of(agent.agentId).attendanceRate).toMatchObject(agent.attendanceRate);
      expect(of(agent.agentId).absences?.value).toBe(agent.absences);
    }
  });

  it('per team and over everyone, the agents’ contributions add up', async () => {
    const { t, t1, t2 } = await world();
    const rows = await kpis(t, 'team');
    const team = (id: string) => rows.find((r) => r.group.teamId === id)?.metrics as Record<string, Value>;
    expect(team(t1.id).attendanceRate).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(team(t1.id).qaScore).toMatchObject({ numerator: 160, denominator: 300 });
    expect(team(t1.id).headcount?.value).toBe(1);
    // Leavers 1 over the average of 2 at the start and 1 at the end.
    expect(team(t1.id).attritionRate).toMatchObject({ numerator: 1, denominator: 1.5 });
    expect(team(t2.id).trainingHours?.value).toBe(2);

    const [all] = await kpis(t, '');
    expect(all?.metrics.headcount?.value).toBe(2);
    expect(all?.metrics.trainingHours?.value).toBe(5);
    expect(all?.metrics.qaEvaluations?.value).toBe(3);
    // The range reaches into tomorrow: the row is partial.
    expect(all?.metrics.headcount?.status).toBe('partial');
  });

  it('filters by agent and team like every agent metric; refuses a queue grouping; explain points at the records', async () => {
    const { t, t1, ada } = await world();
    const base = `/v1/kpis?from=${FROM}&to=${TO}&interval=total&timeZone=UTC`;
    const mine = await t.admin.get<{ rows: Row[] }>(`${base}&metrics=qaScore,trainingHours&agentIds=${ada.id}`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.rows[0]?.metrics.qaScore?.numerator).toBe(160);
    expect(mine.body.rows[0]?.metrics.trainingHours?.value).toBe(3);
    const team = await t.admin.get<{ rows: Row[] }>(`${base}&metrics=trainingHours&teamIds=${t1.id}`);
    expect(team.body.rows[0]?.metrics.trainingHours?.value).toBe(3);

    expectProblem(await t.admin.get(`${base}&metrics=qaScore&groupBy=queue`), 422, 'VALIDATION_FAILED');
    const explained = await t.admin.get(`/v1/kpis/explain?metric=qaScore&start=${FROM}&end=${TO}`);
    expectProblem(explained, 422, 'VALIDATION_FAILED');
    expect(explained.text).toContain('GET /v1/qa/evaluations');

    const catalog = await t.admin.get<{ metrics: { id: string; source: string; available: boolean }[] }>('/v1/kpis/catalog');
    expect(catalog.body.metrics.find((m) => m.id === 'attendanceRate')).toMatchObject({ source: 'shifts', available: true });
  });
});
