import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createSite, createTeam, createTenant, type TestTenant } from './factories';
import { type ApiResponse, call, client, expectProblem, platform } from './helpers/api';
import { abandonedCall, callId, handledCall, PAST_T0, sendEvents, settle } from './helpers/ingest';

/**
 * Runs the same checks over every route of the OpenAPI document, so a new route is covered the day
 * it is added: API-key routes need a key (401) with the right scope (403) and see only their own
 * tenant (another tenant's id is a 404 that changes nothing); platform routes need the platform token.
 */
interface Operation {
  method: string;
  path: string;
  scope?: 'admin' | 'read' | 'ingest';
  /** How the route applies a key limited to a team or an agent; absent: it refuses such keys (docs/roles.md). */
  keyLimits?: string;
  platform: boolean;
  webhook: boolean;
  hasBody: boolean;
}

async function operations(): Promise<Operation[]> {
  const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, any>> };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        scope: op['x-required-scope'],
        keyLimits: op['x-key-limits'],
        platform: JSON.stringify(op.security ?? []).includes('platformToken'),
        webhook: JSON.stringify(op.security ?? []).includes('webhookSignature'),
        hasBody: Boolean(op.requestBody),
      });
    }
  }
  return ops;
}

/** Ids of one tenant's resources, by path parameter name. */
async function fixtures(t: TestTenant): Promise<Record<string, string>> {
  const site = await createSite(t);
  const team = await createTeam(t, { siteId: site.id });
  const queue = await createQueue(t, { externalKeys: [{ provider: 'generic', key: `q-${site.id}` }] });
  const agent = await createAgent(t, { teamId: team.id, queueIds: [queue.id] });
  const key = await createKey(t, { scopes: ['read'] });
  const connector = await t.admin.post('/v1/connectors', { name: `c-${site.id}`, provider: 'generic' });
  const webhookEndpoint = await t.admin.post('/v1/webhook-endpoints', {
    url: 'https://hooks.example.com/callboard',
    eventTypes: ['*'],
  });
  expect(webhookEndpoint.status, webhookEndpoint.text).toBe(201);
  const call = callId();
  // The agent has history of its own: a call it handled, besides the abandoned one its evaluation is about.
  const handled = handledCall(queue.id, agent.id, 60, 90);
  await sendEvents(t.admin, [...abandonedCall(call, queue.id, 3), ...handled]);
  await settle(t);
  const imported = await t.admin.post('/v1/imports', undefined, {
    rawBody: 'rowKey,queue,enqueuedAt,leftAt,outcome\n',
    headers: { 'Content-Type': 'text/csv' },
  });
  expect(imported.status, imported.text).toBe(201);
  const rule = await t.admin.post('/v1/alert-rules', {
    name: `r-${site.id}`,
    scope: { kind: 'queue', id: queue.id },
    condition: { type: 'metric', metric: 'waiting', comparator: 'gt', threshold: 100 },
  });
  expect(rule.status, rule.text).toBe(201);
  const appraisalRule = await t.admin.post('/v1/appraisal-rules', {
    name: `a-${site.id}`,
    effectiveFrom: '2026-01-01',
    categories: [
      {
        id: 'efficiency',
        weight: 100,
        metrics: [{ metric: 'agentAht', weight: 100, scoring: { type: 'linear', worst: 400_000, best: 200_000 } }],
      },
    ],
  });
  expect(appraisalRule.status, appraisalRule.text).toBe(201);
  const target = await t.admin.post('/v1/targets', {
    metric: 'agentAht',
    value: 280_000,
    validFrom: '2026-01-01',
    agentId: agent.id,
  });
  expect(target.status, target.text).toBe(201);
  const qaForm = await t.admin.post('/v1/qa/forms', { name: `q-${site.id}`, ...QA_FORM });
  expect(qaForm.status, qaForm.text).toBe(201);
  const evaluation = await t.admin.post('/v1/qa/evaluations', { formId: qaForm.body.id, callId: call, agentId: agent.id });
  expect(evaluation.status, evaluation.text).toBe(201);
  const appraisal = await t.admin.post('/v1/appraisals', { ruleId: appraisalRule.body.id, period: '2026-03' });
  expect(appraisal.status, appraisal.text).toBe(200);
  const shift = await t.admin.post('/v1/schedules', {
    shifts: [{ agentId: agent.id, start: '2026-01-05T09:00:00Z', end: '2026-01-05T17:00:00Z' }],
  });
  expect(shift.status, shift.text).toBe(200);
  const trainingRecord = await t.admin.post('/v1/training-records', {
    agentId: agent.id,
    course: 'Onboarding',
    completedOn: '2026-01-05',
    hours: 4,
  });
  expect(trainingRecord.status, trainingRecord.text).toBe(201);
  const campaign = await t.admin.post('/v1/outbound/campaigns', {
    name: `o-${site.id}`,
    windows: [{ days: ['mon'], start: '09:00', end: '17:00' }],
  });
  expect(campaign.status, campaign.text).toBe(201);
  return {
    campaignId: campaign.body.id,
    shiftId: shift.body.data[0].id,
    trainingRecordId: trainingRecord.body.id,
    handledCallId: handled[0]?.interactionId as string,
    appraisalId: appraisal.body.appraisal.id,
    formId: qaForm.body.id,
    evaluationId: evaluation.body.id,
    targetId: target.body.id,
    ruleId: rule.body.id,
    appraisalRuleId: appraisalRule.body.id,
    version: '1',
    alertId: 'alr_01jx2c8v3m0000000000000000',
    siteId: site.id,
    teamId: team.id,
    queueId: queue.id,
    agentId: agent.id,
    keyId: key.id,
    tenantId: t.id,
    connectorId: connector.body.id,
    endpointId: webhookEndpoint.body.id,
    callId: call,
    importId: imported.body.id,
  };
}

