import { both, type Decision, denominatorOnly, neither } from './explain';
import type { CellDirection } from './facts';

/**
 * Repeat-caller first-contact resolution (`fcrRepeatCaller` in catalog.ts): judged per handled call at query time,
 * because it reads across calls (the same caller's next call) and its window is a policy setting. A call counts
 * where its last agent segment connected, in that segment's queue and agent — like its disposition and survey.
 */
export interface RepeatCallerCall {
  interactionId: string;
  /** The call's last agent segment. */
  queueId: string;
  agentId: string;
  connectedAt: number;
  /** When the call ended (the interaction's end, else its last segment's disconnect); null while it goes on. */
  endAt: number | null;
  /** The same caller's first call that started after this one ended (null: none yet). */
  nextCallAt: number | null;
  /** That call's id, when known. */
  nextCallId?: string | null;
  /** The call's direction ('unknown' when it said none). */
  direction: CellDirection;
}

export type RepeatCallerVerdict = 'resolved' | 'repeated' | 'pending';

/**
 * Repeated when the caller called again within the window after the call ended; resolved when the window closed
 * without one; pending while the window (or the call) is still open — pending calls are in neither count.
 */
export function judgeRepeatCaller(call: RepeatCallerCall, windowMs: number, now: number): RepeatCallerVerdict {
  if (call.endAt === null) return 'pending';
  if (call.nextCallAt !== null && call.nextCallAt <= call.endAt + windowMs) return 'repeated';
  if (call.endAt + windowMs > now) return 'pending';
  return 'resolved';
}

/** Verdicts summed (a report row's share of them). */
export interface RepeatCallerCounts {
  resolved: number;
  repeated: number;
  pending: number;
}

/** A span as a person reads it, in hours: 5400000 → "1.5 h". */
function hours(ms: number): string {
  return `${Number((ms / 3_600_000).toFixed(2))} h`;
}

/**
 * One handled call's part in `fcrRepeatCaller`, with its reason: resolved calls are in the numerator and the
 * denominator, repeated ones in the denominator, pending ones in neither — as `judgeRepeatCaller` decides.
 */
export function explainRepeatCaller(call: RepeatCallerCall, windowMs: number, now: number): Decision {
  const verdict = judgeRepeatCaller(call, windowMs, now);
  const window = hours(windowMs);
  if (call.endAt === null) return neither('the call is still going on: pending');
  if (verdict === 'repeated') {
    return denominatorOnly(
      `the caller called again ${hours((call.nextCallAt as number) - call.endAt)} after it ended, within ${window}: repeated`,
    );
  }
  if (verdict === 'pending') {
    return neither(
      `no call from the caller yet; the ${window} window is open until ${new Date(call.endAt + windowMs).toISOString()}: pending`,
    );
  }
  const later = call.nextCallAt === null ? '' : ` (next call ${hours(call.nextCallAt - call.endAt)} after it ended)`;
  return both(`no call from the caller within ${window} after it ended${later}: resolved`);
}
