import { describe, expect, it } from 'vitest';
import { LIVE_METRICS } from '../src/domain/kpi/live';
import { liveHubStub } from '../src/durable-objects/live/live-hub.client';
import { MAX_UNACKNOWLEDGED } from '../src/durable-objects/live/live-hub.do';
import { signLiveToken } from '../src/lib/live-token';
import { parsePlatformKeys } from '../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from './constants';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { call, expectProblem } from './helpers/api';
import { env } from './helpers/env';
import { callId, sendEvents, settle, T0 } from './helpers/ingest';
import { expectStreamRefused, openStream } from './helpers/live';

/**
 * Instants of today's calls: within the last 20 minutes, never before today's midnight (UTC, the tenant's zone)
 * and never more than a few minutes ahead (the edge refuses events over 5 minutes in the future).
 */
const BASE = Math.max(T0 + 60_000, Date.now() - 20 * 60_000);
const iso = (ms: number) => new Date(ms).toISOString();

/** One call's events: waits `wait` s then is answered (talk, hold, wrap-up, maybe a transfer) or abandoned. */
function todayCall(
  queueId: string,
  agentId: string,
  startS: number,
  opts: { wait: number; answered: boolean; transfer?: boolean; hold?: boolean },
) {
  const id = callId('live');
  const t = (s: number) => iso(BASE + (startS + s) * 1000);
  const e = (type: string, s: number, extra: Record<string, unknown> = {}) => ({
    id: `${id}:${type}:${s}`,
    type,
    occurredAt: t(s),
    interactionId: id,
    ...extra,
  });
  const w = opts.wait;
  if (!opts.answered) {
    return [
      e('interaction.started', 0, { direction: 'inbound' }),
      e('queue.joined', 0, { queueId }),
      e('queue.left', w, { queueId, attrs: { outcome: 'abandoned' } }),
      e('interaction.ended', w),
    ];
  }
  return [
    e('interaction.started', 0, { direction: 'inbound' }),
    e('queue.joined', 0, { queueId }),
    e('queue.left', w, { queueId, agentId, attrs: { outcome: 'answered' } }),
    e('agent.connected', w, { queueId, agentId }),
    ...(opts.hold ? [e('hold.started', w + 10, { agentId }), e('hold.ended', w + 25, { agentId })] : []),
    e('agent.disconnected', w + 60, { agentId, attrs: { endedBy: opts.transfer ? 'transfer' : 'customer' } }),
    ...(opts.transfer ? [e('transfer', w + 59, { agentId, attrs: { kind: 'blind' } })] : []),
    e('wrapup.started', w + 60, { agentId }),
    e('wrapup.ended', w + 75, { agentId }),
    e('interaction.ended', w + 60),
  ];
}

async function tenantWithQueue(serviceLevel?: Record<string, unknown>) {
  const t = await createTenant();
  const queue = await createQueue(t, serviceLevel ? { serviceLevel } : {});
  const agent = await createAgent(t, { queueIds: [queue.id] });
  return { t, queue, agent };
}

