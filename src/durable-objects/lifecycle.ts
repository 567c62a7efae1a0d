import type { Logger } from '../lib/log';

/**
 * A part of a Durable Object that needs time to pass: it says when it next wants the alarm and does
 * its work when the alarm fires. The object arms its one alarm at the earliest time any part asks for
 * (`SqlDurableObject.alarm`): the flush, the stale sweep, pruning, the relay now; pushes, alert
 * timers and interval boundaries later.
 */
export interface Wakeable {
  /** The next time (epoch ms) this part wants the alarm, or null when it has nothing to do. */
  nextWake(now: number): number | null;
  /** Its work when the alarm fires; an error is logged and the other parts still run. */
  onAlarm(now: number, log: Logger): void | Promise<void>;
}

/** A synchronous transaction of the object's storage: only the Durable Object shell opens one. */
export type Transact = <T>(fn: () => T) => T;

/** Never sooner than this after an alarm: a part due "now" does not spin the alarm. */
export const MIN_REARM_MS = 100;

/** When the alarm should fire next: the earliest wish of any part (at least `MIN_REARM_MS` away), or null. */
export function earliestWake(parts: readonly Wakeable[], now: number): number | null {
  let next: number | null = null;
  for (const part of parts) {
    const t = part.nextWake(now);
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next === null ? null : Math.max(now + MIN_REARM_MS, next);
}
