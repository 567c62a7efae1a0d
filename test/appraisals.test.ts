import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { handledCall, PAST_T0, sendEvents, settle } from './helpers/ingest';

const PERIOD = new Date(PAST_T0).toISOString().slice(0, 7);
/** The QA evaluation below is stamped now: in the period unless this runs in the first hours of a month. */
const QA_IN_PERIOD = new Date().toISOString().slice(0, 7) === PERIOD;

const rule = (worst: number) => ({
  missingData: 'reweight',
  categories: [
    {
      id: 'efficiency',
      weight: 60,
      metrics: [{ metric: 'agentAht', weight: 100, scoring: { type: 'linear', worst, best: 100_000 } }],
    },
    {
      id: 'attitude',
      weight: 40,
      gate: 'critical_qa_fail',
      metrics: [
        { metric: 'agentAht', weight: 100, target: 200_000, scoring: { type: 'linear', worst: 500_000, best: 'target' } },
      ],
    },
  ],
});

type Result = {
  agentId: string;
  total: number | null;
  status: string;
  rankInTeam: number | null;
  rankInTenant: number | null;
  categories: { id: string; score: number | null; gated: boolean }[];
  metrics: { metric: string; value: number | null; explanation: string }[];
  explanation: string[];
};
type Run = { computed: boolean; appraisal: { id: string; status: string; ruleVersion: number; results: Result[] } };

