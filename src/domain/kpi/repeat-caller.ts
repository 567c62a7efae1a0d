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
