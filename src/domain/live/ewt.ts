import { AGENT_STATES, type AgentState } from '../events/event-types';
import { erlangCQueue } from '../staffing/erlang';

/**
 * Estimated wait time (EWT) of a queue's live state: for each caller waiting, and for a caller who would join
 * now. docs/ewt.md gives the method, its justification and how well it did against a simulated queue.
 *
 * **Staffed agents** N = available + busy + wrapup: logged in and not away. An agent in after-call work is
 * still handling a call (AHT = talk + hold + ACW) and takes the next one when done; an agent away (break,
 * pause) or offline has no known return, so counts for nothing.
 *
 * **Positional estimate** (the one given to callers). The first `available` callers in line get an idle agent:
 * EWT 0. Every caller further back waits for agents to finish: with N agents all handling calls of mean AHT,
 * calls end at rate N/AHT, so the caller at position k waits for the (k − available)-th end, on average
 * (k − available)·AHT/N. That is the exact expected wait of an M/M/N queue given its state (exponential
 * handle times are memoryless, so whatever has been handled already does not matter). It needs no arrival
 * rate, follows the queue as it is now, and grows with the position, so a caller further back never gets a
 * shorter EWT. A new caller is given the estimate of position waiting + 1.
 *
 * **Erlang C** (`erlangC`, context only): the steady-state view from the recent arrival rate λ, the AHT and
 * N — the wait a caller gets on average over a period loaded like the recent one (ASA), and the probability
 * of waiting. It is not used for a caller's EWT: it ignores how many are waiting now (it would tell the 20th
 * caller in line the same as the first), and it averages in the callers who find an agent free, so it can
 * give a new caller less than those already ahead of it. Against the simulated queue its error per caller was
 * several times the positional one (docs/ewt.md). It is null when the queue is overloaded (A ≥ N: it does
 * not apply) or the history to compute it is missing.
 *
 * EWTs are the time from `now` until answered (a waiting caller has already waited `waitedMs` on top), in
 * whole ms; null when they cannot be known: no agent staffed, or no handle time in the window. Callers who
 * hang up are not modelled: where many abandon, the estimates run long (those ahead may leave).
 */

/** One caller in the queue: the visit's id and when it joined. */
export interface WaitingCaller {
  id: string;
  enqueuedAt: number;
}

/** A queue as it is at `now`, and its recent history from a rolling window. */
export interface LiveQueueState {
  now: number;
  /** The callers waiting, in the order they will be answered (the first is next); maybe only the first ones. */
  waiting: readonly WaitingCaller[];
  /** How many wait in all, when `waiting` lists only the first (the new caller joins behind all of them). */
  waitingCount?: number;
  /** The queue's agents by state (counts). */
  agents: Readonly<Record<AgentState, number>>;
  /** Mean handle time (talk + hold + ACW) of calls handled recently, ms; null or ≤ 0 when none were. */
  ahtMs: number | null;
  /** Calls offered per second recently; null or ≤ 0 when there is no history (Erlang C then says nothing). */
  arrivalsPerSecond: number | null;
}

/**
 * How an estimate was made: `agent_available` (an idle agent is free for this position: 0), `positional`
 * ((k − available)·AHT/N), or why it could not be: `no_agents_staffed`, `no_handle_time` (EWT null).
 */
export type EwtMethod = 'agent_available' | 'positional' | 'no_agents_staffed' | 'no_handle_time';

export interface PositionEstimate {
  /** 1 is next to be answered. */
  position: number;
  /** Expected ms from now until answered; null when it cannot be known (see `method`). */
  ewtMs: number | null;
  method: EwtMethod;
}

export interface CallerEstimate extends PositionEstimate {
  id: string;
  /** How long the caller has waited so far. */
  waitedMs: number;
}

/** Erlang C's steady-state view of the recent load (A = λ·AHT) on the staffed agents. */
export interface SteadyState {
  load: number;
  probabilityOfWaiting: number;
  /** Mean wait over all callers in a period loaded like the recent one, whole ms. */
  asaMs: number;
  occupancy: number;
}

export interface EwtEstimate {
  now: number;
  /** N: available + busy + wrapup. */
  staffedAgents: number;
  availableAgents: number;
  /** Each waiting caller, in queue order. */
  callers: CallerEstimate[];
  /** A caller who would join now (position waiting + 1). */
  newCaller: PositionEstimate;
  /** null when the load or AHT is unknown, no agent is staffed, or the load is at or over N (Erlang C does not apply). */
  erlangC: SteadyState | null;
}

/** The agents who can answer a call of the queue: logged in and not away. */
export function staffedAgents(agents: Readonly<Record<AgentState, number>>): number {
  return agents.available + agents.busy + agents.wrapup;
}

function checkCount(state: AgentState, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`agents.${state} must be a whole number ≥ 0, got ${n}`);
}

const known = (x: number | null): x is number => x !== null && Number.isFinite(x) && x > 0;

/** The EWT of every waiting caller and of a new one, from the queue's live state. */
export function estimateWaits(state: LiveQueueState): EwtEstimate {
  const { now, waiting, agents } = state;
  if (!Number.isFinite(now)) throw new RangeError(`now must be an instant in ms, got ${now}`);
  for (const s of AGENT_STATES) checkCount(s, agents[s]);
  const staffed = staffedAgents(agents);
  const available = agents.available;
  const aht = known(state.ahtMs) ? state.ahtMs : null;
  const at = (position: number): PositionEstimate => {
    if (staffed === 0) return { position, ewtMs: null, method: 'no_agents_staffed' };
    if (position <= available) return { position, ewtMs: 0, method: 'agent_available' };
    if (aht === null) return { position, ewtMs: null, method: 'no_handle_time' };
    return { position, ewtMs: Math.round(((position - available) * aht) / staffed), method: 'positional' };
  };
  const callers = waiting.map((c, i) => ({ id: c.id, waitedMs: Math.max(0, now - c.enqueuedAt), ...at(i + 1) }));
  return {
    now,
    staffedAgents: staffed,
    availableAgents: available,
    callers,
    newCaller: at(Math.max(state.waitingCount ?? 0, waiting.length) + 1),
    erlangC: steadyState(state.arrivalsPerSecond, aht, staffed),
  };
}

function steadyState(arrivalsPerSecond: number | null, aht: number | null, staffed: number): SteadyState | null {
  if (!known(arrivalsPerSecond) || aht === null || staffed === 0) return null;
  const q = erlangCQueue({ arrivalRate: arrivalsPerSecond / 1000, aht }, staffed);
  if (q.asa === null) return null;
  return { load: q.load, probabilityOfWaiting: q.probabilityOfWaiting, asaMs: Math.round(q.asa), occupancy: q.occupancy };
}
