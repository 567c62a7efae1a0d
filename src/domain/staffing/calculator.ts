import { AppError, type FieldIssue, invalid } from '../errors';
import { erlangB, erlangCAgentsRequired, erlangCQueue, erlangCServiceLevel, offeredLoad, withShrinkage } from './erlang';
import { erlangAAgentsRequired, erlangAQueue, erlangAServiceLevel, type ImpatientTraffic } from './erlang-a';

/**
 * The staffing calculator behind `/v1/staffing/*` (docs/staffing.md): the maths of `erlang.ts` and `erlang-a.ts`
 * in a contact center's words — calls offered per interval, times in seconds — with every answer a finite number
 * or null, so it is always JSON. Inputs are assumed bounded by the contract (src/contracts/staffing.ts); what only
 * the maths can tell (an Erlang A queue too long to compute) is an `invalid` error pointing at the field.
 */

/** One interval's traffic as the API takes it. */
export interface IntervalTraffic {
  arrivals: number;
  intervalSeconds: number;
  ahtSeconds: number;
}

/** Erlang C's question: this traffic, this many agents, this threshold. */
export interface IntervalQuestion extends IntervalTraffic {
  agents: number;
  targetSeconds: number;
}

/** A staffing question: the targets to meet (each given one must hold), the model and the shrinkage. */
export interface StaffingQuestion extends IntervalTraffic {
  targetSeconds: number;
  targetServiceLevel: number;
  maxOccupancy?: number | undefined;
  shrinkage: number;
  model: 'erlang-c' | 'erlang-a';
  patienceSeconds?: number | undefined;
  targetAsaSeconds?: number | undefined;
  targetAbandonRate?: number | undefined;
}

/** Callers an Erlang A queue may hold on average before the request is refused (its chain costs that many steps). */
export const MAX_ERLANG_A_QUEUE = 1_000_000;

const trafficOf = (i: IntervalTraffic) => ({ arrivalRate: i.arrivals / i.intervalSeconds, aht: i.ahtSeconds });

/** Erlang B: the share of calls lost when `agents` are offered `erlangs` with no queue. */
export function blocking(q: { agents: number; erlangs: number }) {
  return { agents: q.agents, erlangs: q.erlangs, blocking: erlangB(q.agents, q.erlangs) };
}

/** Erlang C's measures of one interval; an unstable queue (load ≥ agents) says so, with null means. */
export function erlangCInterval(q: IntervalQuestion) {
  const traffic = trafficOf(q);
  const m = erlangCQueue(traffic, q.agents);
  return {
    model: 'erlang-c' as const,
    stable: m.stable,
    agents: q.agents,
    erlangs: m.load,
    targetSeconds: q.targetSeconds,
    pWait: m.probabilityOfWaiting,
    serviceLevel: erlangCServiceLevel(traffic, q.agents, q.targetSeconds),
    occupancy: m.occupancy,
    asaSeconds: m.asa,
    meanDelaySeconds: m.meanWaitOfDelayed,
    expectedQueueLength: m.meanQueueLength,
  };
}

function impatient(i: IntervalTraffic, patienceSeconds: number): ImpatientTraffic {
  return { ...trafficOf(i), patience: patienceSeconds };
}

/**
 * Refuses an Erlang A queue that would hold more than MAX_ERLANG_A_QUEUE callers: overloaded, callers wait until
 * they hang up, about (A − N)·patience/AHT of them (the fluid limit), and the chain has a state for each.
 */
function checkQueue(traffic: ImpatientTraffic, agents: number): void {
  const excess = offeredLoad(traffic) - agents;
  if ((excess * traffic.patience) / traffic.aht > MAX_ERLANG_A_QUEUE) throw tooLong();
}

const tooLong = () =>
  invalid(
    [
      {
        in: 'body',
        pointer: '/patienceSeconds',
        detail: `So many more Erlangs than agents with such patience would keep over ${MAX_ERLANG_A_QUEUE.toLocaleString('en')} callers waiting: shorten the patience or add agents.`,
      },
    ],
    'The Erlang A queue is too long to compute.',
  );

/** The domain's own refusal of a chain too long, as the same 422. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError && /callers/.test(error.message)) throw tooLong();
    throw error;
  }
}

/** Erlang A's measures of one interval, at any load. */
export function erlangAInterval(q: IntervalQuestion & { patienceSeconds: number }) {
  const traffic = impatient(q, q.patienceSeconds);
  checkQueue(traffic, q.agents);
  const m = guarded(() => erlangAQueue(traffic, q.agents));
  return {
    model: 'erlang-a' as const,
    stable: true as const,
    agents: q.agents,
    erlangs: m.load,
    targetSeconds: q.targetSeconds,
    pWait: m.probabilityOfWaiting,
    pAbandon: m.probabilityOfAbandoning,
    serviceLevel: guarded(() => erlangAServiceLevel(traffic, q.agents, q.targetSeconds)),
    occupancy: m.occupancy,
    asaSeconds: m.asa,
    meanWaitSeconds: m.meanWait,
    expectedQueueLength: m.meanQueueLength,
  };
}