/** A body without what depends on the instant it was read: `asOf`, rolling windows' starts, time in state. */
function timeless(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (key, value) =>
    key === 'asOf' || key === 'from' || key === 'timeInStateMs' || key === 'longestWaitMs' ? undefined : value,
  );
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`route-guards has no fixture id for {${name}} in ${path}: add one to fixtures()`);
    return id;
  });
}

/** Bodies for routes whose body has required fields (an empty one would be a 422 before the 404). */
const QA_FORM = {
  sections: [{ id: 's', title: 'S', weight: 100, questions: [{ id: 'q', text: 'Q', type: 'yes_no', weight: 100 }] }],
};

const VALID_BODIES: Record<string, unknown> = {
  '/v1/qa/forms/{formId}/versions': QA_FORM,
  '/v1/appraisals/{appraisalId}/reopen': { reason: 'A late call.' },
  '/v1/qa/evaluations/{evaluationId}/dispute': { comment: 'No.' },
  '/v1/qa/evaluations/{evaluationId}/resolve': { outcome: 'upheld', comment: 'It stands.' },
  '/v1/training-records/{trainingRecordId}': { hours: 2, examScore: 80 },
  '/v1/surveys': { callId: 'route-guard-call', score: 4 },
  ...staffingBodies(),
  '/v1/connectors/{connectorId}/renormalize': { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
  '/v1/appraisal-rules/{appraisalRuleId}/versions': {
    effectiveFrom: '2026-02-01',
    categories: [
      {
        id: 'efficiency',
        weight: 100,
        metrics: [{ metric: 'agentAht', weight: 100, scoring: { type: 'linear', worst: 400_000, best: 200_000 } }],
      },
    ],
  },
};

/** The staffing calculator's bodies, single and batch (a team lead's key may use them: they read no tenant data). */
function staffingBodies(): Record<string, unknown> {
  const interval = { arrivals: 100, intervalSeconds: 900, ahtSeconds: 180, agents: 24, targetSeconds: 20 };
  const required = { arrivals: 100, intervalSeconds: 900, ahtSeconds: 180, targetSeconds: 20, targetServiceLevel: 0.8 };
  const single: Record<string, unknown> = {
    '/v1/staffing/erlang-b': { agents: 24, erlangs: 20 },
    '/v1/staffing/erlang-c': interval,
    '/v1/staffing/erlang-a': { ...interval, patienceSeconds: 120 },
    '/v1/staffing/required-agents': required,
  };
  return {
    ...single,
    ...Object.fromEntries(Object.entries(single).map(([path, body]) => [`${path}/batch`, { intervals: [body, body] }])),
  };
}

const send = (op: Operation, path: string, token: string | null): Promise<ApiResponse> =>
  call(op.method, path, { token, ...(op.hasBody ? { body: VALID_BODIES[op.path] ?? {} } : {}) });

describe('every route', () => {
  it('is either public, platform-only or guarded by an API-key scope', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThanOrEqual(25);
    const unguarded = ops.filter((op) => !op.scope && !op.platform && !op.webhook).map((op) => `${op.method} ${op.path}`);
    expect(unguarded).toEqual(['GET /health']);
    const webhooks = ops.filter((op) => op.webhook).map((op) => `${op.method} ${op.path}`);
    expect(webhooks).toEqual(['POST /v1/webhooks/{provider}/{connectorId}']);
  });

  it('answers 401 without credentials and 403 with a key lacking the scope', async () => {
    const t = await createTenant();
    const ids = await fixtures(t);
    const keys = {
      read: (await createKey(t, { scopes: ['ingest'] })).key,
      admin: (await createKey(t, { scopes: ['read', 'ingest'] })).key,
      ingest: (await createKey(t, { scopes: ['read'] })).key,
    };
    for (const op of await operations()) {
      if (!op.scope && !op.platform) continue;
      const path = fill(op.path, ids);
      expectProblem(await send(op, path, null), 401, 'UNAUTHENTICATED');
      if (op.platform) {
        expectProblem(await send(op, path, t.adminKey), 401, 'INVALID_CREDENTIALS');
      } else if (op.scope) {
        expectProblem(await send(op, path, keys[op.scope]), 403, 'INSUFFICIENT_SCOPE');
      }
    }
  });

  it('refuses keys limited to a team or an agent unless the route applies the limit, which then never shows another team', async () => {
    const t = await createTenant();
    const mine = await fixtures(t);
    const theirs = await fixtures(t); // another team of the same tenant, with an agent, a call, an evaluation, a shift…
    const keys = {
      team: (await createKey(t, { scopes: ['read'], limit: { teamId: mine.teamId } })).key,
      agent: (await createKey(t, { scopes: ['read'], limit: { agentId: mine.agentId } })).key,
    };
    // Queries that make each read answer with data (both teams' agents, when a key of the whole tenant asks).
    const from = new Date(PAST_T0 - 86_400_000).toISOString();
    const to = new Date(PAST_T0 + 2 * 86_400_000).toISOString();
    const queries: Record<string, string> = {
      '/v1/kpis': `metrics=handled,aht&from=${from}&to=${to}&groupBy=agent`,
      '/v1/kpis/explain': `metric=handled&start=${from}&end=${to}`,
      '/v1/schedules': 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
      '/v1/attendance': 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
      '/v1/people/headcount': 'from=2026-01&to=2026-03&groupBy=team',
      '/v1/targets/effective': `metric=agentAht&agentId=${mine.agentId}&date=2026-03-01`,
      '/v1/training-records': 'from=2026-01-01&to=2026-02-01',
    };
    const other = {
      agent: theirs.agentId as string,
      call: theirs.handledCallId as string,
      evaluation: theirs.evaluationId as string,
    };
    // The other team's appraisal ran after both agents existed: it holds both results.
    const ids = { ...mine, appraisalId: theirs.appraisalId as string };
    const ops = (await operations()).filter((op) => op.scope);
    const honouring = ops.filter((op) => op.keyLimits);
    expect(honouring.length).toBeGreaterThanOrEqual(20);
    // Only reads may honour limits: a limited key never holds another scope.
    expect(honouring.filter((op) => op.scope !== 'read')).toEqual([]);
    const failures: string[] = [];
    const leaky: string[] = []; // routes whose answer to a key of the whole tenant names the other team's agent
    for (const op of ops) {
      const query = queries[op.path];
      const path = `${fill(op.path, ids)}${query ? `?${query}` : ''}`;
      const whole = op.keyLimits && op.method === 'GET' ? (await send(op, path, t.adminKey)).text : '';
      if (whole.includes(other.agent)) leaky.push(op.path);
      if (whole.includes(other.call)) leaky.push(`${op.path} (call)`);
      for (const [kind, key] of Object.entries(keys)) {
        const res = await send(op, path, key);
        const code = (res.body as { code?: string } | undefined)?.code;
        const where = `${kind} key: ${op.method} ${op.path}`;
        if (op.scope !== 'read') {
          if (res.status !== 403 || code !== 'INSUFFICIENT_SCOPE') failures.push(`${where}: ${res.status} ${code}`);
        } else if (!op.keyLimits) {
          if (res.status !== 403 || code !== 'KEY_LIMITED') failures.push(`${where}: ${res.status} ${code}`);
        } else if (res.status >= 500 || res.status === 401) {
          failures.push(`${where}: ${res.status} ${res.text.slice(0, 200)}`);
        } else if (res.text.includes(other.agent) || res.text.includes(other.call)) {
          failures.push(`${where} shows the other team's agent or its call: ${res.text.slice(0, 200)}`);
        } else if (kind === 'agent' && res.status < 300 && res.text.includes(other.evaluation)) {
          failures.push(`${where} shows another agent's evaluation`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The check above means something: these answers do name the other team's agent to a key of the whole tenant.
    expect(leaky).toEqual(
      expect.arrayContaining([
        '/v1/kpis',
        '/v1/kpis/explain',
        '/v1/calls',
        '/v1/calls (call)',
        '/v1/qa/evaluations',
        '/v1/appraisals/{appraisalId}',
        '/v1/schedules',
        '/v1/attendance',
        '/v1/agents',
        '/v1/training-records',
      ]),
    );
  });

  it("answers 404 for another tenant's ids and leaves them untouched", async () => {
    const owner = await createTenant();
    const intruder = await createTenant();
    const ids = await fixtures(owner);
    await fixtures(intruder); // the intruder has resources of its own, so its queries are not empty by accident
    const tenantOps = (await operations()).filter((op) => op.scope && /\{\w+\}/.test(op.path));
    expect(tenantOps.length).toBeGreaterThanOrEqual(14);

    const before = new Map<string, unknown>();
    for (const op of tenantOps.filter((o) => o.method === 'GET')) {
      before.set(op.path, (await owner.admin.get(fill(op.path, ids))).body);
    }
    for (const op of tenantOps) {
      const res = await send(op, fill(op.path, ids), intruder.adminKey);
      expectProblem(res, 404, 'NOT_FOUND');
    }
    for (const [path, body] of before) {
      const res = await owner.admin.get(fill(path, ids));
      expect(res.status).toBe(200);
      // Live snapshots carry the time they were taken (and windows ending then); everything else must be unchanged.
      expect(timeless(res.body), path).toEqual(timeless(body));
    }
    // The read key the intruder tried to revoke still works.
    const keyStillWorks = await client((await createKey(owner, { scopes: ['read'] })).key).get('/v1/queues');
    expect(keyStillWorks.body.data.map((q: { id: string }) => q.id)).toEqual([ids.queueId]);
  });

  it('answers a 4xx problem, never a 500, for a NUL in any path id', async () => {
    const t = await createTenant();
    const ids: Record<string, string> = { ...(await fixtures(t)), provider: 'generic' };
    const ops = (await operations()).filter((op) => /\{\w+\}/.test(op.path));
    expect(ops.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for (const op of ops) {
      for (const name of op.path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        if (name === 'provider') continue; // an enum: a NUL is simply no route
        const path = fill(op.path, { ...ids, [name]: `${ids[name]}%00` });
        const res = await send(op, path, op.platform ? platform.token : t.adminKey);
        const problem = (res.headers.get('Content-Type') ?? '').startsWith('application/problem+json');
        if (res.status < 400 || res.status >= 500 || !problem || typeof res.body?.code !== 'string') {
          failures.push(`${op.method} ${op.path} {${name}}: ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('platform routes answer 404 for a tenant that does not exist', async () => {
    const ops = (await operations()).filter((op) => op.platform && op.path.includes('{tenantId}'));
    expect(ops.length).toBeGreaterThanOrEqual(3);
    // A body each route accepts, so what answers is the unknown tenant.
    const bodies: Record<string, unknown> = {
      '/v1/tenants/{tenantId}/database': { databaseUrl: 'postgres://app@db.test/t', migrationUrl: 'postgres://owner@db.test/t' },
    };
    for (const op of ops) {
      const path = fill(op.path, { tenantId: 'tnt_00000000000000000000000000' });
      const res = await call(op.method, path, {
        token: platform.token,
        ...(op.hasBody ? { body: bodies[op.path] ?? { name: 'x', scopes: ['read'] } } : {}),
      });
      expectProblem(res, 404, 'NOT_FOUND');
    }
  });
});
