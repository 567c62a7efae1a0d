import { offeredLoad, type Traffic } from './erlang';

/**
 * Erlang A (M/M/N+M, Palm): Erlang C's queue with callers who hang up. Each waiting caller abandons after an
 * exponential patience of mean `patience`, so the queue settles at any load, A ≥ N included, and waits and
 * staff come out lower than Erlang C's (which assumes infinite patience; Garnett, Mandelbaum & Reiman 2002).
 *
 * Computed exactly from the birth–death chain of the number of callers n in the system (birth rate λ, death rate
 * min(n, N)·μ + max(n − N, 0)·θ with μ = 1/AHT, θ = 1/patience), as pyworkforce `queuing/abandonment.py` does:
 * p_n ∝ ∏ λ/d_k, rescaled before it overflows and cut where the rest of the tail is below 1e-16 of the sum. An
 * arriving caller sees the stationary state (Poisson arrivals see time averages), which gives the measures:
 *
 * - P(wait) = Σ_{n ≥ N} p_n; mean queue Lq = Σ (n − N)·p_n;
 * - P(abandon) = θ·Lq/λ (abandons per unit time over arrivals per unit time);
 * - mean wait over all arrivals, abandoners' time in queue included = Lq/λ (Little; pyworkforce's "ASA");
 * - ASA of answered callers: a caller who arrives with j waiting ahead advances at rate a_k = N·μ + k·θ from k
 *   ahead (a service, or one ahead abandons) and abandons at θ; it is answered with probability
 *   ∏_{k=0..j} a_k/(a_k + θ) after a time whose mean, given it is answered, is Σ_{k=0..j} 1/(a_k + θ);
 * - service level (answered within t, over all arrivals: an abandon counts as not answered in time) =
 *   P(no wait) + Σ_j p_{N+j}·P(that caller is answered by t), in closed form (`answeredWithin`).
 *
 * Unit-agnostic like `erlang.ts`: the rate, AHT, patience and threshold in one time unit.
 */

/** Traffic whose callers hang up after waiting `patience` on average (same time unit as the AHT). */
export interface ImpatientTraffic extends Traffic {
  patience: number;
}

/** What Erlang A says of a queue with some number of agents. Times in the unit of the traffic's AHT. */
export interface ErlangA {
  agents: number;
  /** A = λ·AHT, in Erlangs (offered; some of it abandons). */
  load: number;
  /** The probability that a caller finds every agent busy and waits. */
  probabilityOfWaiting: number;
  /** The probability that a caller hangs up before an agent answers. */
  probabilityOfAbandoning: number;
  /** Mean time in queue over all callers, the abandoners' time included: Lq/λ. */
  meanWait: number;
  /** Mean wait of the callers who are answered; null when no caller is (a load of 0 gives 0). */
  asa: number | null;
  /** Mean number waiting. */
  meanQueueLength: number;
  /** Share of agent time spent handling: the answered load λ·(1 − P(abandon))·AHT over N. */
  occupancy: number;
}

/** What an Erlang A staffing answer must meet; each given field is a constraint, all must hold. */
export interface ImpatientStaffingTarget {
  /** At least `target` (0 ≤ target < 1) of all callers answered within `threshold` (in the traffic's time unit). */
  serviceLevel?: { target: number; threshold: number };
  /** ASA of the answered callers at most this (> 0, in the traffic's time unit). */
  asa?: number;
  /** P(abandon) at most this (0 < max ≤ 1). */
  maxAbandonment?: number;
  /** Occupancy at most this (0 < max ≤ 1). */
  maxOccupancy?: number;
}

/** Relative size of the stationary tail left out. */
const TAIL = 1e-16;
/** States beyond which the chain is refused: a patience far longer than the AHT on an overloaded queue. */
const MAX_STATES = 2_000_000;
const MAX_AGENTS = 1_000_000;

interface Chain {
  agents: number;
  lambda: number;
  mu: number;
  theta: number;
  /** Stationary probabilities p_0 … p_K (the tail beyond K below TAIL). */
  p: Float64Array;
}

