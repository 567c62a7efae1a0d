import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL, Outbox } from '../src/durable-objects/outbox';
import { env } from './helpers/env';
import { callId } from './helpers/ingest';

/** An outbox on a Durable Object's own storage, nothing else in it. */
async function withOutbox(fn: (outbox: Outbox) => void): Promise<void> {
  const stub = env.QUEUE_DO.get(env.QUEUE_DO.idFromName(callId('outbox-ack')));
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(OUTBOX_DDL);
    state.storage.sql.exec(OUTBOX_DEAD_LETTERS_DDL);
    fn(new Outbox(state.storage.sql));
  });
}

describe('acknowledging a written batch', () => {
  it('keeps what changed while the batch was being written: a record at a newer version, a revised event', async () => {
    await withOutbox((outbox) => {
      outbox.putRecord('visit', 'v1', 1, { id: 'v1', n: 1 });
      outbox.putRecord('visit', 'v2', 1, { id: 'v2', n: 1 });
      outbox.putEvent('e1', { id: 'e1', v: 'first' }, 1000);
      outbox.putEvent('e2', { id: 'e2', v: 'first' }, 1000);
      const batch = outbox.take(10);
      expect(batch.records.map((r) => r.id)).toEqual(['v1', 'v2']);
      expect(batch.events.map((e) => e.body)).toEqual([
        { id: 'e1', v: 'first' },
        { id: 'e2', v: 'first' },
      ]);

      // Meanwhile (the flush awaits Postgres): v1 changes, e1 is revised (re-normalized).
      outbox.putRecord('visit', 'v1', 2, { id: 'v1', n: 2 });
      outbox.putEvent('e1', { id: 'e1', v: 'revised' }, 2000, true);
      outbox.ack(batch);

      const next = outbox.take(10);
      expect(next.records.map((r) => [r.id, r.version, r.body])).toEqual([['v1', 2, { id: 'v1', n: 2 }]]);
      expect(next.events.map((e) => e.body)).toEqual([{ id: 'e1', v: 'revised' }]);
      outbox.ack(next);
      expect(outbox.status().backlog).toBe(0);
    });
  });

  it('takes the oldest rows first, at most the limit of each and the byte bound of both together', async () => {
    await withOutbox((outbox) => {
      for (let i = 0; i < 5; i++) outbox.putRecord('interaction', `i${i}`, 1, { id: `i${i}`, pad: 'x'.repeat(100) });
      for (let i = 0; i < 5; i++) outbox.putEvent(`e${i}`, { id: `e${i}`, pad: 'x'.repeat(100) }, 1000 - i);
      const limited = outbox.take(3);
      expect([limited.records.map((r) => r.id), limited.events.map((e) => e.id)]).toEqual([
        ['i0', 'i1', 'i2'],
        ['e0', 'e1', 'e2'],
      ]);
      // Each body is ~120 characters: 500 bytes hold four rows, records first.
      const bounded = outbox.take(10, 500);
      expect([bounded.records.length, bounded.events.length]).toEqual([4, 0]);
      const one = outbox.take(10, 1);
      expect([one.records.length, one.events.length]).toEqual([1, 0]);
    });
  });
});