/**
 * The fewest agents meeting every target of the question, scheduled agents after shrinkage, the measures at that
 * count, and which targets one agent fewer would miss.
 */
export function requiredAgents(q: StaffingQuestion) {
  const serviceLevel = { target: q.targetServiceLevel, threshold: q.targetSeconds };
  const withAsa = q.targetAsaSeconds !== undefined ? { asa: q.targetAsaSeconds } : {};
  const withOccupancy = q.maxOccupancy !== undefined ? { maxOccupancy: q.maxOccupancy } : {};
  if (q.model === 'erlang-a') {
    const traffic = impatient(q, q.patienceSeconds as number);
    const agents = guarded(() =>
      erlangAAgentsRequired(traffic, {
        serviceLevel,
        ...withAsa,
        ...withOccupancy,
        ...(q.targetAbandonRate !== undefined ? { maxAbandonment: q.targetAbandonRate } : {}),
      }),
    );
    const at = (n: number) => erlangAInterval({ ...q, agents: n, patienceSeconds: traffic.patience });
    const m = at(agents);
    const fewer = agents > 1 ? orNull(() => at(agents - 1)) : null;
    return {
      model: q.model,
      erlangs: m.erlangs,
      agents,
      scheduledAgents: withShrinkage(agents, q.shrinkage),
      shrinkage: q.shrinkage,
      limitedBy: fewer ? missed(q, fewer) : [],
      serviceLevel: m.serviceLevel,
      pWait: m.pWait,
      occupancy: m.occupancy,
      asaSeconds: m.asaSeconds,
      expectedQueueLength: m.expectedQueueLength,
      pAbandon: m.pAbandon,
      meanWaitSeconds: m.meanWaitSeconds,
    };
  }
  const agents = erlangCAgentsRequired(trafficOf(q), { serviceLevel, ...withAsa, ...withOccupancy });
  const m = erlangCInterval({ ...q, agents });
  const fewer = agents > 1 ? erlangCInterval({ ...q, agents: agents - 1 }) : null;
  return {
    model: q.model,
    erlangs: m.erlangs,
    agents,
    scheduledAgents: withShrinkage(agents, q.shrinkage),
    shrinkage: q.shrinkage,
    limitedBy: fewer ? missed(q, fewer) : [],
    serviceLevel: m.serviceLevel,
    pWait: m.pWait,
    occupancy: m.occupancy,
    asaSeconds: m.asaSeconds,
    expectedQueueLength: m.expectedQueueLength as number,
  };
}

/** One agent fewer may be a queue too long to compute (then no target is named). */
function orNull<T>(run: () => T): T | null {
  try {
    return run();
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

type Constraint = 'stability' | 'serviceLevel' | 'asa' | 'abandonRate' | 'occupancy';

/** The targets a count of agents misses, given its measures. */
function missed(
  q: StaffingQuestion,
  m: { stable: boolean; serviceLevel: number; occupancy: number; asaSeconds: number | null; pAbandon?: number },
): Constraint[] {
  if (!m.stable) return ['stability'];
  const out: Constraint[] = [];
  if (m.serviceLevel < q.targetServiceLevel) out.push('serviceLevel');
  if (q.targetAsaSeconds !== undefined && (m.asaSeconds === null || m.asaSeconds > q.targetAsaSeconds)) out.push('asa');
  if (q.targetAbandonRate !== undefined && (m.pAbandon ?? 0) > q.targetAbandonRate) out.push('abandonRate');
  if (q.maxOccupancy !== undefined && m.occupancy > q.maxOccupancy) out.push('occupancy');
  return out;
}

/**
 * Runs `one` over a batch's intervals; an `invalid` error of one interval points into the batch
 * (`/intervals/3/patienceSeconds`).
 */
export function eachInterval<I, O>(intervals: readonly I[], one: (interval: I) => O): O[] {
  return intervals.map((interval, i) => {
    try {
      return one(interval);
    } catch (error) {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
        const issues: FieldIssue[] = (error.extra.issues ?? []).map((x) => ({ ...x, pointer: `/intervals/${i}${x.pointer}` }));
        throw invalid(issues, error.message);
      }
      throw error;
    }
  });
}
