import { localParts, zoneOffsetMs } from '../time/zones';

/**
 * The outbound contact policy (docs/outbound.md): may a campaign call a number at an instant, and if not, why
 * and from when. Pure: the campaign, the callee's candidate time zones, the tenant's quiet days, whether the
 * number is on the do-not-call list and the number's recent attempts in, a decision out. The tenant's
 * OutboundDO holds the inputs and serializes the checks, so caps are exact however many dialers ask at once.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calling window: on these local weekdays, from `start` (inclusive) to `end` (exclusive), `HH:MM`, `24:00` the day's end. */
export interface CallingWindow {
  days: Weekday[];
  start: string;
  end: string;
}

export interface CampaignPolicy {
  /** When the campaign may call, in the callee's local time. */
  windows: CallingWindow[];
  /** An explicit IANA zone every number of the campaign is judged in, instead of the zone of its number. */
  timeZone: string | null;
  /**
   * Attempts per number: in any 24 hours and any 7 × 24 hours (counted over all the tenant's campaigns: they are
   * the same person's phone), and in this campaign ever. Null: no cap.
   */
  caps: { perDay: number | null; perWeek: number | null; perCampaign: number | null };
  /** Minutes after any attempt to the number (of any campaign) before the next one. */
  minGapMinutes: number;
}

export const DECISION_REASONS = [
  'do_not_call',
  'campaign_cap',
  'weekly_cap',
  'daily_cap',
  'min_gap',
  'quiet_day',
  'outside_window',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export interface Decision {
  allowed: boolean;
  /** Why not (the first rule that refuses, in `DECISION_REASONS` order); null when allowed. */
  reason: DecisionReason | null;
  /** The earliest instant from `at` on at which every rule allows the call; null if none within the horizon (or never). */
  nextAllowedAt: number | null;
}

export interface DecisionInput {
  policy: CampaignPolicy;
  /** The callee's candidate zones: the call must be inside the window in each (a number whose area spans zones). */
  zones: readonly string[];
  /** The tenant's quiet days (`YYYY-MM-DD`), in the callee's local time. */
  quietDays: ReadonlySet<string>;
  doNotCall: boolean;
  /** The number's attempts (any campaign) of the last 7 days, instants in ms. */
  recent: readonly number[];
  /** The number's attempts in this campaign, ever. */
  campaignAttempts: number;
  at: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** How far ahead `nextAllowedAt` is looked for. */
export const HORIZON_MS = 14 * DAY_MS;

/** `HH:MM` as minutes of the day (`24:00` is 1440). */
export function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

interface LocalTime {
  date: string;
  weekday: Weekday;
  minute: number;
  /** The wall clock as if it were UTC, in minutes: compares local times across a day. */
  key: number;
}

function localTime(instant: number, zone: string): LocalTime {
  const p = localParts(instant, zone);
  const day = Date.UTC(p.year, p.month - 1, p.day);
  return {
    date: isoDate(day),
    weekday: WEEKDAYS[new Date(day).getUTCDay()] as Weekday,
    minute: p.hour * 60 + p.minute,
    key: day / MINUTE_MS + p.hour * 60 + p.minute,
  };
}

const isoDate = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);

/**
 * The instants whose wall clock in the zone reads `minute` of the local date `day` (UTC midnight of that date),
 * earliest first: two where the clocks fall back over it; where they spring forward over it, the instant they
 * jump (the first whose wall clock is past it).
 */
export function instantsAt(day: number, minute: number, zone: string): number[] {
  const wall = day + minute * MINUTE_MS;
  const target = wall / MINUTE_MS;
  const candidates = [...new Set([wall - DAY_MS, wall, wall + DAY_MS].map((t) => wall - zoneOffsetMs(t, zone)))].sort(
    (a, b) => a - b,
  );
  const exact = candidates.filter((t) => localTime(t, zone).key === target);
  if (exact.length > 0) return exact;
  let lo = Math.floor((candidates[0] as number) / MINUTE_MS);
  let hi = Math.ceil((candidates[candidates.length - 1] as number) / MINUTE_MS);
  if (localTime(lo * MINUTE_MS, zone).key >= target) return [lo * MINUTE_MS];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localTime(mid * MINUTE_MS, zone).key >= target) hi = mid;
    else lo = mid;
  }
  return [hi * MINUTE_MS];
}

/** The first instant whose wall clock reads `minute` of the local date `day` or later (see `instantsAt`). */
export function firstInstantAtOrAfter(day: number, minute: number, zone: string): number {
  return instantsAt(day, minute, zone)[0] as number;
}

/** Whether the instant is inside a calling window in the zone and not on a quiet day there. */
export function isOpen(policy: CampaignPolicy, quietDays: ReadonlySet<string>, instant: number, zone: string): boolean {
  const t = localTime(instant, zone);
  if (quietDays.has(t.date)) return false;
  return policy.windows.some(
    (w) => w.days.includes(t.weekday) && minuteOfDay(w.start) <= t.minute && t.minute < minuteOfDay(w.end),
  );
}

