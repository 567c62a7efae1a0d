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
 * Sends `facts` (a model with `peek`/`step`/`shutdown`, or any iterable of facts in time order) on `clock`'s
 * schedule (or at once with `immediate`). `route(fact)` says what a fact becomes:
 * events to batch (`batch`, sent together by `batchRequest(events)` while they are due together, at most
 * `batchMax` per request) and requests of their own (`single`). Counts each fact in `calls` as it goes.
 * Stopped (`waiter.stop()`), it sends what `facts.shutdown(offset)` gives, if the facts have one.
 * @param {{ facts: Iterable<{ t: number, at: number, type: string }> & { peek?: () => number | null, step?: () => object[] | null, shutdown?: (t: number) => object[] }, clock: ReturnType<typeof import('./clock.mjs').timeMap>,
 *   route: (fact: { t: number, at: number, type: string }) => { batch: object[], single: object[] }, batchRequest: (events: object[]) => object,
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
  const handle = async (fact) => {
    countFact(calls, fact);
    lastAt = fact.at;
    const out = route(fact);
    for (const e of out.batch) {
      batch.push(e);
      if (batch.length >= batchMax) await flush();
    }
    for (const r of out.single) await sender.send(r);
  };
  const done = (async () => {
    if (typeof facts.step === 'function') {
      // A model: wait for its next action's instant, then run that one action (it may make no fact), so its
      // state never runs ahead of the clock and a stop lands between two actions.
      for (;;) {
        const t = facts.peek();
        if (t === null || waiter.stopped) break;
        await wait(t);
        if (waiter.stopped) break;
        const made = facts.step();
        if (made === null) break;
        for (const fact of made) await handle(fact);
      }
    } else {
      for (const fact of facts) {
        if (waiter.stopped) break;
        await wait(fact.t);
        if (waiter.stopped) break;
        await handle(fact);
      }
    }
    // Stopped before the end: close what is under way (a model can), so no call stays open in Callboard.
    if (waiter.stopped && typeof facts.shutdown === 'function') {
      for (const fact of facts.shutdown(clock.offsetAt(now()))) await handle(fact);
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
