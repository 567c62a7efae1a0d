/**
 * Erlang C (M/M/N): Poisson arrivals at rate λ, exponential handle times of mean AHT, N agents, callers who
 * never hang up, served first come first served. The offered load is A = λ·AHT Erlangs; the queue is stable
 * only when A < N (at A ≥ N it grows without bound, every caller waits, and the means are infinite).
 *
 * Every function is unit-agnostic: give the arrival rate and the times in one unit (per second and seconds,
 * per ms and ms) and the answers come back in that unit.
 *
 * Numerics: Erlang B by the recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) (pyworkforce
 * `pyworkforce/queuing/erlang.py` runs its inverse) — every term is in [0, 1], so nothing overflows at 500
 * Erlangs or thousands of agents, where A^N/N! would (171! is already beyond a double) — and Erlang C from it by
 * C = N·B / (N − A·(1 − B)). docs/ewt.md lists the functions of this folder.
 */

/** The traffic a queue is offered: arrivals per time unit and the mean handle time in that unit. */
export interface Traffic {
  arrivalRate: number;
  aht: number;
}

/** What Erlang C says of a queue with some number of agents. Times in the unit of the traffic's AHT. */
export interface ErlangC {
  agents: number;
  /** A = λ·AHT, in Erlangs. */
  load: number;
  /** A < N: the queue settles; otherwise it grows without bound and the means are null. */
  stable: boolean;
  /** C(N, A): the probability that a caller waits at all (1 when unstable). */
  probabilityOfWaiting: number;
  /** Mean wait over all callers (all are answered in this model): C·AHT / (N − A); null when unstable. */
  asa: number | null;
  /** Mean wait of the callers who wait: AHT / (N − A); null when unstable. */
  meanWaitOfDelayed: number | null;
  /** Mean number waiting: C·A / (N − A); null when unstable. */
  meanQueueLength: number | null;
  /** Share of agent time spent handling: A/N, 1 when unstable (every agent is always busy). */
  occupancy: number;
}

/** What a staffing answer must meet; each given field is a constraint, all must hold. */
export interface StaffingTarget {
  /** At least `target` (0 ≤ target < 1) of callers answered within `threshold` (in the traffic's time unit). */
  serviceLevel?: { target: number; threshold: number };
  /** ASA at most this (> 0, in the traffic's time unit). */
  asa?: number;
  /** Occupancy A/N at most this (0 < maxOccupancy ≤ 1). */
  maxOccupancy?: number;
}

/** Far beyond any queue (the square-root rule puts N near A + 3√A for the strictest targets). */
const MAX_AGENTS = 1_000_000;

function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 0 || agents > MAX_AGENTS) {
    throw new RangeError(`agents must be a whole number from 0 to ${MAX_AGENTS}, got ${agents}`);
  }
}

function checkLoad(load: number): void {
  if (!Number.isFinite(load) || load < 0) throw new RangeError(`load must be a finite number ≥ 0, got ${load}`);
}

/** The offered load A = λ·AHT, in Erlangs. */
export function offeredLoad(traffic: Traffic): number {
  const { arrivalRate, aht } = traffic;
  if (!Number.isFinite(arrivalRate) || arrivalRate < 0) {
    throw new RangeError(`arrivalRate must be a finite number ≥ 0, got ${arrivalRate}`);
  }
  if (!Number.isFinite(aht) || aht <= 0) throw new RangeError(`aht must be a finite number > 0, got ${aht}`);
  return arrivalRate * aht;
}

/** One step of the Erlang B recursion: B(k) from B(k − 1). */
const nextB = (b: number, k: number, load: number) => (load * b) / (k + load * b);

/** Erlang C from Erlang B for N agents; 1 when A ≥ N. */
const cFromB = (b: number, agents: number, load: number) =>
  load >= agents ? 1 : Math.min(1, (agents * b) / (agents - load * (1 - b)));

/** Erlang B: the probability that a caller finds all N agents busy when callers who find them busy are lost. */
export function erlangB(agents: number, load: number): number {
  checkAgents(agents);
  checkLoad(load);
  let b = 1;
  for (let k = 1; k <= agents; k++) b = nextB(b, k, load);
  return b;
}

/** Erlang C: the probability that a caller waits, C(N, A); 1 when A ≥ N (the queue is unstable). */
export function erlangC(agents: number, load: number): number {
  return cFromB(erlangB(agents, load), agents, load);
}

