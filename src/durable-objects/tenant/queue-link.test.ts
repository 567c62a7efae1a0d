import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../domain/events/normalized';
import type { QueueIngestMany, QueueIngestResult } from '../queue/queue.types';
import { MERGE_LIMITS, QueueLink, takeMergeable } from './queue-link';
import type { QueueBatch, TenantConfig } from './tenant.types';

const config = {
  tenantId: 'ten_link',
  settings: { timeZone: 'UTC', staleVisitMinutes: 240, serviceLevel: { thresholdSeconds: 20 }, rawRetentionDays: 7 },
} as unknown as TenantConfig;

const batch = (queueId: string, ids: string[], revise = false): QueueBatch => ({
  queueId,
  events: ids.map((id) => ({ id, interactionId: `call-${id}` }) as unknown as AnyEvent),
  presence: [],
  ensure: [],
  timelines: [],
  ...(revise ? { revise: true } : {}),
});

/** A QueueDO namespace whose calls wait until the test answers them; every call is kept. */
function fakeQueues() {
  const calls: { name: string; input: QueueIngestMany; answer: () => void; fail: (err: Error) => void }[] = [];
  const namespace = {
    idFromName: (name: string) => name,
    get: (name: string) => ({
      ingestMany: (input: QueueIngestMany) =>
        new Promise<QueueIngestResult[]>((resolve, reject) => {
          calls.push({
            name,
            input,
            // Each batch's events accepted: the results say which batch they came from.
            answer: () =>
              resolve(input.batches.map((b) => ({ results: b.events.map((e) => ({ id: e.id, status: 'accepted' })) }))),
            fail: reject,
          });
        }),
    }),
  };
  const sql = { exec: () => ({ toArray: () => [] }) } as unknown as SqlStorage;
  const link = new QueueLink(
    sql,
    { QUEUE_DO: namespace } as never,
    (fn) => fn(),
    () => null,
  );
  return { link, calls };
}

/** Lets the link's promises run (the fake answers synchronously once told). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('QueueLink: one call per queue in flight, what waits goes together', () => {
  it('sends the first batch at once and the batches routed meanwhile in one call, each answered with its own results', async () => {
    const { link, calls } = fakeQueues();
    const a = link.send(config, batch('q1', ['a1', 'a2']));
    const b = link.send(config, batch('q1', ['b1']));
    const c = link.send(config, batch('q1', ['c1', 'c2', 'c3']));
    await settle();
    expect(calls.map((x) => x.input.batches.length)).toEqual([1]);
    calls[0]?.answer();
    expect((await a).results.map((r) => r.id)).toEqual(['a1', 'a2']);
    await settle();
    expect(calls.map((x) => x.input.batches.length)).toEqual([1, 2]);
    expect(calls[1]?.name).toBe('ten_link:q1');
    calls[1]?.answer();
    expect((await b).results.map((r) => r.id)).toEqual(['b1']);
    expect((await c).results.map((r) => r.id)).toEqual(['c1', 'c2', 'c3']);
    // The lane is gone once empty: the next batch is sent at once again.
    const d = link.send(config, batch('q1', ['d1']));
    await settle();
    expect(calls).toHaveLength(3);
    calls[2]?.answer();
    expect((await d).results.map((r) => r.id)).toEqual(['d1']);
  });

  it('keeps queues, and re-normalization, in lanes of their own', async () => {
    const { link, calls } = fakeQueues();
    const sent = [
      link.send(config, batch('q1', ['a'])),
      link.send(config, batch('q2', ['b'])),
      link.send(config, batch('q1', ['c'], true)),
    ];
    await settle();
    expect(calls.map((x) => [x.name, x.input.revise ?? false])).toEqual([
      ['ten_link:q1', false],
      ['ten_link:q2', false],
      ['ten_link:q1', true],
    ]);
    for (const x of calls) x.answer();
    expect((await Promise.all(sent)).map((r) => r.results[0]?.id)).toEqual(['a', 'b', 'c']);
  });

  it('fails every batch a failed call carried, and goes on with those behind it', async () => {
    const { link, calls } = fakeQueues();
    const first = link.send(config, batch('q1', ['a']));
    const second = link.send(config, batch('q1', ['b']));
    const third = link.send(config, batch('q1', ['c']));
    await settle();
    calls[0]?.answer();
    await first;
    await settle();
    calls[1]?.fail(new Error('queue down'));
    await expect(second).rejects.toThrow('queue down');
    await expect(third).rejects.toThrow('queue down');
    const fourth = link.send(config, batch('q1', ['d']));
    await settle();
    calls[2]?.answer();
    expect((await fourth).results.map((r) => r.id)).toEqual(['d']);
  });

  it('carries at most MERGE_LIMITS of events in one call; a larger batch goes alone', () => {
    const many = (n: number, tag: string) => ({
      batch: batch(
        'q',
        Array.from({ length: n }, (_, i) => `${tag}${i}`),
      ),
    });
    const waiting = [many(MERGE_LIMITS.events + 5, 'x'), many(400, 'a'), many(400, 'b'), many(400, 'c')];
    expect(takeMergeable(waiting).map((w) => w.batch.events.length)).toEqual([MERGE_LIMITS.events + 5]);
    expect(takeMergeable(waiting).map((w) => w.batch.events.length)).toEqual([400, 400]);
    expect(takeMergeable(waiting).map((w) => w.batch.events.length)).toEqual([400]);
    expect(waiting).toHaveLength(0);
  });
});
