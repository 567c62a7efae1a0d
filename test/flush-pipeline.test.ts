import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FLUSH_BATCH, OutboxFlusher } from '../src/durable-objects/flush';
import { Outbox } from '../src/durable-objects/outbox';
import type { HistorySink, SinkBatch } from '../src/durable-objects/ports';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { createLogger } from '../src/lib/log';
import { env } from './helpers/env';
import { callId } from './helpers/ingest';

class DataError extends Error {}

/**
 * A sink whose writes wait until the test lets them finish, so what is in flight at once can be seen. `fail`
 * decides each write's fate by its order (0-based): undefined succeeds.
 */
function heldSink(fail: (n: number, batch: SinkBatch) => Error | undefined = () => undefined) {
  const started: SinkBatch[] = [];
  let inFlight = 0;
  let most = 0;
  const sink: HistorySink = {
    open: () => ({
      write: async (_tenant, batch) => {
        const n = started.length;
        started.push(batch);
        inFlight++;
        most = Math.max(most, inFlight);
        // Finishes after a turn of the event loop, later writes first: the flush must settle them in order.
        await new Promise((resolve) => setTimeout(resolve, n % 2 === 0 ? 5 : 1));
        inFlight--;
        const err = fail(n, batch);
        if (err) throw err;
      },
      close: async () => {},
    }),
    isDataError: (err) => err instanceof DataError,
    describeFailure: (err) => ({
      code: err instanceof DataError ? 'POSTGRES_REFUSED_DATA' : 'POSTGRES_UNAVAILABLE',
      sqlState: null,
      reason: String(err),
    }),
  };
  return { sink, started, most: () => most };
}

/** Runs `fn` on a fresh queue object's outbox holding `events` pending events. */
async function withOutbox(events: number, fn: (outbox: Outbox, transact: <T>(f: () => T) => T) => Promise<void>) {
  const stub = queueStub(env, 'ten_flush_pipeline', callId('que'));
  await runInDurableObject(stub, async (instance, state) => {
    (instance as unknown as { ensureSchema(): void }).ensureSchema();
    const outbox = new Outbox(state.storage.sql);
    const transact = <T>(f: () => T) => state.storage.transactionSync(f);
    transact(() => {
      for (let i = 0; i < events; i += 100) {
        outbox.putEventTexts(
          Array.from({ length: Math.min(100, events - i) }, (_, k) => ({ id: `e${i + k}`, body: JSON.stringify({ n: i + k }) })),
          0,
        );
      }
    });
    await fn(outbox, transact);
  });
}

const flusher = (outbox: Outbox, sink: HistorySink, transact: <T>(f: () => T) => T) =>
  new OutboxFlusher(outbox, sink, { tenantId: () => 'ten_flush_pipeline', ensure: () => [], transact, delayMs: 1000 });
const log = createLogger({}, 'error');
const ids = (b: SinkBatch) => b.events.map((e) => (e.body as { n: number }).n);

describe('the outbox flush writes two batches at once', () => {
  it('takes the next batch while one is written, each once, and drains everything', async () => {
    await withOutbox(FLUSH_BATCH * 2 + 500, async (outbox, transact) => {
      const { sink, started, most } = heldSink();
      await flusher(outbox, sink, transact).flush('ten_flush_pipeline', Date.now(), log);
      expect(most()).toBe(2);
      expect(started.map((b) => b.events.length)).toEqual([FLUSH_BATCH, FLUSH_BATCH, 500]);
      const written = started.flatMap(ids);
      expect(new Set(written).size).toBe(FLUSH_BATCH * 2 + 500);
      expect(outbox.status()).toMatchObject({ backlog: 0, flushedRows: FLUSH_BATCH * 2 + 500, failures: 0 });
    });
  });

  it('when a batch fails, keeps what the batch written beside it wrote, and retries the rest later', async () => {
    await withOutbox(FLUSH_BATCH * 2 + 500, async (outbox, transact) => {
      // Postgres goes away during the first batch; the second, already sent, committed.
      const { sink, started } = heldSink((n) => (n === 0 ? new Error('connection lost') : undefined));
      await flusher(outbox, sink, transact).flush('ten_flush_pipeline', Date.now(), log);
      expect(started).toHaveLength(2);
      // (A failed flush adds nothing to the flush rate's figures, whatever it wrote.)
      expect(outbox.status()).toMatchObject({ backlog: FLUSH_BATCH + 500, flushedRows: 0, failures: 1 });
      expect(outbox.status().lastErrorCode).toBe('POSTGRES_UNAVAILABLE');
      // What is left is the first batch and the one never sent: the next flush writes them, nothing twice.
      const next = heldSink();
      await flusher(outbox, next.sink, transact).flush('ten_flush_pipeline', Date.now() + 60_000, log);
      const again = next.started.flatMap(ids);
      expect(again).toEqual([...ids(started[0] as SinkBatch), ...Array.from({ length: 500 }, (_, i) => FLUSH_BATCH * 2 + i)]);
      expect(outbox.status()).toMatchObject({ backlog: 0, failures: 0, flushedRows: FLUSH_BATCH + 500 });
    });
  });

  it('sets aside a row Postgres refuses in one batch while the other batch goes through', async () => {
    await withOutbox(FLUSH_BATCH + 100, async (outbox, transact) => {
      const poison = 7;
      const { sink } = heldSink((_n, batch) => (ids(batch).includes(poison) ? new DataError('refused') : undefined));
      await flusher(outbox, sink, transact).flush('ten_flush_pipeline', Date.now(), log);
      expect(outbox.status()).toMatchObject({ backlog: 0, deadLetters: 1, flushedRows: FLUSH_BATCH + 99 });
      expect(outbox.deadLetters(10).map((d) => d.id)).toEqual([`e${poison}`]);
    });
  });
});