function measures(agents: number, load: number, aht: number, c: number): ErlangC {
  if (load >= agents) {
    return {
      agents,
      load,
      stable: false,
      probabilityOfWaiting: 1,
      asa: null,
      meanWaitOfDelayed: null,
      meanQueueLength: null,
      occupancy: 1,
    };
  }
  const spare = agents - load;
  return {
    agents,
    load,
    stable: true,
    probabilityOfWaiting: c,
    asa: (c * aht) / spare,
    meanWaitOfDelayed: aht / spare,
    meanQueueLength: (c * load) / spare,
    occupancy: load / agents,
  };
}

/** Erlang C's measures of a queue offered `traffic` with `agents` agents. */
export function erlangCQueue(traffic: Traffic, agents: number): ErlangC {
  const load = offeredLoad(traffic);
  return measures(agents, load, traffic.aht, erlangC(agents, load));
}

/** P(wait ≤ t) = 1 − C·e^(−(N − A)·t / AHT): the share of callers answered within `threshold`; 0 when unstable. */
export function erlangCServiceLevel(traffic: Traffic, agents: number, threshold: number): number {
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new RangeError(`threshold must be a finite number ≥ 0, got ${threshold}`);
  }
  const load = offeredLoad(traffic);
  return serviceLevelOf(agents, load, traffic.aht, erlangC(agents, load), threshold);
}

const serviceLevelOf = (agents: number, load: number, aht: number, c: number, threshold: number) =>
  load >= agents ? 0 : Math.max(0, 1 - c * Math.exp((-(agents - load) * threshold) / aht));

function checkTarget(target: StaffingTarget): void {
  const sl = target.serviceLevel;
  if (sl && !(sl.target >= 0 && sl.target < 1)) {
    throw new RangeError(`serviceLevel.target must be from 0 up to (not including) 1, got ${sl.target}`);
  }
  if (sl && !(Number.isFinite(sl.threshold) && sl.threshold >= 0)) {
    throw new RangeError(`serviceLevel.threshold must be a finite number ≥ 0, got ${sl.threshold}`);
  }
  if (target.asa !== undefined && !(Number.isFinite(target.asa) && target.asa > 0)) {
    throw new RangeError(`asa must be a finite number > 0, got ${target.asa}`);
  }
  if (target.maxOccupancy !== undefined && !(target.maxOccupancy > 0 && target.maxOccupancy <= 1)) {
    throw new RangeError(`maxOccupancy must be in (0, 1], got ${target.maxOccupancy}`);
  }
}

/**
 * The fewest agents (at least 1, and more than the load, so the queue is stable) with which Erlang C meets
 * every constraint of the target. Each constraint only gets easier with more agents, so the first N that
 * meets them all is the minimum; the Erlang B recursion is carried from one N to the next.
 */
export function erlangCAgentsRequired(traffic: Traffic, target: StaffingTarget): number {
  checkTarget(target);
  const load = offeredLoad(traffic);
  const { aht } = traffic;
  let agents = Math.max(1, Math.floor(load) + 1);
  if (target.maxOccupancy !== undefined) {
    // The smallest N with A/N ≤ max, guarded against A/max landing a rounding error above a whole number.
    let n = Math.max(agents, Math.ceil(load / target.maxOccupancy));
    while (n > agents && load / (n - 1) <= target.maxOccupancy) n -= 1;
    agents = n;
  }
  if (agents > MAX_AGENTS) throw new RangeError(`the load (${load} Erlangs) needs more than ${MAX_AGENTS} agents`);
  let b = erlangB(agents, load);
  for (;;) {
    const c = cFromB(b, agents, load);
    const sl = target.serviceLevel;
    const slMet = !sl || serviceLevelOf(agents, load, aht, c, sl.threshold) >= sl.target;
    const asaMet = target.asa === undefined || (c * aht) / (agents - load) <= target.asa;
    if (slMet && asaMet) return agents;
    agents += 1;
    if (agents > MAX_AGENTS) throw new RangeError(`the target needs more than ${MAX_AGENTS} agents`);
    b = nextB(b, agents, load);
  }
}

/**
 * Agents to schedule so that `agents` are productive when a share `shrinkage` (0 ≤ s < 1) of scheduled time
 * is lost to breaks, training and absence: ⌈N / (1 − s)⌉.
 */
export function withShrinkage(agents: number, shrinkage: number): number {
  checkAgents(agents);
  if (!(shrinkage >= 0 && shrinkage < 1))
    throw new RangeError(`shrinkage must be from 0 up to (not including) 1, got ${shrinkage}`);
  // Less a hair, so that a quotient a rounding error above a whole number (N / (1 − s) exactly 20) stays 20.
  return Math.ceil(agents / (1 - shrinkage) - 1e-9);
}
