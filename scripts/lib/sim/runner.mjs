// The send loop: takes facts in time order, waits for each one's due instant (clock.mjs), groups the
// batchable events that are due together into one delivery, and hands requests to the sender.
import { countFact } from './progress.mjs';

/**
 * A wait that `stop()` cuts short: `until(ms)` resolves at that real instant or when stopped.
 * @param {() => number} now
 */
export function createWaiter(now = Date.now) {
  let stopped = false;
  let wake = null;
  return {
    get stopped() {
      return stopped;
    },
    async until(dueMs) {
      while (!stopped && now() < dueMs) {
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(dueMs - now(), 1000));
        });
        wake = null;
      }
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

/**
 * Sends `facts` on `clock`'s schedule (or at once with `immediate`). `route(fact)` says what a fact becomes:
 * events to batch (`batch`, sent together by `batchRequest(events)` while they are due together, at most
 * `batchMax` per request) and requests of their own (`single`). Counts each fact in `calls` as it goes.
 * Stopped (`waiter.stop()`), it sends what `facts.shutdown(offset)` gives, if the facts have one.
 * @param {{ facts: Iterable<{ t: number, at: number, type: string }>, clock: ReturnType<typeof import('./clock.mjs').timeMap>,
 *   route: (fact: object) => { batch: object[], single: object[] }, batchRequest: (events: object[]) => object,
 *   sender: ReturnType<typeof import('./sender.mjs').createSender>, calls: ReturnType<typeof import('./progress.mjs').newCallStats>,
 *   waiter: ReturnType<typeof createWaiter>, now?: () => number, batchMax?: number, immediate?: boolean }} o
 * @returns {{ done: Promise<void>, clockMs: () => number }}
 */
export function runFacts({
  facts,
  clock,
  route,
  batchRequest,
  sender,
  calls,
  waiter,
  now = Date.now,
  batchMax = 500,
  immediate = false,
}) {
  let waiting = false;
  let lastAt = clock.startMs;
  let batch = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    await sender.send(batchRequest(events));
  };
  const wait = async (t) => {
    const due = immediate ? 0 : clock.dueAt(t);
    if (due <= now()) return;
    await flush();
    waiting = true;
    await waiter.until(due);
    waiting = false;
  };
  const done = (async () => {
    const it = facts[Symbol.iterator]();
    // A model says when its next fact is due before making it (peek): its state never runs ahead of the clock.
    const peek = typeof facts.peek === 'function' ? () => facts.peek() : null;
    for (;;) {
      if (peek) {
        const next = peek();
        if (next === null) break;
        // A stop lands between the model's actions, never amid the facts of one.
        if (waiter.stopped && !next.buffered) break;
        await wait(next.t);
        if (waiter.stopped && !next.buffered) break;
      }
      const { value: fact, done: end } = it.next();
      if (end) break;
      if (!peek) {
        if (waiter.stopped) break;
        await wait(fact.t);
        if (waiter.stopped) break;
      }
      countFact(calls, fact);
      lastAt = fact.at;
      const out = route(fact);
      for (const e of out.batch) {
        batch.push(e);
        if (batch.length >= batchMax) await flush();
      }
      for (const r of out.single) await sender.send(r);
    }
    // Stopped before the end: close what is under way (a model can), so no call stays open in Callboard.
    if (waiter.stopped && typeof facts.shutdown === 'function') {
      for (const fact of facts.shutdown(clock.offsetAt(now()))) {
        countFact(calls, fact);
        lastAt = fact.at;
        const out = route(fact);
        batch.push(...out.batch);
        for (const r of out.single) await sender.send(r);
      }
    }
    await flush();
    await sender.drain();
  })();
  return {
    done,
    /** What the simulated clock shows: flowing while the loop waits, the last fact's instant while it is behind. */
    clockMs: () => (waiting ? Math.max(lastAt, clock.startMs + clock.offsetAt(now())) : lastAt),
  };
}
