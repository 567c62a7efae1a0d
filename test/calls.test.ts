import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { abandonedCall, answeredCall, at, sendEvents, settle } from './helpers/ingest';

describe('GET /v1/calls', () => {
  it('filters by queue, agent, outcome and time range, newest first, with cursors', async () => {
    const t = await createTenant();
    const [sales, billing] = [await createQueue(t), await createQueue(t)];
    const [ada, bob] = [await createAgent(t, { queueIds: [sales.id] }), await createAgent(t, { queueIds: [billing.id] })];
    const ingest = await createKey(t, { scopes: ['ingest'] });
    // Three calls, a minute apart: answered by Ada in sales, abandoned in sales, answered by Bob in billing.
    const shift = (events: ReturnType<typeof answeredCall>, minutes: number) =>
      events.map((e) => ({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) + minutes * 60_000).toISOString() }));
    await sendEvents(ingest.client, shift(answeredCall('call-a', sales.id, ada.id), 0));
    await sendEvents(ingest.client, shift(abandonedCall('call-b', sales.id, 8), 1));
    await sendEvents(ingest.client, shift(answeredCall('call-c', billing.id, bob.id), 2));
    await settle(t);
    const ids = async (query: string) => (await t.admin.get(`/v1/calls${query}`)).body.data.map((c: { id: string }) => c.id);

    expect(await ids('')).toEqual(['call-c', 'call-b', 'call-a']);
    expect(await ids(`?queueId=${sales.id}`)).toEqual(['call-b', 'call-a']);
    expect(await ids(`?agentId=${bob.id}`)).toEqual(['call-c']);
    expect(await ids('?outcome=abandoned')).toEqual(['call-b']);
    expect(await ids(`?queueId=${sales.id}&outcome=answered`)).toEqual(['call-a']);
    const from = encodeURIComponent(new Date(Date.parse(at(0)) + 60_000).toISOString());
    const to = encodeURIComponent(new Date(Date.parse(at(0)) + 2 * 60_000).toISOString());
    expect(await ids(`?from=${from}`)).toEqual(['call-c', 'call-b']);
    expect(await ids(`?from=${from}&to=${to}`)).toEqual(['call-b']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await t.admin.get(
        `/v1/calls?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.data.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['call-c', 'call-b', 'call-a']);

    expectProblem(await t.admin.get('/v1/calls?outcome=lost'), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get('/v1/calls?cursor=nope'), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get('/v1/calls/call-zzz'), 404, 'NOT_FOUND');
    // Another tenant sees none of it.
    const other = await createTenant();
    expect((await other.admin.get('/v1/calls')).body.data).toEqual([]);
    expectProblem(await other.admin.get('/v1/calls/call-a'), 404, 'NOT_FOUND');
  });

  it('the live state tells how long the longest caller has been waiting', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const joined = new Date(Date.now() - 90_000).toISOString();
    await sendEvents(ingest.client, [{ id: 'w1', type: 'queue.joined', occurredAt: joined, interactionId: 'w1', queueId: q.id }]);
    const live = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
    expect(live).toMatchObject({ waiting: 1, oldestWaitingSince: joined });
    expect(live.longestWaitMs).toBeGreaterThanOrEqual(90_000);
    expect(live.longestWaitMs).toBeLessThan(120_000);
  });
});