describe('appraisals', () => {
  it('from events and QA evaluations to explained results; frozen once closed, re-opened explicitly and audited', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const team = await createTeam(t);
    const a = await createAgent(t, { teamId: team.id });
    const b = await createAgent(t, { teamId: team.id });
    const idle = await createAgent(t);
    const bCall = handledCall(q.id, b.id, 1200, 300);
    // a: 100 s and 120 s (AHT 110 s); b: 300 s; the idle agent took no call.
    await sendEvents(t.admin, [...handledCall(q.id, a.id, 0, 100), ...handledCall(q.id, a.id, 600, 120), ...bCall]);
    await settle(t);
    // b failed a critical QA item on that call: attitude is 0 for b.
    const form = await t.admin.post<{ id: string }>('/v1/qa/forms', {
      name: 'Calls',
      sections: [
        {
          id: 's',
          title: 'S',
          weight: 100,
          questions: [{ id: 'id', text: 'Verified identity', type: 'yes_no', weight: 100, critical: true }],
        },
      ],
    });
    const evaluation = await t.admin.post('/v1/qa/evaluations', {
      formId: form.body.id,
      callId: bCall[0]?.interactionId,
      agentId: b.id,
      answers: { id: false },
      submit: true,
    });
    expect(evaluation.status, evaluation.text).toBe(201);

    const created = await t.admin.post<{ id: string }>('/v1/appraisal-rules', {
      name: 'Monthly',
      effectiveFrom: '2020-01-01',
      ...rule(400_000),
    });
    expect(created.status, created.text).toBe(201);
    const run = await t.admin.post<Run>('/v1/appraisals', { ruleId: created.body.id, period: PERIOD });
    expect(run.status, run.text).toBe(200);
    expect(run.body.computed).toBe(true);
    const byAgent = new Map(run.body.appraisal.results.map((r) => [r.agentId, r]));
    // a: efficiency (400 − 110) / 300 = 96.67, attitude 100 (better than its 200 s target): 0.6 × 96.67 + 0.4 × 100 = 98.
    expect(byAgent.get(a.id)).toMatchObject({ total: 98, status: 'complete', rankInTeam: 1, rankInTenant: 1 });
    expect(byAgent.get(a.id)?.categories.map((c) => c.score)).toEqual([96.67, 100]);
    if (QA_IN_PERIOD) {
      // b: efficiency (400 − 300) / 300 = 33.33; attitude gated to 0: 0.6 × 33.33 = 20.
      expect(byAgent.get(b.id)).toMatchObject({ total: 20, rankInTeam: 2, rankInTenant: 2 });
      expect(byAgent.get(b.id)?.categories[1]).toMatchObject({ score: 0, gated: true });
      expect(byAgent.get(b.id)?.explanation).toContain('attitude: 0 — a critical QA item failed in the period');
    }
    // The idle agent: no data, no total, no rank — incomplete, not zero.
    expect(byAgent.get(idle.id)).toMatchObject({ total: null, status: 'withheld', rankInTeam: null, rankInTenant: null });
    expect(byAgent.get(a.id)?.metrics[0]?.explanation).toMatch(/110 s/);
    // Best first.
    expect(run.body.appraisal.results.map((r) => r.agentId)).toEqual([a.id, b.id, idle.id]);

    // As CSV: a line per agent.
    const csv = await t.admin.get(`/v1/appraisals/${run.body.appraisal.id}?format=csv`);
    expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'agentId,teamId,total,status,rankInTeam,rankInTenant,efficiency,attitude,efficiency.agentAht,efficiency.agentAht.points,attitude.agentAht,attitude.agentAht.points,explanation',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]?.startsWith(`${a.id},${team.id},98,complete,1,1,96.67,100,110000,`)).toBe(true);

    // Closed: a late call of b and a new version of the rule change nothing.
    const closed = await t.admin.post<{ status: string }>(`/v1/appraisals/${run.body.appraisal.id}/close`);
    expect(closed.body.status).toBe('closed');
    await sendEvents(t.admin, handledCall(q.id, b.id, 2400, 100));
    await settle(t);
    const v2 = await t.admin.post(`/v1/appraisal-rules/${created.body.id}/versions`, {
      effectiveFrom: '2020-01-02',
      ...rule(500_000),
    });
    expect(v2.status, v2.text).toBe(201);
    const again = await t.admin.post<Run>('/v1/appraisals', { ruleId: created.body.id, period: PERIOD });
    expect(again.body.computed).toBe(false);
    expect(again.body.appraisal.results).toEqual(run.body.appraisal.results);
    expect(again.body.appraisal.ruleVersion).toBe(1);

    // Re-opened (with a reason), the next run sees the late call and version 2.
    expectProblem(await t.admin.post(`/v1/appraisals/${run.body.appraisal.id}/reopen`, {}), 422, 'VALIDATION_FAILED');
    const reopened = await t.admin.post<{ status: string }>(`/v1/appraisals/${run.body.appraisal.id}/reopen`, {
      reason: 'A late call of b.',
    });
    expect(reopened.body.status).toBe('open');
    expectProblem(
      await t.admin.post(`/v1/appraisals/${run.body.appraisal.id}/reopen`, { reason: 'twice' }),
      409,
      'APPRAISAL_OPEN',
    );
    const rerun = await t.admin.post<Run>('/v1/appraisals', { ruleId: created.body.id, period: PERIOD });
    expect(rerun.body).toMatchObject({ computed: true, appraisal: { id: run.body.appraisal.id, ruleVersion: 2 } });
    const bNow = rerun.body.appraisal.results.find((r) => r.agentId === b.id);
    // b's AHT is now (300 + 100) / 2 = 200 s; efficiency (500 − 200) / 400 = 75.
    expect(bNow?.metrics[0]?.value).toBe(200_000);
    expect(bNow?.categories[0]?.score).toBe(75);

    const log = await t.admin.get<{ data: { action: string; details: Record<string, unknown> }[] }>(
      `/v1/audit-log?resourceType=appraisal&resourceId=${run.body.appraisal.id}`,
    );
    expect(log.body.data.map((e) => e.action)).toEqual([
      'appraisal.computed',
      'appraisal.reopened',
      'appraisal.closed',
      'appraisal.computed',
    ]);
    expect(log.body.data[1]?.details).toEqual({ reason: 'A late call of b.' });
  });

  it('refuses an unknown rule or a period before the rule, and answers another tenant 404', async () => {
    const t = await createTenant();
    expectProblem(await t.admin.post('/v1/appraisals', { ruleId: 'apr_nope', period: '2026-03' }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.post('/v1/appraisals', { ruleId: 'apr_nope', period: '2026-13' }), 422, 'VALIDATION_FAILED');
    const created = await t.admin.post<{ id: string }>('/v1/appraisal-rules', {
      name: 'Later',
      effectiveFrom: '2026-04-01',
      ...rule(400_000),
    });
    const early = await t.admin.post('/v1/appraisals', { ruleId: created.body.id, period: '2026-Q1' });
    expect(expectProblem(early, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/period');
    const run = await t.admin.post<Run>('/v1/appraisals', { ruleId: created.body.id, period: '2026-Q2' });
    expect(run.status, run.text).toBe(200);
    expect(run.body.appraisal.results).toEqual([]);
    expectProblem(await (await createTenant()).admin.get(`/v1/appraisals/${run.body.appraisal.id}`), 404, 'NOT_FOUND');
  });
});
