import { erlangCAgentsRequired, erlangCQueue, erlangCServiceLevel, withShrinkage } from './erlang';
import { erlangAAgentsRequired, erlangAQueue, erlangAServiceLevel } from './erlang-a';

/**
 * A staffing plan for one queue and one day (issue 11 §4), pure: per 15-minute interval, the agents a forecast
 * needs under the queue's service-level policy (Erlang C, or Erlang A with the callers' patience), the agents the
 * schedules put on the queue, and the gap. Single skill: an agent who serves several queues counts in full in each
 * (multi-skill staffing is out of scope), so the plan of a queue shared by several teams overstates its cover.
 */
export interface PlanPolicy {
  /** Answered within this many seconds counts as met. */
  thresholdSeconds: number;
  /** The service-level goal, 0..1 (1 is met by no finite count: it is planned as 0.999). */
  targetServiceLevel: number;
  /**
   * The share (0 ≤ s < 1) of the on-queue time the schedules hold that is expected to be lost anyway (absence,
   * unplanned aux); breaks, lunches and other activities of the schedules are already out of it.
   */
  shrinkage: number;
  maxOccupancy?: number;
  model: 'erlang-c' | 'erlang-a';
  /** Erlang A: the callers' mean patience, seconds. */
  patienceSeconds?: number;
}

/** What the forecast expects of an interval (src/domain/forecast). */
export interface PlanDemand {
  start: number;
  end: number;
  offered: number;
  lower: number;
  upper: number;
  /** null: no handle time to plan from. */
  ahtSeconds: number | null;
  holiday: boolean;
}

/** A scheduled shift of an agent of the queue: its span and its activities (what is not on queue, unless `on_queue`). */
export interface PlanShift {
  start: number;
  end: number;
  activities: readonly { type: string; start: number; end: number }[];
}

export interface PlanRow extends PlanDemand {
  /** Productive agents the forecast needs (null without a handle time). */
  requiredAgents: number | null;
  /** The same, scheduled: ⌈required / (1 − shrinkage)⌉. */
  requiredScheduled: number | null;
  /** Service level and occupancy expected with `requiredAgents`. */
  serviceLevel: number | null;
  occupancy: number | null;
  /** Agents the schedules put on this queue, on average over the interval (a quarter-hour's agent-equivalents). */
  scheduledAgents: number;
  /** scheduledAgents − requiredScheduled: below 0 the interval is short of staff. */
  gap: number | null;
  /** Service level expected with the scheduled agents after shrinkage (whole agents, rounded down). */
  scheduledServiceLevel: number | null;
}

export interface PlanTotals {
  offered: number;
  /** Agent-hours: required (scheduled, after shrinkage) and scheduled on queue. */
  requiredHours: number;
  scheduledHours: number;
  /** Intervals whose scheduled agents fall short of the requirement. */
  understaffedIntervals: number;
  overstaffedIntervals: number;
}

const PLANNABLE_TARGET = 0.999;

/** Agent-equivalents on queue in [from, to): the on-queue time of the shifts within it over its length. */
export function onQueueAgents(shifts: readonly PlanShift[], from: number, to: number): number {
  let ms = 0;
  const overlap = (a: number, b: number) => Math.max(0, Math.min(b, to) - Math.max(a, from));
  for (const s of shifts) {
    ms += overlap(s.start, s.end);
    for (const a of s.activities) {
      if (a.type === 'on_queue') continue;
      // An activity lies within its shift (the schedules route checks it); clip it to the shift anyway.
      ms -= overlap(Math.max(a.start, s.start), Math.min(a.end, s.end));
    }
  }
  return ms / (to - from);
}

