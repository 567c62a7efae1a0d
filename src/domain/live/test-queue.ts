import { prng } from '../kpi/test-records';
import type { LiveQueueState } from './ewt';

/**
 * A seeded discrete-event simulation of an M/M/N queue for testing EWT estimates: Poisson arrivals, exponential
 * handle times, N agents always staffed, callers served first come first served and never hanging up.
 *
 * FCFS makes it a recursion (Kiefer & Wolfowitz): each caller takes the agent that frees first, at its arrival
 * or when that agent frees, whichever is later. So each caller's answer instant is known on arrival; the state
 * the estimator is shown is only what a live queue would know at that instant: the callers still waiting (those
 * who arrived earlier and are not answered yet), agents busy or available, and the mean handle time and
 * arrival rate of a rolling window (calls completed, and calls arrived, in the last `windowMs`).
 */

export interface QueueSimulation {
  seed: number;
  callers: number;
  arrivalsPerSecond: number;
  ahtMs: number;
  agents: number;
  /** The rolling window the AHT and arrival rate are measured over; default 30 minutes. */
  windowMs?: number;
}

export interface Arrival {
  /** 0 for the first caller. */
  index: number;
  /** The live state just before this caller joins (`now` is its arrival); built when asked for. */
  state(): LiveQueueState;
  /** The instant each caller in `state().waiting` is answered, in the same order. */
  answerAtOfWaiting(): number[];
  /** The wait this caller gets. */
  waitMs: number;
}

/** A binary min-heap of instants, each with a number (a handle time). */
class Heap {
  private keys: number[] = [];
  private values: number[] = [];
  get size() {
    return this.keys.length;
  }
  peek(): number {
    return this.keys[0] as number;
  }
  push(key: number, value: number) {
    const { keys, values } = this;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= key) break;
      keys[i] = keys[parent] as number;
      values[i] = values[parent] as number;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }
  /** Removes the smallest key; returns its value. */
  pop(): number {
    const { keys, values } = this;
    const top = values[0] as number;
    const lastKey = keys.pop() as number;
    const lastValue = values.pop() as number;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (keys[r] as number) < (keys[l] as number) ? r : l;
        if ((keys[c] as number) >= lastKey) break;
        keys[i] = keys[c] as number;
        values[i] = values[c] as number;
        i = c;
      }
      keys[i] = lastKey;
      values[i] = lastValue;
    }
    return top;
  }
}

/**
 * Runs the simulation, calling `visit` at each arrival with the truth and, built when asked for during the
 * call, the state the queue shows.
 */
export function simulateQueue(sim: QueueSimulation, visit: (a: Arrival) => void): void {
  const rnd = prng(sim.seed);
  const exp = (mean: number) => -Math.log(1 - rnd.next()) * mean;
  const windowMs = sim.windowMs ?? 30 * 60_000;
  const interArrivalMs = 1000 / sim.arrivalsPerSecond;
  // Agents busy now or already promised to a waiting caller, by the instant they free; the rest are idle.
  const busy = new Heap();
  let idle = sim.agents;
  // Callers not yet answered, oldest first: answer instants never decrease under FCFS.
  const queue: { id: string; enqueuedAt: number; answerAt: number }[] = [];
  let head = 0;
  // Calls by the instant they end, and those that ended in the window (oldest first) with their sum.
  const ending = new Heap();
  const ended: { end: number; duration: number }[] = [];
  let endedHead = 0;
  let endedSum = 0;
  const arrivals: number[] = [];
  let arrivalsHead = 0;
  let now = 0;
  for (let index = 0; index < sim.callers; index++) {
    now += exp(interArrivalMs);
    while (head < queue.length && (queue[head] as { answerAt: number }).answerAt <= now) head += 1;
    while (busy.size > 0 && busy.peek() <= now) {
      busy.pop();
      idle += 1;
    }
    while (ending.size > 0 && ending.peek() <= now) {
      const end = ending.peek();
      const duration = ending.pop();
      ended.push({ end, duration });
      endedSum += duration;
    }
    while (endedHead < ended.length && (ended[endedHead] as { end: number }).end <= now - windowMs) {
      endedSum -= (ended[endedHead] as { duration: number }).duration;
      endedHead += 1;
    }
    while (arrivalsHead < arrivals.length && (arrivals[arrivalsHead] as number) <= now - windowMs) arrivalsHead += 1;

    const at = now;
    const from = head;
    const to = queue.length;
    const available = idle;
    const completed = ended.length - endedHead;
    const ahtMs = completed > 0 ? endedSum / completed : null;
    const arrivalsPerSecond = at >= windowMs ? ((arrivals.length - arrivalsHead) * 1000) / windowMs : null;
    const state = (): LiveQueueState => ({
      now: at,
      waiting: queue.slice(from, to).map((c) => ({ id: c.id, enqueuedAt: c.enqueuedAt })),
      agents: { offline: 0, available, busy: sim.agents - available, wrapup: 0, away: 0 },
      ahtMs,
      arrivalsPerSecond,
    });
    const answerAtOfWaiting = () => queue.slice(from, to).map((c) => c.answerAt);

    // An idle agent answers at once; otherwise the agent that frees first.
    let answerAt = now;
    if (idle > 0) idle -= 1;
    else {
      answerAt = busy.peek();
      busy.pop();
    }
    const handle = exp(sim.ahtMs);
    busy.push(answerAt + handle, 0);
    ending.push(answerAt + handle, handle);
    visit({ index, state, answerAtOfWaiting, waitMs: answerAt - now });
    queue.push({ id: `c${index}`, enqueuedAt: now, answerAt });
    arrivals.push(now);
    if (head > 4096) {
      queue.splice(0, head);
      head = 0;
    }
  }
}
