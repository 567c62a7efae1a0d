import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { liveHubStub } from '../src/durable-objects/live/live-hub.client';
import { createAgent, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { env } from './helpers/env';
import { callId, sendEvents, settle, T0 } from './helpers/ingest';
import { openStream } from './helpers/live';
import { deliveredTo, expectAt, receiverPath } from './helpers/webhook-receiver';

const BASE = Math.max(T0 + 60_000, Date.now() - 20 * 60_000);
const iso = (ms: number) => new Date(ms).toISOString();

/** A caller joining a queue (and staying) now-ish. */
function joins(queueId: string, s = 0) {
  const id = callId('alert');
  return {
    id,
    events: [
      { id: `${id}:s`, type: 'interaction.started', occurredAt: iso(BASE + s * 1000), interactionId: id },
      { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(BASE + s * 1000), interactionId: id, queueId },
    ],
  };
}
const leaves = (queueId: string, id: string, s: number) => [
  {
    id: `${id}:l`,
    type: 'queue.left',
    occurredAt: iso(BASE + s * 1000),
    interactionId: id,
    queueId,
    attrs: { outcome: 'abandoned' },
  },
];

async function rule(t: TestTenant, body: Record<string, unknown>) {
  const res = await t.admin.post('/v1/alert-rules', { name: `r-${callId()}`, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function history(t: TestTenant, query = '') {
  await settle(t);
  const res = await t.admin.get(`/v1/alerts${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data as {
    id: string;
    status: string;
    ruleId: string;
    value: number | null;
    acknowledgedBy: string | null;
    resolvedAt: string | null;
    agentId: string | null;
  }[];
}

describe('alert rules', () => {
  it('a queue rule triggers on the change that meets it, reaches the stream and the history, and resolves', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const r = await rule(t, {
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 2 },
      cooldownSeconds: 0,
    });
    const ws = await openStream(`?queues=${q.id}`, t.adminKey);
    await ws.next((m) => m.type === 'snapshot');
    const a = joins(q.id, 0);
    await sendEvents(t.admin, a.events);
    const b = joins(q.id, 1);
    await sendEvents(t.admin, b.events);
    const triggered = await ws.next((m) => m.type === 'alert' && m.event === 'alert.triggered');
    expect(triggered.alert).toMatchObject({
      ruleId: r.id,
      status: 'triggered',
      value: 2,
      subject: `queue:${q.id}`,
      severity: 'warning',
    });
    expect((await history(t, '?status=open')).map((x) => x.id)).toEqual([triggered.alert.id]);

    // Acknowledged by a reader's key: on the stream, in the history; twice is harmless.
    const ack = await t.admin.post(`/v1/alerts/${triggered.alert.id}/acknowledge`);
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.any(String) });
    expect((await t.admin.post(`/v1/alerts/${triggered.alert.id}/acknowledge`)).body.acknowledgedAt).toBe(
      ack.body.acknowledgedAt,
    );
    await ws.next((m) => m.type === 'alert' && m.event === 'alert.acknowledged');

    await sendEvents(t.admin, leaves(q.id, a.id, 30));
    const resolved = await ws.next((m) => m.type === 'alert' && m.event === 'alert.resolved');
    expect(resolved.alert).toMatchObject({ id: triggered.alert.id, status: 'resolved', resolvedValue: 1 });
    const [row] = await history(t);
    expect(row).toMatchObject({ id: triggered.alert.id, status: 'resolved', value: 2, acknowledgedBy: ack.body.acknowledgedBy });
    expectProblem(await t.admin.post(`/v1/alerts/${triggered.alert.id}/acknowledge`), 409, 'ALERT_RESOLVED');
    expectProblem(await t.admin.post('/v1/alerts/alr_nope/acknowledge'), 404, 'NOT_FOUND');
    ws.close();
  });

  it('each status of an alert reaches the outgoing webhooks once, signed (verified with the standardwebhooks library)', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const path = receiverPath('alerts');
    const ep = await t.admin.post('/v1/webhook-endpoints', { url: path.url, eventTypes: ['alert.*'] });
    expect(ep.status, ep.text).toBe(201);
    await expectAt(path.name, { secrets: [ep.body.secret], respond: [200] });
    await rule(t, {
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 1 },
      severity: 'critical',
    });
    const a = joins(q.id);
    await sendEvents(t.admin, a.events);
    const [triggered] = await deliveredTo(t.id, path.name, 1);
    expect(triggered?.verified).toBe(true);
    const body = JSON.parse(triggered?.body ?? '{}');
    expect(body).toMatchObject({
      type: 'alert.triggered',
      data: { status: 'triggered', severity: 'critical', subject: `queue:${q.id}`, value: 1 },
    });
    await t.admin.post(`/v1/alerts/${body.data.id}/acknowledge`);
    await sendEvents(t.admin, leaves(q.id, a.id, 30));
    const got = await deliveredTo(t.id, path.name, 3);
    expect(got.map((r) => JSON.parse(r.body).type)).toEqual(['alert.triggered', 'alert.acknowledged', 'alert.resolved']);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(3);
  });

  it('waits for forSeconds before triggering, with the hub woken at that instant', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    await rule(t, {
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 1 },
      forSeconds: 600,
    });
    const before = Date.now();
    await sendEvents(t.admin, joins(q.id).events);
    const hub = liveHubStub(env, t.id);
    // Pending, not triggered; the hub asks to be woken when the 10 minutes are over.
    const wake = () =>
      runInDurableObject(
        hub,
        (_o, state) => state.storage.sql.exec<{ t: number | null }>('SELECT min(wake_at) AS t FROM alert_state').one().t,
      );
    await expect.poll(wake).toBeGreaterThanOrEqual(before + 600_000);
    expect(await wake()).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(await hub.openAlerts()).toEqual([]);
    expect(await history(t)).toEqual([]);
  });

  it('a site or tenant rule adds up its queues', async () => {
    const t = await createTenant();
    const q1 = await createQueue(t);
    const q2 = await createQueue(t);
    await rule(t, {
      scope: { kind: 'tenant' },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 2 },
      severity: 'critical',
    });
    await sendEvents(t.admin, joins(q1.id).events);
    const hub = liveHubStub(env, t.id);
    expect(await hub.openAlerts()).toEqual([]);
    await sendEvents(t.admin, joins(q2.id).events);
    await expect.poll(async () => (await hub.openAlerts()).length).toBe(1);
    expect((await hub.openAlerts())[0]).toMatchObject({ subject: 'tenant:', value: 2, severity: 'critical' });
  });

  it("an agent-state rule raises one alert per agent over the state's maximum, and resolves when the agent moves", async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ada = await createAgent(t, { queueIds: [q.id] });
    const bob = await createAgent(t, { queueIds: [q.id] });
    await rule(t, {
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'agent_state', state: 'away', reasons: ['lunch'], maxSeconds: 300 },
    });
    const state = (agentId: string, s: number, st: string, reason?: string) => ({
      id: `${callId()}:p`,
      type: 'agent.state_changed',
      occurredAt: iso(BASE + s * 1000),
      agentId,
      attrs: { state: st, ...(reason ? { reason } : {}) },
    });
    // Ada has been at lunch since BASE (≥ 1 minute ago… up to 20); Bob on a break of another reason.
    await sendEvents(t.admin, [state(ada.id, 0, 'away', 'lunch'), state(bob.id, 0, 'away', 'training')]);
    const hub = liveHubStub(env, t.id);
    const overdue = Date.now() - BASE > 300_000;
    if (overdue) {
      await expect.poll(async () => (await hub.openAlerts()).map((a) => a.agentId)).toEqual([ada.id]);
      await sendEvents(t.admin, [state(ada.id, 1, 'available')]);
      await expect.poll(async () => (await hub.openAlerts()).length).toBe(0);
      const rows = await history(t);
      expect(rows).toEqual([expect.objectContaining({ agentId: ada.id, status: 'resolved' })]);
    } else {
      // Not yet over the maximum: the hub wakes when she will be.
      const wake = () =>
        runInDurableObject(
          hub,
          (_o, s) => s.storage.sql.exec<{ t: number | null }>('SELECT min(wake_at) AS t FROM alert_state').one().t,
        );
      await expect.poll(wake).toBe(BASE + 300_001);
      expect(await hub.openAlerts()).toEqual([]);
    }
  });

  it('a rule that goes away resolves its alerts; rules that do not fit are refused', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const r = await rule(t, {
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 1 },
    });
    await sendEvents(t.admin, joins(q.id).events);
    const hub = liveHubStub(env, t.id);
    await expect.poll(async () => (await hub.openAlerts()).length).toBe(1);
    expect((await t.admin.patch(`/v1/alert-rules/${r.id}`, { enabled: false })).status).toBe(200);
    expect(await hub.openAlerts()).toEqual([]);
    expect((await t.admin.patch(`/v1/alert-rules/${r.id}`, { enabled: true })).status).toBe(200);
    await expect.poll(async () => (await hub.openAlerts()).length).toBe(1);
    expect((await t.admin.delete(`/v1/alert-rules/${r.id}`)).status).toBe(200);
    expect(await hub.openAlerts()).toEqual([]);
    expect((await history(t)).map((x) => x.status)).toEqual(['resolved', 'resolved']);
    expectProblem(await t.admin.get(`/v1/alert-rules/${r.id}`), 404, 'NOT_FOUND');

    const team = (await t.admin.post('/v1/teams', { name: `t-${callId()}` })).body;
    expectProblem(
      await t.admin.post('/v1/alert-rules', {
        name: 'x',
        scope: { kind: 'team', id: team.id },
        condition: { type: 'metric', metric: 'serviceLevel', comparator: 'lt', threshold: 0.8 },
      }),
      422,
      'VALIDATION_FAILED',
    );
    const unknown = await t.admin.post('/v1/alert-rules', {
      name: 'x',
      scope: { kind: 'queue', id: 'que_nope' },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gt', threshold: 1 },
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    const other = await createTenant();
    expectProblem(await other.admin.get(`/v1/alert-rules/${r.id}`), 404, 'NOT_FOUND');
  });

  it('an anomaly rule compares the last hour with the same hour of past weeks, from the rollups', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    // A week ago, in the hour before now: four callers. Now, none.
    const weekAgo = Date.now() - 7 * 86_400_000 - 10 * 60_000;
    const past = Array.from({ length: 4 }, (_, i) => {
      const id = callId('past');
      return [
        { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(weekAgo + i * 1000), interactionId: id, queueId: q.id },
        {
          id: `${id}:l`,
          type: 'queue.left',
          occurredAt: iso(weekAgo + i * 1000 + 5000),
          interactionId: id,
          queueId: q.id,
          attrs: { outcome: 'abandoned' },
        },
      ];
    });
    await sendEvents(t.admin, past.flat());
    await settle(t);
    const r = await t.admin.post('/v1/alert-rules', {
      name: 'quiet',
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'anomaly', measure: 'offered', direction: 'below', factor: 2, against: 'history' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ forecastUntil: null });
    expect(r.body.baselineComputedAt).not.toBeNull();
    const hub = liveHubStub(env, t.id);
    await expect.poll(async () => (await hub.openAlerts()).map((a) => a.value)).toEqual([0]);
    // The history is quiet at other hours: no baseline there, so no alert (checked in the engine's tests).
  });

  it('an anomaly rule against the forecast: the last hour below the prediction interval of the queue’s forecast', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    // Three weeks running, 12 callers in the hour before this time of the week; now, none. The forecast expects
    // 12 in that quarter hour, at least about 6 (a Poisson interval: the history is too short for its own errors).
    const calls = [1, 2, 3].flatMap((week) =>
      Array.from({ length: 12 }, (_, i) => {
        const at = Date.now() - week * 7 * 86_400_000 - 20 * 60_000 + i * 1000;
        const id = callId('weekly');
        return [
          { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(at), interactionId: id, queueId: q.id },
          {
            id: `${id}:l`,
            type: 'queue.left',
            occurredAt: iso(at + 5000),
            interactionId: id,
            queueId: q.id,
            attrs: { outcome: 'abandoned' },
          },
        ];
      }),
    );
    await sendEvents(t.admin, calls.flat());
    await settle(t);
    const r = await t.admin.post('/v1/alert-rules', {
      name: 'quiet against the forecast',
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'anomaly', measure: 'offered', direction: 'below' },
    });
    expect(r.status, r.text).toBe(201);
    expect(Date.parse(r.body.forecastUntil)).toBeGreaterThan(Date.now() + 30 * 86_400_000);
    const hub = liveHubStub(env, t.id);
    await expect.poll(async () => (await hub.openAlerts()).map((a) => [a.ruleId, a.value])).toEqual([[r.body.id, 0]]);
    // A rule that asks for the forecast where none is given is refused with a pointer.
    const abandoned = await t.admin.post('/v1/alert-rules', {
      name: 'abandons',
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'anomaly', measure: 'abandoned', against: 'forecast' },
    });
    expectProblem(abandoned, 422, 'VALIDATION_FAILED');
    expect(abandoned.text).toContain('/condition/against');
  });

  it('an anomaly rule on waits against what Erlang C expects of the forecast with the agents scheduled', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const agents = await Promise.all(Array.from({ length: 6 }, () => createAgent(t, { queueIds: [q.id] })));
    const [ada] = agents;
    // Three weeks running, 12 calls in the hour before this time of the week, each answered after 5 s and handled
    // for 180 s; now 3 calls answered after 400 s, with 6 agents on shift — far beyond the few seconds they imply, but
    // not 100 times the 5 s of past weeks: only the forecast judges it an anomaly.
    const call = (joinedAt: number, waitS: number) => {
      const id = callId('wait');
      const e = (type: string, at: number, extra: Record<string, unknown> = {}) => ({
        id: `${id}:${type}`,
        type,
        occurredAt: iso(at),
        interactionId: id,
        ...extra,
      });
      const answered = joinedAt + waitS * 1000;
      return [
        e('queue.joined', joinedAt, { queueId: q.id }),
        e('queue.left', answered, { queueId: q.id, agentId: ada?.id, attrs: { outcome: 'answered' } }),
        e('agent.connected', answered, { queueId: q.id, agentId: ada?.id }),
        e('agent.disconnected', answered + 180_000, { agentId: ada?.id }),
      ];
    };
    const now = Date.now();
    const history = [1, 2, 3].flatMap((week) =>
      Array.from({ length: 12 }, (_, i) => call(now - week * 7 * 86_400_000 - 40 * 60_000 + i * 2000, 5)),
    );
    const current = Array.from({ length: 3 }, (_, i) => call(now - 45 * 60_000 + i * 1000, 400));
    await sendEvents(t.admin, [...history, ...current].flat());
    const planned = await t.admin.post('/v1/schedules', {
      shifts: agents.map((a) => ({
        id: `s-${a.id}`,
        agentId: a.id,
        start: iso(now - 4 * 3_600_000),
        end: iso(now + 4 * 3_600_000),
        activities: [],
      })),
    });
    expect(planned.status, planned.text).toBe(200);
    await settle(t);
    const r = await t.admin.post('/v1/alert-rules', {
      name: 'waits against the forecast',
      scope: { kind: 'queue', id: q.id },
      condition: { type: 'anomaly', measure: 'asa', direction: 'above', factor: 100 },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.forecastUntil).not.toBeNull();
    const hub = liveHubStub(env, t.id);
    await expect.poll(async () => (await hub.openAlerts()).map((a) => [a.ruleId, a.value])).toEqual([[r.body.id, 400_000]]);
  });

  it('a tenant never sees another tenant’s alerts', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const qa = await createQueue(a);
    await rule(a, {
      scope: { kind: 'queue', id: qa.id },
      condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 1 },
    });
    const wsB = await openStream('', b.adminKey);
    await sendEvents(a.admin, joins(qa.id).events);
    await expect.poll(async () => (await liveHubStub(env, a.id).openAlerts()).length).toBe(1);
    const [alert] = await liveHubStub(env, a.id).openAlerts();
    expectProblem(await b.admin.post(`/v1/alerts/${alert?.id}/acknowledge`), 404, 'NOT_FOUND');
    expect(await history(b)).toEqual([]);
    expect(wsB.messages.some((m) => m.type === 'alert')).toBe(false);
    wsB.close();
    await runDurableObjectAlarm(liveHubStub(env, a.id));
  });
});
