// Intraday profiles: how the arrival rate varies by local hour of day (1 = the peak rate), and how many
// agents are rostered at that hour.

/** Named profiles: 24 multipliers of the peak rate, one per local hour. */
export const PROFILES = {
  // A weekday of an office-hours contact center: a morning peak, a lunch dip, a smaller afternoon peak.
  office: [
    0.04, 0.03, 0.02, 0.02, 0.03, 0.06, 0.18, 0.45, 0.8, 1, 1, 0.92, 0.72, 0.8, 0.92, 0.88, 0.74, 0.55, 0.36, 0.26, 0.18, 0.12,
    0.08, 0.05,
  ],
  // The same shape lifted so that every hour is busy: `npm start`'s demo moves at any time of day.
  demo: [
    0.62, 0.61, 0.6, 0.6, 0.61, 0.62, 0.67, 0.78, 0.92, 1, 1, 0.97, 0.89, 0.92, 0.97, 0.95, 0.9, 0.82, 0.74, 0.7, 0.67, 0.65,
    0.63, 0.62,
  ],
  flat: Array.from({ length: 24 }, () => 1),
};

/** The default staffing of each profile: `follow` rosters agents in proportion to the hour's rate, `full` keeps all on duty. */
export const PROFILE_STAFFING = { office: 'follow', demo: 'full', flat: 'full' };

/**
 * The local hour (0–23) of an instant in an IANA zone, cached per quarter hour (offsets change on
 * quarter hours at most), so a long run asks Intl once per simulated 15 minutes.
 * @param {string} timeZone
 */
export function localHourFn(timeZone) {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  const cache = new Map();
  return (epochMs) => {
    const bucket = Math.floor(epochMs / 900_000);
    let hour = cache.get(bucket);
    if (hour === undefined) {
      hour = Number(format.format(new Date(bucket * 900_000))) % 24;
      if (cache.size > 10_000) cache.clear();
      cache.set(bucket, hour);
    }
    return hour;
  };
}

/** The instant local midnight began on the day of `epochMs` in `timeZone` (the day's first instant). */
export function startOfLocalDay(epochMs, timeZone) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(epochMs));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const sinceMidnight = (get('hour') * 3600 + get('minute') * 60 + get('second')) * 1000 + (epochMs % 1000);
  // On a day whose offset changed before now (a DST day), the wall clock overstates or understates the
  // time since midnight by the change; good enough for choosing where a run starts.
  return epochMs - sinceMidnight;
}

/** The profile's multipliers: a name of PROFILES, or 24 comma-separated numbers (scaled so the largest is 1). */
export function parseProfile(value) {
  if (PROFILES[value]) return { name: value, hourly: PROFILES[value], staffing: PROFILE_STAFFING[value] };
  const numbers = String(value)
    .split(',')
    .map((s) => Number(s.trim()));
  if (numbers.length !== 24 || numbers.some((n) => !Number.isFinite(n) || n < 0) || Math.max(...numbers) <= 0) {
    throw new Error(`--profile: one of ${Object.keys(PROFILES).join(', ')}, or 24 comma-separated non-negative numbers`);
  }
  const max = Math.max(...numbers);
  return { name: 'custom', hourly: numbers.map((n) => n / max), staffing: 'follow' };
}