/** The first instant ≥ `from` inside a window in the zone and not on a quiet day there; null if none within 15 days. */
export function nextOpenIn(policy: CampaignPolicy, quietDays: ReadonlySet<string>, from: number, zone: string): number | null {
  if (isOpen(policy, quietDays, from, zone)) return from;
  const here = localParts(from, zone);
  const today = Date.UTC(here.year, here.month - 1, here.day);
  for (let d = 0; d <= 15; d++) {
    const day = today + d * DAY_MS;
    if (quietDays.has(isoDate(day))) continue;
    const weekday = WEEKDAYS[new Date(day).getUTCDay()] as Weekday;
    const windows = policy.windows
      .filter((w) => w.days.includes(weekday))
      .sort((a, b) => minuteOfDay(a.start) - minuteOfDay(b.start));
    // Every opening of the day's windows after `from`, earliest first (a window whose start the clocks repeat
    // opens twice); the first that is open by the wall clock is the answer.
    const openings = windows
      .flatMap((w) => instantsAt(day, minuteOfDay(w.start), zone))
      .filter((s) => s > from)
      .sort((a, b) => a - b);
    for (const s of openings) if (isOpen(policy, quietDays, s, zone)) return s;
  }
  return null;
}

/** The first instant ≥ `from` that is open in every zone; null if none within the horizon. */
function nextOpenEverywhere(
  policy: CampaignPolicy,
  quietDays: ReadonlySet<string>,
  from: number,
  zones: readonly string[],
  limit: number,
): number | null {
  let x = from;
  for (let i = 0; i < 64 && x <= limit; i++) {
    let latest = x;
    for (const zone of zones) {
      const open = nextOpenIn(policy, quietDays, x, zone);
      if (open === null) return null;
      latest = Math.max(latest, open);
    }
    if (latest === x) return x;
    x = latest;
  }
  return null;
}

/** The earliest instant ≥ x at which fewer than `cap` of the attempts fall in the `span` before it (inclusive of it). */
function capRelease(attempts: readonly number[], cap: number, span: number, x: number): number {
  const inSpan = attempts.filter((a) => a > x - span && a <= x).sort((a, b) => a - b);
  if (inSpan.length < cap) return x;
  return (inSpan[inSpan.length - cap] as number) + span;
}

/** Whether the campaign may call the number at `at`, why not, and the earliest instant it may (see `Decision`). */
export function decide(input: DecisionInput): Decision {
  const { policy, zones, quietDays, recent, at } = input;
  const { perDay, perWeek, perCampaign } = policy.caps;
  const gap = policy.minGapMinutes * MINUTE_MS;
  const lastBefore = (x: number) => recent.reduce((m, a) => (a <= x && a > m ? a : m), Number.NEGATIVE_INFINITY);
  const refusals = (x: number): DecisionReason[] => {
    const out: DecisionReason[] = [];
    if (input.doNotCall) out.push('do_not_call');
    if (perCampaign !== null && input.campaignAttempts >= perCampaign) out.push('campaign_cap');
    if (perWeek !== null && capRelease(recent, perWeek, WEEK_MS, x) > x) out.push('weekly_cap');
    if (perDay !== null && capRelease(recent, perDay, DAY_MS, x) > x) out.push('daily_cap');
    if (gap > 0 && lastBefore(x) + gap > x) out.push('min_gap');
    if (zones.some((z) => localQuiet(quietDays, x, z))) out.push('quiet_day');
    else if (zones.some((z) => !isOpen(policy, quietDays, x, z))) out.push('outside_window');
    return out;
  };
  const now = refusals(at);
  if (now.length === 0) return { allowed: true, reason: null, nextAllowedAt: at };
  const reason = now[0] as DecisionReason;
  if (now.includes('do_not_call') || now.includes('campaign_cap') || zones.length === 0) {
    return { allowed: false, reason, nextAllowedAt: null };
  }
  const limit = at + HORIZON_MS;
  let x = at;
  for (let i = 0; i < 64 && x <= limit; i++) {
    let y = x;
    if (perWeek !== null) y = Math.max(y, capRelease(recent, perWeek, WEEK_MS, y));
    if (perDay !== null) y = Math.max(y, capRelease(recent, perDay, DAY_MS, y));
    if (gap > 0) y = Math.max(y, lastBefore(y) + gap);
    const open = nextOpenEverywhere(policy, quietDays, y, zones, limit);
    if (open === null) break;
    if (open === x) return { allowed: false, reason, nextAllowedAt: x };
    x = open;
  }
  return { allowed: false, reason, nextAllowedAt: null };
}

function localQuiet(quietDays: ReadonlySet<string>, instant: number, zone: string): boolean {
  return quietDays.size > 0 && quietDays.has(localTime(instant, zone).date);
}

/** Window problems a schema cannot say: a start not before its end. Pointers relative to the policy. */
export function policyProblems(policy: CampaignPolicy): { pointer: string; code: string; message: string }[] {
  const out: { pointer: string; code: string; message: string }[] = [];
  policy.windows.forEach((w, i) => {
    if (minuteOfDay(w.start) >= minuteOfDay(w.end)) {
      out.push({ pointer: `/windows/${i}/end`, code: 'WINDOW_ENDS_BEFORE_START', message: 'A window ends after it starts.' });
    }
  });
  return out;
}
