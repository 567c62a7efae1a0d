import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { abandonedCall, answeredCall, at, callId, sendEvents, settle } from './helpers/ingest';

describe('POST /v1/events', () => {
  it('turns an answered call into a visit, a segment and a timeline in Postgres', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = callId();
    const events = answeredCall(id, q.id, a.id);
    const res = await sendEvents(ingest.client, events);
    expect(res).toMatchObject({ accepted: events.length, duplicates: 0, rejected: 0 });
    expect(res.results.every((r) => r.status === 'accepted')).toBe(true);

    await settle(t);
    const call = await t.admin.get(`/v1/calls/${encodeURIComponent(id)}`);
    expect(call.status, call.text).toBe(200);
    expect(call.body).toMatchObject({
      id,
      direction: 'inbound',
      callerMasked: '+420*******67',
      startedAt: at(0),
      endedAt: at(132),
      hangupCause: 'normal_clearing',
      visits: [{ queueId: q.id, outcome: 'answered', waitMs: 10_000, agentId: a.id, closedBy: 'event' }],
      segments: [{ agentId: a.id, talkMs: 105_000, holdMs: 15_000, holdCount: 1, acwMs: 30_000, transferred: false }],
    });
    expect(call.body.callerHash).toMatch(/^[0-9a-f]{64}$/);
    expect(call.text).not.toContain('601 234');
    expect(call.body.events.map((e: { id: string }) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('answers duplicate for repeats, and counts them once', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const events = abandonedCall(callId(), q.id, 30);
    await sendEvents(ingest.client, events);
    const again = await sendEvents(ingest.client, events);
    expect(again).toMatchObject({ accepted: 0, duplicates: events.length });
    const live = await t.admin.get(`/v1/queues/${q.id}/live`);
    expect(live.body.today).toMatchObject({ offered: 1, abandoned: 1, answered: 0 });
  });

  it('refuses the whole batch when an event names another tenant’s queue (404, nothing written)', async () => {
    const t = await createTenant();
    const mine = await createQueue(t);
    const other = await createTenant();
    const foreign = await createQueue(other);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = callId();
    const res = await ingest.client.post('/v1/events', {
      events: [
        ...abandonedCall(id, mine.id, 5),
        { id: 'x1', type: 'queue.joined', occurredAt: at(3), interactionId: id, queueId: foreign.id },
      ],
    });
    const problem = expectProblem(res, 404, 'UNKNOWN_REFERENCE');
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/events/4/queueId' })]);
    const live = await t.admin.get(`/v1/queues/${mine.id}/live`);
    expect(live.body.today.offered).toBe(0);
  });

  it("names queues and agents by any provider's key when it is unambiguous", async () => {
    const t = await createTenant();
    const q = await createQueue(t, { externalKeys: [{ provider: 'twilio', key: 'WQ42' }] });
    await createQueue(t, { externalKeys: [{ provider: 'twilio', key: 'shared' }] });
    await createQueue(t, { externalKeys: [{ provider: 'asterisk', key: 'shared' }] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const res = await sendEvents(ingest.client, [
      { id: 'k1', type: 'queue.joined', occurredAt: at(1), interactionId: 'k', queueKey: 'WQ42' },
      { id: 'k2', type: 'queue.joined', occurredAt: at(1), interactionId: 'k2', queueKey: 'shared' },
    ]);
    expect(res.results).toEqual([
      { id: 'k1', status: 'accepted' },
      { id: 'k2', status: 'rejected', reason: 'unknown_queue_key' },
    ]);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today.offered).toBe(1);
  });
});
