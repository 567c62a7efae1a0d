import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  DISABLE_AFTER_FAILING_MS,
  nominalRetryDelayMs,
  RETRY_WINDOW_MS,
  retryDelayMs,
  retrySchedule,
  shouldDisable,
} from './retry';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('retry schedule', () => {
  it('backs off 5 s, 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, 4 h, 8 h, then 8 h again', () => {
    const delays = Array.from({ length: 12 }, (_, i) => nominalRetryDelayMs(i + 1));
    expect(delays).toEqual([5 * S, 30 * S, 2 * M, 10 * M, 30 * M, 1 * H, 2 * H, 4 * H, 8 * H, 8 * H, 8 * H, 8 * H]);
  });

  it('spreads each delay by ±20 % and never shortens the schedule below the nominal one by more', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const nominal = nominalRetryDelayMs(attempt);
      expect(retryDelayMs(attempt, 0)).toBe(Math.round(nominal * 0.8));
      expect(retryDelayMs(attempt, 0.5)).toBe(nominal);
      expect(retryDelayMs(attempt, 0.999999)).toBeLessThanOrEqual(Math.round(nominal * 1.2));
    }
    // Even with the worst jitter, each of the first nine delays is longer than the one before.
    for (let attempt = 2; attempt <= 9; attempt++) expect(retryDelayMs(attempt, 0)).toBeGreaterThan(retryDelayMs(attempt - 1, 1));
  });

  it('retries a message that always fails for at least 24 h after its first attempt, then gives it up', () => {
    const at = retrySchedule();
    // Attempts at 0, 5 s, 35 s, 2 m 35 s, 12 m 35 s, 42 m 35 s, 1 h 42 m 35 s, 3 h 42 m 35 s, 7 h 42 m 35 s,
    // 15 h 42 m 35 s, 23 h 42 m 35 s and 31 h 42 m 35 s: twelve, the last one past 24 h.
    expect(at).toHaveLength(12);
    expect(at.at(-2)).toBeLessThan(RETRY_WINDOW_MS);
    expect(at.at(-1)).toBe(31 * H + 42 * M + 35 * S);
    expect(afterFailure({ attempt: 12, firstAttemptAt: 0, failedAt: at.at(-1) as number, random: 0.5 })).toEqual({
      giveUp: true,
    });
    expect(afterFailure({ attempt: 11, firstAttemptAt: 0, failedAt: at.at(-2) as number, random: 0.5 })).toEqual({
      giveUp: false,
      nextAttemptAt: at.at(-1),
    });
  });

  it('counts the window from the first attempt, including the time attempts take, whatever the jitter', () => {
    for (const random of [0, 0.5, 0.9999]) {
      const firstAttemptAt = 1_000_000;
      let t = firstAttemptAt;
      let attempts = 0;
      for (;;) {
        attempts++;
        const failedAt = t + 10 * S; // each attempt times out after 10 s
        const next = afterFailure({ attempt: attempts, firstAttemptAt, failedAt, random });
        if (next.giveUp) {
          expect(failedAt - firstAttemptAt).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
          break;
        }
        expect(next.nextAttemptAt).toBeGreaterThan(failedAt);
        t = next.nextAttemptAt;
      }
      expect(attempts).toBeGreaterThanOrEqual(11);
      expect(attempts).toBeLessThanOrEqual(13);
    }
  });
});

describe('disabling an endpoint', () => {
  it('happens at a give-up once nothing was delivered for 5 days', () => {
    const now = 100 * 24 * H;
    expect(shouldDisable(null, now)).toBe(false);
    expect(shouldDisable(now - DISABLE_AFTER_FAILING_MS + 1, now)).toBe(false);
    expect(shouldDisable(now - DISABLE_AFTER_FAILING_MS, now)).toBe(true);
    expect(DISABLE_AFTER_FAILING_MS).toBe(5 * 24 * H);
  });
});
