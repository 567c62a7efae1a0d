import type { StateInterval } from '../agents/presence';
import type { AgentState } from '../events/event-types';

/**
 * Attendance, adherence and conformance of one scheduled shift (issue 10 §1), pure: what the agent's state
 * intervals say about it. The catalog metrics (`attendanceRate`, `lateArrivals`, `earlyLeaves`, `absences`,
 * `adherence`, `conformance`) are sums of these per agent and period.
 */

export const ACTIVITY_TYPES = ['on_queue', 'break', 'lunch', 'training', 'meeting', 'offline_work'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface Activity {
  type: ActivityType;
  start: number;
  end: number;
}

export interface Shift {
  id: string;
  agentId: string;
  start: number;
  end: number;
  /** What the agent should be doing when, within the shift; time not covered is `on_queue`. */
  activities: readonly Activity[];
}

export interface AttendancePolicy {
  /** Arriving within this many minutes after the start is not late. */
  lateGraceMinutes: number;
  /** Leaving within this many minutes before the end is not leaving early. */
  earlyLeaveGraceMinutes: number;
  /** The states that count as present (logged in); by default every state but offline. */
  presentStates: readonly AgentState[];
  /** Presence this long before the start (or after the end) still belongs to the shift (a login ahead of time; overtime). */
  leadMinutes: number;
}

export const DEFAULT_ATTENDANCE_POLICY: AttendancePolicy = {
  lateGraceMinutes: 5,
  earlyLeaveGraceMinutes: 5,
  presentStates: ['available', 'busy', 'wrapup', 'away'],
  leadMinutes: 120,
};

/** The states that keep an agent in adherence with each activity. */
export const ADHERENT_STATES: Readonly<Record<ActivityType, readonly AgentState[]>> = {
  on_queue: ['available', 'busy', 'wrapup'],
  break: ['away', 'offline'],
  lunch: ['away', 'offline'],
  training: ['away'],
  meeting: ['away'],
  offline_work: ['away'],
};

const ON_QUEUE: readonly AgentState[] = ADHERENT_STATES.on_queue;
const MINUTE = 60_000;

export type AttendanceStatus = 'upcoming' | 'in_progress' | 'attended' | 'absent';

export interface ShiftAttendance {
  shiftId: string;
  agentId: string;
  status: AttendanceStatus;
  /** First and last present instants that belong to the shift (null: never present). */
  firstPresentAt: number | null;
  lastPresentAt: number | null;
  /** Whole minutes after the start the agent arrived (0 when on time or early); late when above the grace. */
  lateMinutes: number;
  late: boolean;
  /** Whole minutes before the end the agent left (0 when they stayed); early when above the grace. */
  earlyLeaveMinutes: number;
  leftEarly: boolean;
}

export interface AdherenceException {
  start: number;
  end: number;
  scheduled: ActivityType;
  actual: AgentState;
}

export interface ShiftAdherence {
  /** Scheduled time elapsed so far, ms (the whole shift once it ended). */
  scheduledMs: number;
  /** Of it, time in a state the scheduled activity allows. */
  adherentMs: number;
  /** Periods out of adherence of at least the minimum, in time order. */
  exceptions: AdherenceException[];
  /** On-queue time worked (available, busy, wrap-up) around the shift, and the on-queue time scheduled. */
  workedOnQueueMs: number;
  scheduledOnQueueMs: number;
}

/** The agent's state at each instant of [from, to): pieces of the intervals clipped to it (offline where none). */
function timeline(
  intervals: readonly StateInterval[],
  from: number,
  to: number,
  now: number,
): { start: number; end: number; state: AgentState }[] {
  const pieces = intervals
    .map((i) => ({ start: Math.max(from, i.startedAt), end: Math.min(to, i.endedAt ?? now), state: i.state }))
    .filter((p) => p.end > p.start)
    .sort((a, b) => a.start - b.start);
  const out: { start: number; end: number; state: AgentState }[] = [];
  let at = from;
  for (const p of pieces) {
    const start = Math.max(p.start, at);
    if (start > at) out.push({ start: at, end: start, state: 'offline' });
    if (p.end > start) out.push({ start, end: p.end, state: p.state });
    at = Math.max(at, p.end);
  }
  if (at < to) out.push({ start: at, end: to, state: 'offline' });
  return out;
}

/** Attendance of one shift from the agent's state intervals, as of `now`. */
export function shiftAttendance(
  shift: Shift,
  intervals: readonly StateInterval[],
  policy: AttendancePolicy,
  now: number,
): ShiftAttendance {
  const lead = policy.leadMinutes * MINUTE;
  const present = new Set(policy.presentStates);
  const window = timeline(
    intervals.filter((i) => i.agentId === shift.agentId),
    shift.start - lead,
    Math.min(shift.end + lead, now),
    now,
  ).filter((p) => present.has(p.state));
  // Presence that touches the shift: the run of presence around its first present instant inside it.
  const inside = window.filter((p) => p.end > shift.start && p.start < shift.end);
  const base = { shiftId: shift.id, agentId: shift.agentId };
  if (inside.length === 0) {
    const status: AttendanceStatus = now < shift.start ? 'upcoming' : now < shift.end ? 'in_progress' : 'absent';
    return {
      ...base,
      status,
      firstPresentAt: null,
      lastPresentAt: null,
      lateMinutes: 0,
      late: false,
      earlyLeaveMinutes: 0,
      leftEarly: false,
    };
  }
  const firstPresentAt = runStart(window, inside[0] as { start: number });
  const lastPresentAt = runEnd(window, inside.at(-1) as { end: number });
  const lateMinutes = Math.max(0, Math.ceil((firstPresentAt - shift.start) / MINUTE));
  const ended = now >= shift.end;
  const earlyLeaveMinutes = ended ? Math.max(0, Math.ceil((shift.end - lastPresentAt) / MINUTE)) : 0;
  return {
    ...base,
    status: ended ? 'attended' : 'in_progress',
    firstPresentAt,
    lastPresentAt,
    lateMinutes,
    late: lateMinutes > policy.lateGraceMinutes,
    earlyLeaveMinutes,
    leftEarly: earlyLeaveMinutes > policy.earlyLeaveGraceMinutes,
  };
}

/** Where the run of back-to-back presence holding `p` began. */
function runStart(window: readonly { start: number; end: number }[], p: { start: number }): number {
  let start = p.start;
  for (let i = window.length - 1; i >= 0; i--) {
    const w = window[i] as { start: number; end: number };
    if (w.end === start && w.start < start) start = w.start;
  }
  return start;
}

/** Where the run of back-to-back presence holding `p` ended. */
function runEnd(window: readonly { start: number; end: number }[], p: { end: number }): number {
  let end = p.end;
  for (const w of window) if (w.start === end && w.end > end) end = w.end;
  return end;
}

/** The activity scheduled at each instant of the shift: its activities, and on-queue where none is. */
function schedule(shift: Shift): { start: number; end: number; type: ActivityType }[] {
  const acts = [...shift.activities]
    .map((a) => ({ ...a, start: Math.max(shift.start, a.start), end: Math.min(shift.end, a.end) }))
    .filter((a) => a.end > a.start)
    .sort((a, b) => a.start - b.start);
  const out: { start: number; end: number; type: ActivityType }[] = [];
  let at = shift.start;
  for (const a of acts) {
    const start = Math.max(a.start, at);
    if (start > at) out.push({ start: at, end: start, type: 'on_queue' });
    if (a.end > start) out.push({ start, end: a.end, type: a.type });
    at = Math.max(at, a.end);
  }
  if (at < shift.end) out.push({ start: at, end: shift.end, type: 'on_queue' });
  return out;
}

/**
 * Adherence (Genesys-style: time in the state the schedule asks for / scheduled time, with the exceptions) and
 * conformance (实际工作率: on-queue time worked around the shift — from `leadMinutes` before to after — / on-queue
 * time scheduled; overtime can take it above 100 %), as of `now`.
 */
export function shiftAdherence(
  shift: Shift,
  intervals: readonly StateInterval[],
  policy: AttendancePolicy,
  now: number,
  minExceptionMs = 60_000,
): ShiftAdherence {
  const mine = intervals.filter((i) => i.agentId === shift.agentId);
  const until = Math.min(shift.end, now);
  let scheduledMs = 0;
  let adherentMs = 0;
  let scheduledOnQueueMs = 0;
  const raw: AdherenceException[] = [];
  for (const slot of schedule(shift)) {
    if (slot.type === 'on_queue') scheduledOnQueueMs += slot.end - slot.start;
    const end = Math.min(slot.end, until);
    if (end <= slot.start) continue;
    scheduledMs += end - slot.start;
    const allowed = new Set(ADHERENT_STATES[slot.type]);
    for (const p of timeline(mine, slot.start, end, now)) {
      if (allowed.has(p.state)) adherentMs += p.end - p.start;
      else raw.push({ start: p.start, end: p.end, scheduled: slot.type, actual: p.state });
    }
  }
  // Neighbouring pieces of the same kind are one exception; short ones are not listed (they still count).
  const exceptions: AdherenceException[] = [];
  for (const e of raw) {
    const last = exceptions.at(-1);
    if (last && last.end === e.start && last.scheduled === e.scheduled && last.actual === e.actual) last.end = e.end;
    else exceptions.push({ ...e });
  }
  const lead = policy.leadMinutes * MINUTE;
  const workedOnQueueMs = timeline(mine, shift.start - lead, Math.min(shift.end + lead, now), now)
    .filter((p) => ON_QUEUE.includes(p.state))
    .reduce((n, p) => n + (p.end - p.start), 0);
  return {
    scheduledMs,
    adherentMs,
    exceptions: exceptions.filter((e) => e.end - e.start >= minExceptionMs),
    workedOnQueueMs,
    scheduledOnQueueMs,
  };
}
