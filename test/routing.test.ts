import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { at, callId, sendEvents, settle } from './helpers/ingest';

const ev = (interactionId: string, type: string, s: number, extra: Record<string, unknown> = {}) => ({
  id: `${interactionId}:${type}:${s}:${JSON.stringify(extra).length}`,
  type,
  occurredAt: at(s),
  interactionId,
  ...extra,
});

async function setup() {
  const t = await createTenant();
  const a = await createQueue(t, { name: 'Sales' });
  const b = await createQueue(t, { name: 'Billing' });
  const agent = await createAgent(t, { queueIds: [a.id, b.id] });
  const ingest = await createKey(t, { scopes: ['ingest'] });
  return { t, a, b, agent, ingest };
}

describe('routing of events without a queue', () => {
  it('a hang-up without a queue reaches the queue the caller was waiting in', async () => {
    const { t, a, ingest } = await setup();
    const id = callId();
    await sendEvents(ingest.client, [ev(id, 'queue.joined', 1, { queueId: a.id })]);
    expect((await t.admin.get(`/v1/queues/${a.id}/live`)).body.waiting).toBe(1);
    await sendEvents(ingest.client, [ev(id, 'interaction.ended', 31)]);
    const live = (await t.admin.get(`/v1/queues/${a.id}/live`)).body;
    expect(live).toMatchObject({ waiting: 0, today: { offered: 1, abandoned: 1 } });
    await settle(t);
    const call = (await t.admin.get(`/v1/calls/${id}`)).body;
    expect(call.visits).toEqual([expect.objectContaining({ outcome: 'abandoned', closedBy: 'derived', waitMs: 30_000 })]);
  });

  it('events that arrive before their queue is known are parked, then delivered', async () => {
    const { t, a, ingest } = await setup();
    const id = callId();
    const first = await sendEvents(ingest.client, [
      ev(id, 'interaction.started', 0, { caller: '+15551234567' }),
      ev(id, 'interaction.ended', 45),
    ]);
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const parked = await t.admin.get('/health');
    expect(parked.body.outbox.tenant.parked).toBe(2);
    await sendEvents(ingest.client, [ev(id, 'queue.joined', 5, { queueId: a.id })]);
    expect((await t.admin.get(`/v1/queues/${a.id}/live`)).body).toMatchObject({
      waiting: 0,
      today: { offered: 1, abandoned: 1 },
    });
    await settle(t);
    const call = (await t.admin.get(`/v1/calls/${id}`)).body;
    expect(call).toMatchObject({ startedAt: at(0), endedAt: at(45), callerMasked: '+155******67' });
    expect(call.visits).toEqual([expect.objectContaining({ queueId: a.id, outcome: 'abandoned', waitMs: 40_000 })]);
    expect(call.events).toHaveLength(3);
    expect((await t.admin.get('/health')).body.outbox.tenant.parked).toBe(0);
  });

  it('a transfer closes the first visit as transferred and the second queue answers', async () => {
    const { t, a, b, agent, ingest } = await setup();
    const id = callId();
    const events = [
      ev(id, 'interaction.started', 0),
      ev(id, 'queue.joined', 1, { queueId: a.id }),
      ev(id, 'transfer', 20, { attrs: { kind: 'queue', toQueueId: b.id } }),
      ev(id, 'queue.joined', 21, { queueId: b.id }),
      ev(id, 'queue.left', 30, { queueId: b.id, attrs: { outcome: 'answered' } }),
      ev(id, 'agent.connected', 30, { agentId: agent.id }),
      ev(id, 'hold.started', 50, { agentId: agent.id }),
      ev(id, 'hold.ended', 60, { agentId: agent.id }),
      ev(id, 'agent.disconnected', 90, { agentId: agent.id }),
      ev(id, 'interaction.ended', 90),
    ];
    // Send them in reverse, one batch each: the worst order.
    for (const e of [...events].reverse()) await sendEvents(ingest.client, [e]);
    await settle(t);
    const call = (await t.admin.get(`/v1/calls/${id}`)).body;
    expect(call.visits.map((v: Record<string, unknown>) => [v.queueId, v.outcome, v.waitMs, v.agentId])).toEqual([
      [a.id, 'transferred', 19_000, null],
      [b.id, 'answered', 9_000, agent.id],
    ]);
    expect(call.segments).toEqual([
      expect.objectContaining({ queueId: b.id, agentId: agent.id, talkMs: 50_000, holdMs: 10_000 }),
    ]);
    const liveA = (await t.admin.get(`/v1/queues/${a.id}/live`)).body.today;
    const liveB = (await t.admin.get(`/v1/queues/${b.id}/live`)).body.today;
    expect([liveA.offered, liveA.flowedOut, liveA.abandoned]).toEqual([1, 1, 0]);
    expect([liveB.offered, liveB.answered]).toEqual([1, 1]);
  });

  it('agent presence reaches every queue the agent serves, and its history reaches Postgres', async () => {
    const { t, a, b, agent, ingest } = await setup();
    const presence = (s: number, state: string, reason?: string) => ({
      id: `${agent.id}:${s}`,
      type: 'agent.state_changed',
      occurredAt: at(s),
      agentId: agent.id,
      attrs: { state, ...(reason ? { reason } : {}) },
    });
    await sendEvents(ingest.client, [presence(0, 'available'), presence(600, 'away', 'lunch')]);
    await sendEvents(ingest.client, [presence(300, 'busy')]); // late, older: must not win
    for (const q of [a.id, b.id]) {
      const live = (await t.admin.get(`/v1/queues/${q}/live`)).body;
      expect(live.agents.list).toEqual([
        { agentId: agent.id, state: 'away', reason: 'lunch', since: at(600), timeInStateMs: expect.any(Number) },
      ]);
      expect(live.agents.byState).toMatchObject({ away: 1, available: 0 });
    }
    await settle(t);
    const { asTenant } = await import('./helpers/db');
    const rows = await asTenant(t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        agent.id,
      ]),
    );
    expect(
      rows.map((r) => [
        r.state,
        r.reason,
        new Date(r.started_at).toISOString(),
        r.ended_at && new Date(r.ended_at).toISOString(),
      ]),
    ).toEqual([
      ['available', null, at(0), at(300)],
      ['busy', null, at(300), at(600)],
      ['away', 'lunch', at(600), null],
    ]);
  });
});