function chainOf(traffic: ImpatientTraffic, agents: number): Chain {
  if (!Number.isInteger(agents) || agents < 1 || agents > MAX_AGENTS) {
    throw new RangeError(`agents must be a whole number from 1 to ${MAX_AGENTS}, got ${agents}`);
  }
  const load = offeredLoad(traffic);
  const { patience } = traffic;
  if (!Number.isFinite(patience) || patience <= 0) throw new RangeError(`patience must be a finite number > 0, got ${patience}`);
  const lambda = traffic.arrivalRate;
  const mu = 1 / traffic.aht;
  const theta = 1 / patience;
  const death = (n: number) => Math.min(n, agents) * mu + Math.max(n - agents, 0) * theta;
  const q: number[] = [1];
  let total = 1;
  let live = 0;
  if (load > 0) {
    for (let n = 1; ; n++) {
      const term = ((q[n - 1] as number) * lambda) / death(n);
      q.push(term);
      total += term;
      // The ratios λ/d only fall from here, so the rest of the tail is below term·r/(1 − r).
      const r = lambda / death(n + 1);
      if (r < 1 && (term * r) / (1 - r) < TAIL * total) break;
      if (n >= MAX_STATES) {
        throw new RangeError(`the queue would hold more than ${MAX_STATES} callers: patience too long for this load`);
      }
      if (term > 1e250) {
        // Terms only grow while they overflow, so the smallest are a prefix: two rescalings take them to 0, and
        // skipping those keeps each rescaling to the last few hundred terms (not the whole chain every time).
        for (let k = live; k < q.length; k++) q[k] = (q[k] as number) / 1e250;
        while (live < q.length && q[live] === 0) live++;
        total /= 1e250;
      }
    }
  }
  const p = Float64Array.from(q, (x) => x / total);
  return { agents, lambda, mu, theta, p };
}

function measuresOf(c: Chain, load: number): ErlangA {
  const { agents, lambda, mu, theta, p } = c;
  let waiting = 0;
  let lq = 0;
  let answeredDelayed = 0;
  let answeredDelayedWait = 0;
  // From j ahead: answered with probability survive = ∏ a_k/(a_k + θ), mean wait given answered = Σ 1/(a_k + θ).
  let survive = 1;
  let meanStages = 0;
  for (let n = agents; n < p.length; n++) {
    const pn = p[n] as number;
    const j = n - agents;
    const a = agents * mu + j * theta;
    survive *= a / (a + theta);
    meanStages += 1 / (a + theta);
    waiting += pn;
    lq += j * pn;
    answeredDelayed += pn * survive;
    answeredDelayedWait += pn * survive * meanStages;
  }
  const noWait = Math.max(0, 1 - waiting);
  const answered = noWait + answeredDelayed;
  const probabilityOfAbandoning = lambda > 0 ? Math.min(1, (theta * lq) / lambda) : 0;
  return {
    agents,
    load,
    probabilityOfWaiting: Math.min(1, waiting),
    probabilityOfAbandoning,
    meanWait: lambda > 0 ? lq / lambda : 0,
    asa: answered > 0 ? answeredDelayedWait / answered : null,
    meanQueueLength: lq,
    occupancy: Math.min(1, (load * (1 - probabilityOfAbandoning)) / agents),
  };
}

/** Erlang A's measures of a queue offered `traffic` (with its callers' patience) and `agents` ≥ 1 agents. */
export function erlangAQueue(traffic: ImpatientTraffic, agents: number): ErlangA {
  return measuresOf(chainOf(traffic, agents), offeredLoad(traffic));
}

/**
 * Σ_j p_{N+j} · P(a caller with j ahead is answered within t). From k ahead the caller advances at
 * a_k = N·μ + k·θ and abandons at θ, so with S_j = Σ_{k=0..j} Exp(a_k) and its own patience τ ~ Exp(θ):
 *
 *   P(answered by t | j) = E[e^(−θ·S_j); S_j ≤ t] = ∏_k a_k/(a_k + θ) · P(S'_j ≤ t),
 *
 * where tilting each stage by e^(−θx) adds θ to its rate: S'_j = Σ_{m=1..n} Exp(θ·(α + m)), n = j + 1,
 * α = N·μ/θ. That sum is distributed as −ln Y/θ with Y ~ Beta(α + 1, n) (Rényi's representation of exponential
 * order statistics), so P(S'_j ≤ t) = P(Y ≥ e^(−θt)) = I_x(n, α + 1) with x = 1 − e^(−θt), the regularized
 * incomplete beta function. It is carried from one n to the next by I_x(n + 1, b) = I_x(n, b) − T_n, with
 * T_n = xⁿ(1 − x)^b / (n·B(n, b)) kept in logs (e^(−θt(α+1)) underflows from a few hundred agent-thresholds on),
 * so the whole sum costs one pass over the chain, whatever N and t.
 */
