/**
 * When a failed delivery is tried again, when it is given up, and when an endpoint that keeps failing is
 * disabled (docs/webhooks-out.md, Retries). Pure: times are passed in, randomness too.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The delay after the n-th failed attempt (n = 1, 2, …); the last one repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
];

/** A message is retried until at least this long after its first attempt, then given up. */
export const RETRY_WINDOW_MS = 24 * HOUR;

/** Each delay is spread by ± this fraction, so endpoints that failed together are not retried together. */
export const RETRY_JITTER = 0.2;

/** An endpoint is disabled when a message is given up and none of its attempts has succeeded for this long. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * HOUR;

/** The delay after the `attempt`-th failed attempt (1-based), before jitter. */
export function nominalRetryDelayMs(attempt: number): number {
  const index = Math.min(Math.max(1, Math.floor(attempt)), RETRY_DELAYS_MS.length) - 1;
  return RETRY_DELAYS_MS[index] as number;
}

/** The delay after the `attempt`-th failed attempt, spread by `random` ∈ [0, 1): nominal × (1 ± 20 %). */
export function retryDelayMs(attempt: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(nominalRetryDelayMs(attempt) * (1 - RETRY_JITTER + 2 * RETRY_JITTER * r));
}

export type AfterFailure = { giveUp: true } | { giveUp: false; nextAttemptAt: number };

/**
 * What follows a failed attempt: given up once `RETRY_WINDOW_MS` have passed since the first attempt,
 * otherwise another attempt after `retryDelayMs`.
 */
export function afterFailure(input: { attempt: number; firstAttemptAt: number; failedAt: number; random: number }): AfterFailure {
  if (input.failedAt - input.firstAttemptAt >= RETRY_WINDOW_MS) return { giveUp: true };
  return { giveUp: false, nextAttemptAt: input.failedAt + retryDelayMs(input.attempt, input.random) };
}

/** Whether giving up a message at `now` disables its endpoint: nothing delivered since `failingSince`, 5 days ago or more. */
export function shouldDisable(failingSince: number | null, now: number): boolean {
  return failingSince !== null && now - failingSince >= DISABLE_AFTER_FAILING_MS;
}

/**
 * When each attempt of a message that always fails happens, from its first (0), without jitter, up to and including
 * the attempt after which it is given up; an attempt takes `attemptMs`.
 */
export function retrySchedule(attemptMs = 0): number[] {
  const at = [0];
  for (let attempt = 1; ; attempt++) {
    const failedAt = (at[attempt - 1] as number) + attemptMs;
    const next = afterFailure({ attempt, firstAttemptAt: 0, failedAt, random: 0.5 });
    if (next.giveUp) return at;
    at.push(next.nextAttemptAt);
  }
}
