// How simulated time maps onto real time (docs/simulator.md, "Time").
//
// The simulated clock starts at `startMs` (an epoch instant) and advances `speed` simulated ms per real ms
// from `realStartMs`. A fact at simulated offset t happened at `startMs + t` (its occurredAt) and is sent
// at `max(realStartMs + t / speed, startMs + t)`: never before it happened, so the API never sees an event
// from the future. At speed 1 with `startMs = realStartMs` both are the same: events happen now. Faster,
// the clock starts in the past and catches up with real time after `catchUpMs` of simulated time; from
// there it can only go on at 1×.

/**
 * Simulated time after the last caller arrives in which the calls still under way finish; a finite run ends
 * there (what is left is closed), which is also where its clock reaches now.
 */
export const DRAIN_RESERVE_MS = 15 * 60_000;

/**
 * Where the simulated clock starts so that it reaches real time after `catchUpMs` of simulated time.
 * @param {{ realStartMs: number, speed: number, catchUpMs: number }} o
 */
export function catchUpStart({ realStartMs, speed, catchUpMs }) {
  if (speed <= 1 || !Number.isFinite(catchUpMs)) return realStartMs;
  return Math.floor(realStartMs - catchUpMs * (1 - 1 / speed));
}

/**
 * @param {{ realStartMs: number, speed: number, startMs: number }} o
 */
export function timeMap({ realStartMs, speed, startMs }) {
  return {
    realStartMs,
    speed,
    startMs,
    /** The instant a fact at offset t happened. */
    occurredAt: (t) => startMs + t,
    /** The real instant it may be sent: when the simulated clock reaches it, and never before it happened. */
    dueAt: (t) => Math.max(realStartMs + t / speed, startMs + t),
    /** The simulated offset the clock shows at a real instant. */
    offsetAt: (realMs) => {
      const fast = (realMs - realStartMs) * speed;
      const slow = realMs - startMs;
      // dueAt is the larger of two increasing lines; its inverse is the smaller of theirs.
      return Math.max(0, Math.min(fast, slow));
    },
  };
}

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `1h30m`, `1d` (a bare number is seconds) as ms; `inf`/`forever` → Infinity. */
export function parseDuration(text) {
  const value = String(text).trim().toLowerCase();
  if (value === 'inf' || value === 'forever' || value === 'infinity') return Number.POSITIVE_INFINITY;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new Error(`not a duration: '${text}' (e.g. 90s, 15m, 2h, 1h30m)`);
  }
  return Math.round(parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNITS[unit], 0));
}