function answeredWithin(c: Chain, threshold: number): number {
  const { agents, mu, theta, p } = c;
  const top = p.length - 1 - agents;
  if (top < 0 || threshold === 0) return 0;
  const alpha = (agents * mu) / theta;
  const b = alpha + 1;
  const logX = Math.log(-Math.expm1(-theta * threshold));
  const log1mX = -theta * threshold;
  // I_x(1, b) = 1 − (1 − x)^b; T_1 = b·x·(1 − x)^b; T_{n+1} = T_n · x·(n + b)/(n + 1).
  let cdf = -Math.expm1(log1mX * b);
  let logT = Math.log(b) + logX + log1mX * b;
  let answered = 0;
  let survive = 1;
  for (let j = 0; j <= top; j++) {
    const a = agents * mu + j * theta;
    survive *= a / (a + theta);
    answered += (p[agents + j] as number) * survive * Math.min(1, Math.max(0, cdf));
    const n = j + 1;
    cdf -= Math.exp(logT);
    logT += logX + Math.log((n + b) / (n + 1));
  }
  return answered;
}

/** The share of all callers answered within `threshold` (abandons count as not answered in time). */
export function erlangAServiceLevel(traffic: ImpatientTraffic, agents: number, threshold: number): number {
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new RangeError(`threshold must be a finite number ≥ 0, got ${threshold}`);
  }
  const c = chainOf(traffic, agents);
  const waiting = c.p.subarray(agents).reduce((s, x) => s + x, 0);
  return Math.min(1, Math.max(0, 1 - waiting) + answeredWithin(c, threshold));
}

function checkTarget(target: ImpatientStaffingTarget): void {
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
  for (const key of ['maxAbandonment', 'maxOccupancy'] as const) {
    const v = target[key];
    if (v !== undefined && !(v > 0 && v <= 1)) throw new RangeError(`${key} must be in (0, 1], got ${v}`);
  }
}

/**
 * The fewest agents (at least 1) with which Erlang A meets every constraint of the target. Unlike Erlang C this
 * may be fewer than the load: callers who hang up take no agent time. Every measure improves with more agents,
 * so the answer is found by doubling, then bisecting; counts so far below the load that the chain would pass its
 * state limit count as missing the target.
 */
export function erlangAAgentsRequired(traffic: ImpatientTraffic, target: ImpatientStaffingTarget): number {
  checkTarget(target);
  const load = offeredLoad(traffic);
  const meets = (agents: number) => {
    let c: Chain;
    try {
      c = chainOf(traffic, agents);
    } catch (error) {
      // So few agents that millions would wait: no target worth asking for is met there; search above.
      if (error instanceof RangeError && agents < load) return false;
      throw error;
    }
    const m = measuresOf(c, load);
    if (target.maxAbandonment !== undefined && m.probabilityOfAbandoning > target.maxAbandonment) return false;
    if (target.maxOccupancy !== undefined && m.occupancy > target.maxOccupancy) return false;
    if (target.asa !== undefined && (m.asa === null || m.asa > target.asa)) return false;
    const sl = target.serviceLevel;
    return !sl || 1 - m.probabilityOfWaiting + answeredWithin(c, sl.threshold) >= sl.target;
  };
  let fails = 0;
  let holds = Math.max(1, Math.ceil(load));
  while (!meets(holds)) {
    fails = holds;
    holds *= 2;
    if (holds > MAX_AGENTS) throw new RangeError(`the target needs more than ${MAX_AGENTS} agents`);
  }
  while (holds - fails > 1) {
    const mid = Math.floor((fails + holds) / 2);
    if (mid >= 1 && meets(mid)) holds = mid;
    else fails = mid;
  }
  return holds;
}
