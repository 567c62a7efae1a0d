import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { client, expectProblem, platform } from './helpers/api';
import { handledCall, PAST_T0, sendEvents, settle } from './helpers/ingest';
import { openStream } from './helpers/live';

/**
 * Keys limited to a team (a team lead) or to one agent (docs/roles.md): what they see, what they may do, and that
 * everything else refuses them.
 */
const QA_FORM = {
  sections: [{ id: 's', title: 'S', weight: 100, questions: [{ id: 'q', text: 'Q', type: 'yes_no', weight: 100 }] }],
};

interface Center {
  t: TestTenant;
  teamA: string;
  teamB: string;
  agentA: string;
  agentB: string;
  callA: string;
  callB: string;
  evaluationA: string;
  evaluationB: string;
}

/** Two teams, each with an agent who handled a call the day before and has a submitted QA evaluation of it. */
async function center(): Promise<Center> {
  const t = await createTenant();
  const teamA = (await createTeam(t)).id;
  const teamB = (await createTeam(t)).id;
  const queue = await createQueue(t);
  const agentA = (await createAgent(t, { teamId: teamA, queueIds: [queue.id] })).id;
  const agentB = (await createAgent(t, { teamId: teamB, queueIds: [queue.id] })).id;
  const eventsA = handledCall(queue.id, agentA, 60, 100);
  const eventsB = handledCall(queue.id, agentB, 120, 200);
  await sendEvents(t.admin, [...eventsA, ...eventsB]);
  await settle(t);
  const form = await t.admin.post('/v1/qa/forms', { name: 'Form', ...QA_FORM });
  expect(form.status, form.text).toBe(201);
  const evaluate = async (callId: string, agentId: string) => {
    const res = await t.admin.post('/v1/qa/evaluations', {
      formId: form.body.id,
      callId,
      agentId,
      answers: { q: true },
      submit: true,
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const callA = eventsA[0]?.interactionId as string;
  const callB = eventsB[0]?.interactionId as string;
  return {
    t,
    teamA,
    teamB,
    agentA,
    agentB,
    callA,
    callB,
    evaluationA: await evaluate(callA, agentA),
    evaluationB: await evaluate(callB, agentB),
  };
}

const day = (offsetDays: number) => new Date(PAST_T0 + offsetDays * 86_400_000).toISOString();
const ids = (rows: { group: Record<string, string | null> }[], dim: string) => rows.map((r) => r.group[dim]).sort();

describe('a key limited to a team or an agent', () => {
  it('is created only with the read scope and the tenant’s own team or agent, and is listed with its limit', async () => {
    const c = await center();
    const other = await center();
    const cases: [Record<string, unknown>, string][] = [
      [{ scopes: ['admin'], limit: { teamId: c.teamA } }, '/scopes'],
      [{ scopes: ['read', 'ingest'], limit: { agentId: c.agentA } }, '/scopes'],
      [{ scopes: ['read'], limit: { teamId: 'tem_00000000000000000000000000' } }, '/limit/teamId'],
      [{ scopes: ['read'], limit: { agentId: other.agentA } }, '/limit/agentId'],
      [{ scopes: ['read'], limit: { teamId: c.teamA, agentId: c.agentA } }, '/limit'],
      [{ scopes: ['read'], limit: {} }, '/limit'],
    ];
    for (const [body, pointer] of cases) {
      const res = await c.t.admin.post('/v1/api-keys', { name: 'lead', ...body });
      const problem = expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(
        problem.errors?.map((e) => e.pointer).some((p) => p.startsWith(pointer)),
        JSON.stringify(body),
      ).toBe(true);
    }
    // The platform route checks the same.
    const byPlatform = await platform.post(`/v1/tenants/${c.t.id}/api-keys`, {
      name: 'lead',
      scopes: ['admin'],
      limit: { teamId: c.teamA },
    });
    expectProblem(byPlatform, 422, 'VALIDATION_FAILED');
    const issued = await platform.post(`/v1/tenants/${c.t.id}/api-keys`, {
      name: 'agent',
      scopes: ['read'],
      limit: { agentId: c.agentB },
    });
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body.limit).toEqual({ agentId: c.agentB });
    const agentOnly = await client(issued.body.key).get('/v1/qa/evaluations');
    expect(agentOnly.body.data.map((e: { id: string }) => e.id)).toEqual([c.evaluationB]);

    const lead = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    expect(lead.limit).toEqual({ teamId: c.teamA });
    const listed = await c.t.admin.get('/v1/api-keys');
    const limits = new Map(listed.body.data.map((k: { id: string; limit: unknown }) => [k.id, k.limit]));
    expect(limits.get(lead.id)).toEqual({ teamId: c.teamA });
    expect(limits.get(issued.body.id)).toEqual({ agentId: c.agentB });
    expect(limits.get(c.t.created.apiKey.id)).toBeNull();
    expect((await c.t.admin.get(`/v1/api-keys/${lead.id}`)).body.limit).toEqual({ teamId: c.teamA });
  });

  it('is refused by routes that do not apply limits, and by routes of other scopes', async () => {
    const c = await center();
    const lead = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    for (const path of ['/v1/queues', '/v1/live', '/v1/alerts', '/v1/targets', '/v1/qa/calibration?callId=x&formId=y']) {
      const problem = expectProblem(await lead.client.get(path), 403, 'KEY_LIMITED');
      expect(problem.detail).toContain(c.teamA);
    }
    expectProblem(await lead.client.post('/v1/queues', { name: 'x' }), 403, 'INSUFFICIENT_SCOPE');
    // The TenantDO's mirror rebuilt from Postgres keeps the limit.
    expect((await platform.post(`/v1/tenants/${c.t.id}/resync`)).status).toBe(200);
    expectProblem(await lead.client.get('/v1/queues'), 403, 'KEY_LIMITED');
    expect((await lead.client.get('/v1/qa/evaluations')).body.data.map((e: { id: string }) => e.id)).toEqual([c.evaluationA]);
    // The same key of the whole tenant reads them.
    const reader = await createKey(c.t, { scopes: ['read'] });
    expect((await reader.client.get('/v1/queues')).status).toBe(200);
  });

  it('shows a team lead their team’s agents’ KPIs, calls and evaluations, never the other team’s', async () => {
    const c = await center();
    const lead = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    const kpis = (extra: string) =>
      lead.client.get(`/v1/kpis?metrics=handled,aht&from=${day(-1)}&to=${day(2)}&groupBy=agent${extra}`);
    const mine = await kpis('');
    expect(mine.status, mine.text).toBe(200);
    expect(ids(mine.body.rows, 'agentId')).toEqual([c.agentA]);
    expect(mine.body.rows[0].metrics.handled.value).toBe(1);
    // The whole tenant sees both; a team filter of its own team is the same as none.
    const all = await c.t.admin.get(`/v1/kpis?metrics=handled,aht&from=${day(-1)}&to=${day(2)}&groupBy=agent`);
    expect(ids(all.body.rows, 'agentId')).toEqual([c.agentA, c.agentB].sort());
    expect((await kpis(`&teamIds=${c.teamA}`)).body).toEqual(mine.body);
    expectProblem(await kpis(`&teamIds=${c.teamB}`), 403, 'KEY_LIMITED');
    expectProblem(await kpis(`&agentIds=${c.agentB}`), 403, 'KEY_LIMITED');
    expectProblem(await lead.client.get(`/v1/kpis?metrics=ivrSelfServiceRate&from=${day(-1)}&to=${day(2)}`), 403, 'KEY_LIMITED');
    // Without grouping by agent the total is the team's only.
    const total = await lead.client.get(`/v1/kpis?metrics=handled&from=${day(-1)}&to=${day(2)}`);
    expect(total.body.rows[0].metrics.handled.value).toBe(1);

    const explained = await lead.client.get(`/v1/kpis/explain?metric=handled&start=${day(-1)}&end=${day(2)}`);
    expect(explained.status, explained.text).toBe(200);
    expect(explained.text).toContain(c.agentA);
    expect(explained.text).not.toContain(c.agentB);
    expectProblem(
      await lead.client.get(`/v1/kpis/explain?metric=handled&start=${day(-1)}&end=${day(2)}&agentId=${c.agentB}`),
      403,
      'KEY_LIMITED',
    );

    const calls = await lead.client.get('/v1/calls');
    expect(calls.body.data.map((x: { id: string }) => x.id)).toEqual([c.callA]);
    expect((await lead.client.get(`/v1/calls/${c.callA}`)).status).toBe(200);
    expectProblem(await lead.client.get(`/v1/calls/${c.callB}`), 404, 'NOT_FOUND');

    const evaluations = await lead.client.get('/v1/qa/evaluations');
    expect(evaluations.body.data.map((e: { id: string }) => e.id)).toEqual([c.evaluationA]);
    expect((await lead.client.get(`/v1/qa/evaluations/${c.evaluationA}`)).status).toBe(200);
    expectProblem(await lead.client.get(`/v1/qa/evaluations/${c.evaluationB}`), 404, 'NOT_FOUND');
    expectProblem(await lead.client.get(`/v1/qa/evaluations?agentId=${c.agentB}`), 403, 'KEY_LIMITED');

    const agents = await lead.client.get('/v1/agents');
    expect(agents.body.data.map((a: { id: string }) => a.id)).toEqual([c.agentA]);
    expectProblem(await lead.client.get(`/v1/agents/${c.agentB}`), 404, 'NOT_FOUND');
    expect((await lead.client.get(`/v1/teams/${c.teamA}/briefing`)).status).toBe(200);
    expectProblem(await lead.client.get(`/v1/teams/${c.teamB}/briefing`), 403, 'KEY_LIMITED');
  });

  it('follows an agent’s move: the old team keeps the calls of its time, the new team gets those after', async () => {
    const c = await center();
    const queue = await createQueue(c.t);
    // agentA moves to team B an hour after PAST_T0; a second call of theirs comes after the move.
    const moved = await c.t.admin.patch(`/v1/agents/${c.agentA}`, {
      teamId: c.teamB,
      effectiveFrom: new Date(PAST_T0 + 3_600_000).toISOString(),
    });
    expect(moved.status, moved.text).toBe(200);
    const later = handledCall(queue.id, c.agentA, 7_200, 50);
    await sendEvents(c.t.admin, later);
    await settle(c.t);
    const leadA = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    const leadB = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamB } });
    const callsOf = async (key: typeof leadA) =>
      (await key.client.get('/v1/calls')).body.data.map((x: { id: string }) => x.id).sort();
    expect(await callsOf(leadA)).toEqual([c.callA]);
    expect(await callsOf(leadB)).toEqual([c.callB, later[0]?.interactionId].sort());
    const handled = async (key: typeof leadA) =>
      (await key.client.get(`/v1/kpis?metrics=handled&from=${day(-1)}&to=${day(2)}&groupBy=agent`)).body.rows
        .map((r: { group: { agentId: string }; metrics: { handled: { value: number } } }) => [
          r.group.agentId,
          r.metrics.handled.value,
        ])
        .sort();
    expect(await handled(leadA)).toEqual([[c.agentA, 1]]);
    expect(await handled(leadB)).toEqual(
      [
        [c.agentA, 1],
        [c.agentB, 1],
      ].sort(),
    );
  });

  it('lets an agent see, acknowledge and dispute only their own evaluations; a team lead speaks for no one', async () => {
    const c = await center();
    const agentA = await createKey(c.t, { scopes: ['read'], limit: { agentId: c.agentA } });
    const lead = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    const own = await agentA.client.get('/v1/qa/evaluations');
    expect(own.body.data.map((e: { id: string }) => e.id)).toEqual([c.evaluationA]);
    expectProblem(await agentA.client.post(`/v1/qa/evaluations/${c.evaluationB}/acknowledge`), 404, 'NOT_FOUND');
    expectProblem(
      await agentA.client.post(`/v1/qa/evaluations/${c.evaluationB}/dispute`, { comment: 'Not mine.' }),
      404,
      'NOT_FOUND',
    );
    expectProblem(await lead.client.post(`/v1/qa/evaluations/${c.evaluationA}/acknowledge`), 403, 'KEY_LIMITED');
    expectProblem(
      await lead.client.post(`/v1/qa/evaluations/${c.evaluationA}/dispute`, { comment: 'For them.' }),
      403,
      'KEY_LIMITED',
    );
    const acknowledged = await agentA.client.post(`/v1/qa/evaluations/${c.evaluationA}/acknowledge`);
    expect(acknowledged.status, acknowledged.text).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    const disputed = await agentA.client.post(`/v1/qa/evaluations/${c.evaluationA}/dispute`, { comment: 'The call dropped.' });
    expect(disputed.status, disputed.text).toBe(200);
    expect(disputed.body.status).toBe('disputed');
    // Nothing happened to the other agent's.
    expect((await c.t.admin.get(`/v1/qa/evaluations/${c.evaluationB}`)).body.status).toBe('submitted');

    // Its own KPIs only; another agent or a team-level route is refused.
    const kpis = await agentA.client.get(`/v1/kpis?metrics=handled&from=${day(-1)}&to=${day(2)}&groupBy=agent`);
    expect(ids(kpis.body.rows, 'agentId')).toEqual([c.agentA]);
    expectProblem(
      await agentA.client.get(`/v1/kpis?metrics=handled&from=${day(-1)}&to=${day(2)}&agentIds=${c.agentB}`),
      403,
      'KEY_LIMITED',
    );
    expectProblem(await agentA.client.get(`/v1/teams/${c.teamA}/briefing`), 403, 'KEY_LIMITED');
    expectProblem(await agentA.client.get('/v1/people/headcount?from=2026-01&to=2026-02'), 403, 'KEY_LIMITED');
  });

  it('survives in a live token: the stream it opens lists only the team’s agents, the queue’s numbers whole', async () => {
    const c = await center();
    const [queue] = (await c.t.admin.get<{ data: { id: string }[] }>('/v1/queues')).body.data;
    const available = (agentId: string) => ({
      id: `${agentId}:available`,
      type: 'agent.state_changed',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      agentId,
      attrs: { state: 'available' },
    });
    await sendEvents(c.t.admin, [available(c.agentA), available(c.agentB)]);
    await settle(c.t);
    const lead = await createKey(c.t, { scopes: ['read'], limit: { teamId: c.teamA } });
    const minted = await lead.client.post('/v1/live/tokens', {});
    expect(minted.status, minted.text).toBe(201);
    expect(minted.body.limit).toEqual({ teamId: c.teamA });
    const listed = (m: any) => (m.data.agents.list as { agentId: string }[]).map((a) => a.agentId).sort();
    const isSnapshot = (m: any) => m.type === 'snapshot' && m.queueId === queue?.id && m.data.agents.list.length > 0;
    // Both agents have been available over 30 s: an agent-state rule raises an alert for each.
    const rule = await c.t.admin.post('/v1/alert-rules', {
      name: 'available too long',
      scope: { kind: 'tenant' },
      condition: { type: 'agent_state', state: 'available', maxSeconds: 30 },
    });
    expect(rule.status, rule.text).toBe(201);
    const all = await openStream('', c.t.adminKey);
    const alerted = (ws: Awaited<ReturnType<typeof openStream>>) =>
      ws.messages.filter((m) => m.type === 'alert').map((m) => m.alert.agentId as string);
    await all.next((m) => m.type === 'alert' && m.alert.agentId === c.agentB);
    await all.next((m) => m.type === 'alert' && m.alert.agentId === c.agentA);
    expect(listed(await all.next(isSnapshot))).toEqual([c.agentA, c.agentB].sort());
    // The team lead's stream: team A's agent only, and its alert only, while the counts by state stay the queue's.
    const led = await openStream(`?token=${encodeURIComponent(minted.body.token)}`, null);
    const ledSnapshot = await led.next(isSnapshot);
    expect(listed(ledSnapshot)).toEqual([c.agentA]);
    expect(ledSnapshot.data.agents.byState.available).toBe(2);
    expect(alerted(led)).toEqual([c.agentA]);
    led.close();
    // An agent's own key: itself only. A key of the whole tenant: both.
    const own = await createKey(c.t, { scopes: ['read'], limit: { agentId: c.agentB } });
    const mine = await openStream('', own.key);
    expect(listed(await mine.next(isSnapshot))).toEqual([c.agentB]);
    mine.close();
    all.close();
    // Another key's Idempotency-Key never replays that key's token (nor its limit, or lack of one) to this one.
    const first = await c.t.admin.post('/v1/live/tokens', {}, { headers: { 'Idempotency-Key': 'token-1' } });
    expect(first.body.limit).toBeNull();
    const replayed = await lead.client.post('/v1/live/tokens', {}, { headers: { 'Idempotency-Key': 'token-1' } });
    expect(replayed.body.token).not.toBe(first.body.token);
    expectProblem(replayed, 409, 'IDEMPOTENCY_KEY_REUSED');
    // A token of a key of the whole tenant carries no limit and opens the stream as before.
    const reader = await createKey(c.t, { scopes: ['read'] });
    const open = await reader.client.post('/v1/live/tokens', {});
    expect(open.body.limit).toBeNull();
  });
});
