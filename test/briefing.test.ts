import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { handledCall, PAST_T0, sendEvents, settle } from './helpers/ingest';

const DAY = new Date(PAST_T0).toISOString().slice(0, 10);
const SHIFT = new Date(PAST_T0 + 86_400_000).toISOString().slice(0, 10);

describe('GET /v1/teams/{teamId}/briefing', () => {
  it('the day before against targets, the best and the lagging, disputes, and what this weekday usually brings; also as Markdown', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const team = await createTeam(t, { name: 'Team North' });
    const a = await createAgent(t, { teamId: team.id, name: 'Ada' });
    const b = await createAgent(t, { teamId: team.id, name: 'Bo' });
    const bCall = handledCall(q.id, b.id, 600, 300);
    await sendEvents(t.admin, [
      ...handledCall(q.id, a.id, 0, 100),
      ...bCall,
      // A week before the shift's weekday: one call.
      ...handledCall(q.id, a.id, -6 * 86_400, 60),
    ]);
    await settle(t);
    await t.admin.post('/v1/targets', { metric: 'agentAht', teamId: team.id, value: 200_000, validFrom: '2020-01-01' });
    const form = await t.admin.post<{ id: string }>('/v1/qa/forms', {
      name: 'Calls',
      sections: [{ id: 's', title: 'S', weight: 100, questions: [{ id: 'q', text: 'Q', type: 'yes_no', weight: 100 }] }],
    });
    const evaluation = await t.admin.post<{ id: string }>('/v1/qa/evaluations', {
      formId: form.body.id,
      callId: bCall[0]?.interactionId,
      agentId: b.id,
      answers: { q: false },
      submit: true,
    });
    await t.admin.post(`/v1/qa/evaluations/${evaluation.body.id}/dispute`, { comment: 'I did answer it.' });
    // The shift day's schedule: Bo 08:00–16:00 with lunch, Ada 10:00–18:00; Ada's shift of the day before is not today's.
    const on = (h: number) => `${SHIFT}T${String(h).padStart(2, '0')}:00:00.000Z`;
    const planned = await t.admin.post('/v1/schedules', {
      shifts: [
        { id: 'ada-today', agentId: a.id, start: on(10), end: on(18), activities: [] },
        { id: 'bo-today', agentId: b.id, start: on(8), end: on(16), activities: [{ type: 'lunch', start: on(12), end: on(13) }] },
        { id: 'ada-before', agentId: a.id, start: `${DAY}T10:00:00.000Z`, end: `${DAY}T18:00:00.000Z`, activities: [] },
      ],
    });
    expect(planned.status, planned.text).toBe(200);

    const res = await t.admin.get<{
      day: string;
      team: Record<string, { value: number; target: number | null; met: boolean | null }>;
      agents: { agentId: string; name: string }[];
      highlights: { metric: string; best: { agentId: string } | null; lagging: { agentId: string; gap: number }[] }[];
      disputes: { evaluationId: string; name: string; comment: string }[];
      openAlerts: unknown[];
      expected: { handled: number | null; weeks: number };
      schedule: { shiftId: string; name: string; start: string; activities: { type: string }[] }[];
    }>(`/v1/teams/${team.id}/briefing?date=${SHIFT}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.day).toBe(DAY);
    // The team: (100 + 300) / 2 = 200 s against its 200 s target: met.
    expect(res.body.team.agentAht).toMatchObject({ value: 200_000, target: 200_000, met: true });
    expect(res.body.team.handled).toMatchObject({ value: 2 });
    expect(res.body.agents.map((p) => p.name).sort()).toEqual(['Ada', 'Bo']);
    const aht = res.body.highlights.find((h) => h.metric === 'agentAht');
    expect(aht?.best?.agentId).toBe(a.id);
    expect(aht?.lagging).toEqual([expect.objectContaining({ agentId: b.id, gap: 100_000 })]);
    expect(res.body.disputes).toEqual([
      { evaluationId: evaluation.body.id, agentId: b.id, name: 'Bo', score: 0, comment: 'I did answer it.' },
    ]);
    expect(res.body.openAlerts).toEqual([]);
    expect(res.body.expected).toEqual({ handled: 1, weeks: 1 });
    expect(res.body.schedule.map((x) => [x.shiftId, x.name, x.start, x.activities.map((y) => y.type)])).toEqual([
      ['bo-today', 'Bo', on(8), ['lunch']],
      ['ada-today', 'Ada', on(10), []],
    ]);

    const md = await t.admin.get(`/v1/teams/${team.id}/briefing?date=${SHIFT}&format=markdown`);
    expect(md.headers.get('Content-Type')).toMatch(/^text\/markdown/);
    expect(md.text).toContain(`# Team North — briefing for ${SHIFT}`);
    expect(md.text).toMatch(/to work on: Bo, 300 s against 200 s/);
    expect(md.text).toContain('QA dispute: Bo');
    expect(md.text).toContain('Expect about 1 calls handled');
    expect(md.text).toContain('- On shift: Bo, 08:00–16:00 (lunch 12:00–13:00)\n- On shift: Ada, 10:00–18:00\n');

    // A team whose only agent was logged in but took no call: no "best" at calls handled.
    const quiet = await createTeam(t, { name: 'Team Quiet' });
    const idle = await createAgent(t, { teamId: quiet.id, name: 'Cy' });
    const at = (s: number) => new Date(PAST_T0 + s * 1000).toISOString();
    await sendEvents(t.admin, [
      { id: `${idle.id}:in`, type: 'agent.state_changed', occurredAt: at(0), agentId: idle.id, attrs: { state: 'available' } },
      { id: `${idle.id}:out`, type: 'agent.state_changed', occurredAt: at(3600), agentId: idle.id, attrs: { state: 'offline' } },
    ]);
    await settle(t);
    const quietBriefing = await t.admin.get<{
      agents: { name: string; metrics: Record<string, { value: number | null }> }[];
      highlights: { metric: string; best: unknown }[];
    }>(`/v1/teams/${quiet.id}/briefing?date=${SHIFT}&metrics=handled,utilization`);
    expect(quietBriefing.body.agents.map((p) => [p.name, p.metrics.handled?.value])).toEqual([['Cy', 0]]);
    expect(quietBriefing.body.highlights.map((h) => h.metric)).toEqual(['handled', 'utilization']);
    expect(quietBriefing.body.highlights.find((h) => h.metric === 'handled')?.best).toBeNull();

    expectProblem(await t.admin.get(`/v1/teams/${team.id}/briefing?metrics=nope`), 422, 'VALIDATION_FAILED');
    expectProblem(await (await createTenant()).admin.get(`/v1/teams/${team.id}/briefing`), 404, 'NOT_FOUND');
  });
});