/** Each interval's requirement, schedule and gap, and the day's totals. */
export function planDay(
  demand: readonly PlanDemand[],
  shifts: readonly PlanShift[],
  policy: PlanPolicy,
): { intervals: PlanRow[]; totals: PlanTotals } {
  const target = Math.min(policy.targetServiceLevel, PLANNABLE_TARGET);
  const intervals = demand.map((d): PlanRow => {
    const seconds = (d.end - d.start) / 1000;
    const scheduledAgents = round(onQueueAgents(shifts, d.start, d.end), 2);
    if (d.ahtSeconds === null || d.ahtSeconds <= 0 || d.offered <= 0) {
      // Nothing to plan from (no handle time), or no call expected: none needed.
      const none = d.offered <= 0;
      return {
        ...d,
        requiredAgents: none ? 0 : null,
        requiredScheduled: none ? 0 : null,
        serviceLevel: none ? 1 : null,
        occupancy: none ? 0 : null,
        scheduledAgents,
        gap: none ? scheduledAgents : null,
        scheduledServiceLevel: none ? 1 : null,
      };
    }
    const traffic = { arrivalRate: d.offered / seconds, aht: d.ahtSeconds };
    const sl = { target, threshold: policy.thresholdSeconds };
    const staffing = { serviceLevel: sl, ...(policy.maxOccupancy !== undefined ? { maxOccupancy: policy.maxOccupancy } : {}) };
    const impatient = policy.model === 'erlang-a' ? { ...traffic, patience: policy.patienceSeconds ?? 0 } : null;
    const requiredAgents = impatient ? erlangAAgentsRequired(impatient, staffing) : erlangCAgentsRequired(traffic, staffing);
    const requiredScheduled = withShrinkage(requiredAgents, policy.shrinkage);
    const slWith = (n: number) =>
      n <= 0
        ? 0
        : impatient
          ? erlangAServiceLevel(impatient, n, policy.thresholdSeconds)
          : erlangCServiceLevel(traffic, n, policy.thresholdSeconds);
    const occupancy = impatient
      ? erlangAQueue(impatient, requiredAgents).occupancy
      : erlangCQueue(traffic, requiredAgents).occupancy;
    const productive = Math.floor(scheduledAgents * (1 - policy.shrinkage) + 1e-9);
    return {
      ...d,
      requiredAgents,
      requiredScheduled,
      serviceLevel: round(slWith(requiredAgents), 4),
      occupancy: round(occupancy, 4),
      scheduledAgents,
      gap: round(scheduledAgents - requiredScheduled, 2),
      scheduledServiceLevel: round(slWith(productive), 4),
    };
  });
  const totals: PlanTotals = {
    offered: round(
      intervals.reduce((n, r) => n + r.offered, 0),
      2,
    ),
    requiredHours: round(
      intervals.reduce((n, r) => n + ((r.requiredScheduled ?? 0) * (r.end - r.start)) / 3_600_000, 0),
      2,
    ),
    scheduledHours: round(
      intervals.reduce((n, r) => n + (r.scheduledAgents * (r.end - r.start)) / 3_600_000, 0),
      2,
    ),
    understaffedIntervals: intervals.filter((r) => r.gap !== null && r.gap < 0).length,
    overstaffedIntervals: intervals.filter((r) => r.gap !== null && r.gap >= 1).length,
  };
  return { intervals, totals };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The mean wait (ms) Erlang C expects in an interval of `seconds` for `offered` calls of `ahtSeconds` with `agents`
 * on the queue, at the forecast's lower bound, point and upper bound of volume (waits grow with volume): null when
 * there is nothing to expect it from (no handle time, or the point volume overwhelms the agents); an upper bound of
 * null when only the upper volume does (unbounded). What an anomaly rule on waits is judged against.
 */
export function expectedWaitBand(
  offered: { lower: number; point: number; upper: number },
  ahtSeconds: number | null,
  agents: number,
  seconds: number,
): [number, number, number | null] | null {
  if (ahtSeconds === null || ahtSeconds <= 0) return null;
  const asaMs = (calls: number): number | null => {
    if (calls <= 0) return 0;
    const q = erlangCQueue({ arrivalRate: calls / seconds, aht: ahtSeconds }, agents);
    return q.asa === null ? null : Math.round(q.asa * 1000);
  };
  const point = asaMs(offered.point);
  if (point === null) return null;
  return [asaMs(offered.lower) ?? point, point, asaMs(offered.upper)];
}