describe('live KPIs', () => {
  it("today live equals today from /v1/kpis once flushed, under the queue's own policy", async () => {
    const { t, queue, agent } = await tenantWithQueue({ thresholdSeconds: 15, shortAbandonSeconds: 4 });
    const calls = [
      todayCall(queue.id, agent.id, 0, { wait: 5, answered: true, hold: true }),
      todayCall(queue.id, agent.id, 30, { wait: 14, answered: true }),
      todayCall(queue.id, agent.id, 60, { wait: 16, answered: true, transfer: true }),
      todayCall(queue.id, agent.id, 90, { wait: 40, answered: true }),
      todayCall(queue.id, agent.id, 120, { wait: 3, answered: false }),
      todayCall(queue.id, agent.id, 150, { wait: 30, answered: false }),
    ];
    await sendEvents(t.admin, calls.flat());
    // One caller still waiting: in the live "waiting" and offered, and in the KPI answer as a partial value.
    const waitingId = callId('waiting');
    await sendEvents(t.admin, [
      { id: `${waitingId}:s`, type: 'interaction.started', occurredAt: iso(BASE + 200_000), interactionId: waitingId },
      {
        id: `${waitingId}:j`,
        type: 'queue.joined',
        occurredAt: iso(BASE + 200_000),
        interactionId: waitingId,
        queueId: queue.id,
      },
    ]);
    await settle(t);

    const live = (await t.admin.get(`/v1/queues/${queue.id}/live`)).body;
    expect(live.today.metrics.offered.value).toBe(7);
    expect(live.today.metrics.serviceLevel).toMatchObject({ numerator: 2, denominator: 5 });
    expect(live.serviceLevelPolicy).toMatchObject({ thresholdSeconds: 15, shortAbandonSeconds: 4 });
    const q = new URLSearchParams({
      from: live.today.dayStart,
      to: iso(Date.now() + 3_600_000),
      interval: 'total',
      groupBy: 'queue',
      queueIds: queue.id,
      metrics: LIVE_METRICS.join(','),
    });
    const kpis = await t.admin.get(`/v1/kpis?${q}`);
    expect(kpis.status, kpis.text).toBe(200);
    const row = kpis.body.rows.find((r: { group: { queueId: string } }) => r.group.queueId === queue.id);
    for (const id of LIVE_METRICS) {
      const { status: _s, ...history } = row.metrics[id];
      expect(live.today.metrics[id], id).toEqual(history);
    }
    // The caller still waiting, with an estimated wait: none while no agent is staffed…
    expect(live.waitingCallers).toEqual([expect.objectContaining({ position: 1, interactionId: waitingId, ewtMs: null })]);
    expect(live.ewt).toMatchObject({ method: 'no_agents_staffed', staffedAgents: 0 });
    // …and one handle time once the only agent is busy (position 1 waits for one call to end: AHT / 1).
    await sendEvents(t.admin, [
      {
        id: `${waitingId}:busy`,
        type: 'agent.state_changed',
        occurredAt: iso(BASE + 210_000),
        agentId: agent.id,
        attrs: { state: 'busy' },
      },
    ]);
    const busy = (await t.admin.get(`/v1/queues/${queue.id}/live`)).body;
    expect(busy.ewt.ahtMs).toBe(busy.windows.find((w: { minutes: number }) => w.minutes === 60).metrics.aht.value);
    expect(busy.waitingCallers[0].ewtMs).toBe(Math.round(busy.ewt.ahtMs));
    expect(busy.ewt).toMatchObject({ method: 'positional', staffedAgents: 1, newCallerMs: Math.round(2 * busy.ewt.ahtMs) });
    // The rolling windows hold what started within them.
    const hour = live.windows.find((w: { minutes: number }) => w.minutes === 60);
    expect(hour.metrics.offered.value).toBe(Date.now() - BASE < 3_300_000 ? 7 : hour.metrics.offered.value);
  });

  it("today begins at the tenant's local midnight: a call just before it is yesterday's", async () => {
    // A zone where it is now between 01:00 and 22:00, so a minute after local midnight is in the past.
    const zone = ['Asia/Tokyo', 'America/New_York', 'Europe/Prague', 'Pacific/Auckland', 'UTC'].find((z) => {
      const h = Number(new Intl.DateTimeFormat('en-GB', { timeZone: z, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
      return h >= 1 && h <= 22;
    }) as string;
    const { t, queue, agent } = await tenantWithQueue();
    expect((await t.admin.patch('/v1/settings', { timeZone: zone })).status).toBe(200);
    const before = (await t.admin.get(`/v1/queues/${queue.id}/live`)).body;
    expect(before.today.timeZone).toBe(zone);
    const midnight = Date.parse(before.today.dayStart);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(local.format(new Date(midnight))).toBe('00:00');
    expect(local.format(new Date(midnight - 1))).toBe('23:59');
    const call = (at: number, wait: number) => {
      const id = callId('midnight');
      return [
        { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(at), interactionId: id, queueId: queue.id },
        {
          id: `${id}:l`,
          type: 'queue.left',
          occurredAt: iso(at + wait * 1000),
          interactionId: id,
          queueId: queue.id,
          agentId: agent.id,
          attrs: { outcome: 'answered' },
        },
      ];
    };
    await sendEvents(t.admin, [...call(midnight - 60_000, 5), ...call(midnight + 60_000, 7)]);
    const live = (await t.admin.get(`/v1/queues/${queue.id}/live`)).body;
    expect(live.today).toMatchObject({ offered: 1, answered: 1 });
    expect(live.today.metrics.asa).toMatchObject({ numerator: 7000, denominator: 1 });
  });

  it('GET /v1/live: every queue, and totals per tenant and site that add up the queues', async () => {
    const t = await createTenant();
    const site = (await t.admin.post('/v1/sites', { name: `s-${callId()}` })).body;
    const team = (await t.admin.post('/v1/teams', { name: `t-${callId()}`, siteId: site.id })).body;
    const q1 = await createQueue(t, { siteId: site.id });
    const q2 = await createQueue(t);
    const agent = await createAgent(t, { queueIds: [q1.id, q2.id], teamId: team.id, siteId: site.id });
    await sendEvents(t.admin, [
      ...todayCall(q1.id, agent.id, 0, { wait: 5, answered: true }),
      ...todayCall(q2.id, agent.id, 10, { wait: 50, answered: false }),
      {
        id: `${callId()}:p`,
        type: 'agent.state_changed',
        occurredAt: iso(BASE + 100_000),
        agentId: agent.id,
        attrs: { state: 'available' },
      },
    ]);
    const res = await t.admin.get('/v1/live');
    expect(res.status, res.text).toBe(200);
    expect(res.body.queues.map((q: { queueId: string }) => q.queueId).sort()).toEqual([q1.id, q2.id].sort());
    expect(res.body.tenant.today.offered).toMatchObject({ value: 2, numerator: 2 });
    expect(res.body.tenant.today.abandonRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(res.body.tenant.agents.available).toBe(1);
    const s = res.body.sites.find((x: { siteId: string }) => x.siteId === site.id);
    expect(s).toMatchObject({ queues: 1, agents: { available: 1 } });
    expect(s.today.answered.value).toBe(1);
    expect(res.body.teams).toEqual([{ teamId: team.id, agents: expect.objectContaining({ available: 1 }) }]);
  });
});

describe('the live stream', () => {
  it('sends a hello and a snapshot, then pushes each change with the next seq and no gap in n', async () => {
    const { t, queue, agent } = await tenantWithQueue();
    const ws = await openStream(`?queues=${queue.id}`, t.adminKey);
    const hello = await ws.next((m) => m.type === 'hello');
    expect(hello).toMatchObject({ v: 1, n: 1, tenantId: t.id, queues: [queue.id] });
    const first = await ws.next((m) => m.type === 'snapshot');
    expect(first).toMatchObject({ queueId: queue.id, initial: true, data: { waiting: 0 } });

    const id = callId('push');
    await sendEvents(t.admin, [
      { id: `${id}:s`, type: 'interaction.started', occurredAt: iso(BASE), interactionId: id },
      { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(BASE), interactionId: id, queueId: queue.id },
    ]);
    const pushed = await ws.next((m) => m.type === 'snapshot' && !m.initial && m.data.waiting === 1);
    expect(pushed.seq).toBeGreaterThan(first.seq);
    expect(pushed.data.today.metrics.offered.value).toBe(1);
    await sendEvents(t.admin, todayCall(queue.id, agent.id, 5, { wait: 2, answered: true }));
    const later = await ws.next((m) => m.type === 'snapshot' && m.data.today.metrics.answered.value === 1);
    expect(later.seq).toBeGreaterThan(pushed.seq);
    const seqs = ws.messages.filter((m) => m.type === 'snapshot' && !m.initial).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(ws.messages.map((m) => m.n)).toEqual(ws.messages.map((_, i) => i + 1));
    ws.close();
  });

  it('coalesces a burst of changes into at most 4 pushes a second per queue', async () => {
    const { t, queue } = await tenantWithQueue();
    const ws = await openStream(`?queues=${queue.id}`, t.adminKey);
    await ws.next((m) => m.type === 'snapshot');
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const id = callId(`burst${i}`);
      await sendEvents(t.admin, [
        { id: `${id}:s`, type: 'interaction.started', occurredAt: iso(BASE), interactionId: id },
        { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(BASE), interactionId: id, queueId: queue.id },
      ]);
    }
    await ws.next((m) => m.type === 'snapshot' && m.data.waiting === 20);
    const elapsed = Date.now() - started;
    const pushes = ws.messages.filter((m) => m.type === 'snapshot' && !m.initial).length;
    // 20 changes; a push at most every 250 ms over the time they took (plus the first and the trailing one).
    expect(pushes).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(pushes).toBeLessThan(20);
    ws.close();
  });

  it('serves several queues on one connection, and only its own tenant', async () => {
    const a = await tenantWithQueue();
    const a2 = await createQueue(a.t);
    const b = await tenantWithQueue();
    const ws = await openStream('', a.t.adminKey);
    expect((await ws.next((m) => m.type === 'hello')).queues).toBe('all');
    await ws.next((m) => m.type === 'snapshot' && m.queueId === a.queue.id);
    await ws.next((m) => m.type === 'snapshot' && m.queueId === a2.id);
    const other = await openStream(`?queues=${b.queue.id}`, b.t.adminKey);
    await other.next((m) => m.type === 'snapshot');
    await sendEvents(b.t.admin, todayCall(b.queue.id, b.agent.id, 0, { wait: 3, answered: false }));
    await sendEvents(a.t.admin, todayCall(a2.id, a.agent.id, 0, { wait: 3, answered: false }));
    await other.next((m) => m.type === 'snapshot' && m.data.today.metrics.abandoned.value === 1);
    await ws.next((m) => m.type === 'snapshot' && m.queueId === a2.id && m.data.today.metrics.abandoned.value === 1);
    const seen = new Set(ws.messages.filter((m) => m.type === 'snapshot').map((m) => m.queueId));
    expect([...seen].sort()).toEqual([a.queue.id, a2.id].sort());
    expect(other.messages.every((m) => m.type !== 'snapshot' || m.queueId === b.queue.id)).toBe(true);
    // Another tenant's queue by id: 404, as if it did not exist.
    await expectStreamRefused(`?queues=${b.queue.id}`, a.t.adminKey, 404, 'NOT_FOUND');
    ws.close();
    other.close();
  });

  it('refuses what is not a WebSocket upgrade, and keys without the read scope', async () => {
    const { t } = await tenantWithQueue();
    const plain = await call('GET', '/v1/live/stream', { token: t.adminKey });
    expectProblem(plain, 426, 'UPGRADE_REQUIRED');
    const ingestOnly = await createKey(t, { scopes: ['ingest'] });
    await expectStreamRefused('', ingestOnly.key, 403, 'INSUFFICIENT_SCOPE');
    await expectStreamRefused('', null, 401, 'UNAUTHENTICATED');
  });

  it('a live token opens the stream for its queues only, and closes with its key', async () => {
    const { t, queue } = await tenantWithQueue();
    const other = await createQueue(t);
    const reader = await createKey(t, { scopes: ['read'] });
    const issued = await reader.client.post('/v1/live/tokens', { queueIds: [queue.id], ttlSeconds: 600 });
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body.streamUrl).toContain('/v1/live/stream?token=');
    expect(issued.body.queueIds).toEqual([queue.id]);
    const token = encodeURIComponent(issued.body.token);
    await expectStreamRefused(`?token=${token}&queues=${other.id}`, null, 403, 'QUEUE_NOT_ALLOWED');
    await expectStreamRefused(`?token=${token.slice(0, -2)}AA`, null, 401, 'LIVE_TOKEN_INVALID');
    const unknownQueue = await reader.client.post('/v1/live/tokens', { queueIds: ['que_nope'] });
    expectProblem(unknownQueue, 404, 'NOT_FOUND');

    const ws = await openStream(`?token=${token}`, null);
    expect((await ws.next((m) => m.type === 'hello')).queues).toEqual([queue.id]);
    await ws.next((m) => m.type === 'snapshot' && m.queueId === queue.id);
    const byKey = await openStream(`?queues=${queue.id}`, reader.key);
    await byKey.next((m) => m.type === 'snapshot');

    expect((await t.admin.delete(`/v1/api-keys/${reader.id}`)).status).toBe(200);
    expect((await ws.closed).code).toBe(4003);
    expect((await byKey.closed).code).toBe(4003);
    await expectStreamRefused(`?token=${token}`, null, 401, 'LIVE_TOKEN_INVALID');
  });

  it('closes a token connection when the token expires', async () => {
    const { t, queue } = await tenantWithQueue();
    const reader = await createKey(t, { scopes: ['read'] });
    const token = await signLiveToken(parsePlatformKeys(TEST_PLATFORM_KEYS), {
      tenantId: t.id,
      keyId: reader.id,
      queueIds: [queue.id],
      expiresAt: Date.now() + 1500,
    });
    const ws = await openStream(`?token=${encodeURIComponent(token)}`, null);
    expect((await ws.next((m) => m.type === 'hello')).expiresAt).not.toBeNull();
    expect((await ws.closed).code).toBe(4001);
    await expectStreamRefused(`?token=${encodeURIComponent(token)}`, null, 401, 'LIVE_TOKEN_EXPIRED');
  });

  it('drops a consumer that stops acknowledging, and keeps one that acknowledges', async () => {
    const { t, queue } = await tenantWithQueue();
    const slow = await openStream(`?queues=${queue.id}`, t.adminKey);
    const fine = await openStream(`?queues=${queue.id}`, t.adminKey);
    await slow.next((m) => m.type === 'snapshot');
    await fine.next((m) => m.type === 'snapshot');
    const hub = liveHubStub(env, t.id);
    const message = JSON.stringify({
      v: 1,
      type: 'snapshot',
      queueId: queue.id,
      seq: 0,
      snapshotAt: iso(Date.now()),
      initial: false,
      data: {},
    });
    for (let i = 0; i < MAX_UNACKNOWLEDGED + 5; i++) {
      await hub.publish(queue.id, i + 1, message);
      if (i % 50 === 0) {
        await fine.next((m) => m.n >= i + 2);
        fine.ack();
      }
    }
    expect((await slow.closed).code).toBe(4008);
    fine.ack();
    expect(await hub.connections()).toBe(1);
    fine.send({ type: 'nonsense' });
    expect((await fine.closed).code).toBe(4400);
  });
});
