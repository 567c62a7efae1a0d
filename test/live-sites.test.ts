import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createSite, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { callId, sendEvents, T0 } from './helpers/ingest';

/** Instants of today: within the last 20 minutes, never before today's UTC midnight (the tenant's zone). */
const BASE = Math.max(T0 + 60_000, Date.now() - 20 * 60_000);
const iso = (ms: number) => new Date(ms).toISOString();

const state = (agentId: string, s: string, second: number) => ({
  id: `${callId('state')}:${agentId}`,
  type: 'agent.state_changed',
  occurredAt: iso(BASE + second * 1000),
  agentId,
  attrs: { state: s },
});
const joined = (queueId: string, second: number) => {
  const id = callId('wait');
  return [
    {
      id: `${id}:s`,
      type: 'interaction.started',
      occurredAt: iso(BASE + second * 1000),
      interactionId: id,
      direction: 'inbound',
    },
    { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(BASE + second * 1000), interactionId: id, queueId },
  ];
};
function answered(queueId: string, agentId: string, second: number, wait: number) {
  const id = callId('ans');
  const t = (s: number) => iso(BASE + (second + s) * 1000);
  return [
    { id: `${id}:s`, type: 'interaction.started', occurredAt: t(0), interactionId: id, direction: 'inbound' },
    { id: `${id}:j`, type: 'queue.joined', occurredAt: t(0), interactionId: id, queueId },
    {
      id: `${id}:l`,
      type: 'queue.left',
      occurredAt: t(wait),
      interactionId: id,
      queueId,
      agentId,
      attrs: { outcome: 'answered' },
    },
    { id: `${id}:e`, type: 'interaction.ended', occurredAt: t(wait + 30), interactionId: id },
  ];
}

/** Two sites: Sales lives at A, Support at B; B's agents also serve Sales. */
async function twoSites() {
  const t = await createTenant();
  const a = await createSite(t, { timeZone: 'Europe/Prague' });
  const b = await createSite(t, { timeZone: 'Asia/Kuala_Lumpur' });
  const sales = await createQueue(t, { name: `Sales ${callId()}`, siteId: a.id });
  const support = await createQueue(t, { siteId: b.id });
  const a1 = await createAgent(t, { siteId: a.id, queueIds: [sales.id] });
  const b1 = await createAgent(t, { siteId: b.id, queueIds: [support.id, sales.id] });
  const b2 = await createAgent(t, { siteId: b.id, queueIds: [support.id, sales.id] });
  const b3 = await createAgent(t, { siteId: b.id, queueIds: [support.id] });
  return { t, a, b, sales, support, a1, b1, b2, b3 };
}

describe('GET /v1/live/sites', () => {
  it('suggests the site with agents serving a queue available when callers wait and none of its own site is', async () => {
    const { t, a, b, sales, support, a1, b1, b2, b3 } = await twoSites();
    await sendEvents(t.admin, [
      ...answered(sales.id, a1.id, 0, 5),
      ...answered(sales.id, a1.id, 60, 40),
      ...answered(support.id, b3.id, 0, 2),
      state(a1.id, 'busy', 200),
      state(b1.id, 'available', 200),
      state(b2.id, 'available', 201),
      state(b3.id, 'available', 202),
      ...joined(sales.id, 300),
      ...joined(sales.id, 310),
      ...joined(sales.id, 320),
    ]);
    const res = await t.admin.get('/v1/live/sites');
    expect(res.status, res.text).toBe(200);
    expect(res.body.overflow).toEqual([
      {
        queueId: sales.id,
        fromSiteId: a.id,
        toSiteId: b.id,
        waiting: 3,
        longestWaitMs: expect.any(Number),
        availableAgents: 2,
        agentIds: [b1.id, b2.id].sort(),
        reason: `Site ${b.id} has 2 available agents who serve queue ${sales.name} (${sales.id}), which has 3 callers waiting and no agent available at site ${a.id}.`,
      },
    ]);
    const siteA = res.body.sites.find((s: { siteId: string }) => s.siteId === a.id);
    const siteB = res.body.sites.find((s: { siteId: string }) => s.siteId === b.id);
    expect(siteA).toMatchObject({
      waiting: 3,
      agents: { available: 0, staffed: 1, byState: expect.objectContaining({ busy: 1 }) },
      queues: [{ queueId: sales.id, waiting: 3, agents: { available: 0, staffed: 1 } }],
    });
    expect(siteA.serviceLevel.today).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(siteA.serviceLevel.lastHour).toMatchObject({ numerator: 1, denominator: 2 });
    expect(siteB).toMatchObject({ waiting: 0, agents: { available: 3, staffed: 3 } });
    expect(siteB.serviceLevel.today).toMatchObject({ numerator: 1, denominator: 1 });
    expect(siteB.queues).toEqual([expect.objectContaining({ queueId: support.id, agents: { available: 3, staffed: 3 } })]);

    // One definition: the same totals as GET /v1/live's sites.
    const live = (await t.admin.get('/v1/live')).body;
    for (const s of res.body.sites) {
      const total = live.sites.find((x: { siteId: string }) => x.siteId === s.siteId);
      expect(s.serviceLevel.today).toEqual(total.today.serviceLevel);
      expect(s.serviceLevel.lastHour).toEqual(
        total.windows.find((w: { minutes: number }) => w.minutes === 60).metrics.serviceLevel,
      );
      expect(s.waiting).toBe(total.waiting);
      expect(s.agents.byState).toEqual(total.agents);
    }

    // An agent of site A serving Sales becomes available: nothing to overflow any more.
    await sendEvents(t.admin, [state(a1.id, 'available', 400)]);
    const after = (await t.admin.get('/v1/live/sites')).body;
    expect(after.overflow).toEqual([]);
    expect(after.sites.find((s: { siteId: string }) => s.siteId === a.id).agents).toMatchObject({ available: 1, staffed: 1 });
  });

  it('suggests nothing when the other site’s agents serving the queue are busy, and is empty for a tenant without sites', async () => {
    const { t, sales, a1, b1, b2 } = await twoSites();
    await sendEvents(t.admin, [
      state(a1.id, 'away', 100),
      state(b1.id, 'busy', 100),
      state(b2.id, 'wrapup', 100),
      ...joined(sales.id, 200),
    ]);
    const res = (await t.admin.get('/v1/live/sites')).body;
    expect(res.overflow).toEqual([]);
    const empty = await createTenant();
    await createQueue(empty);
    const none = await empty.admin.get('/v1/live/sites');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ sites: [], overflow: [] });
  });

  it('needs a read key, and refuses keys limited to a team or an agent', async () => {
    const { t, b, b1 } = await twoSites();
    const team = await createTeam(t, { siteId: b.id });
    const lead = await createKey(t, { scopes: ['read'], limit: { teamId: team.id } });
    const agentKey = await createKey(t, { scopes: ['read'], limit: { agentId: b1.id } });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    expectProblem(await lead.client.get('/v1/live/sites'), 403, 'KEY_LIMITED');
    expectProblem(await agentKey.client.get('/v1/live/sites'), 403, 'KEY_LIMITED');
    expect((await ingest.client.get('/v1/live/sites')).status).toBe(403);
  });
});
