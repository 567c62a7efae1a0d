import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bucket, takeTokens } from './rate-limit';

const policyArb = fc.record({ limit: fc.integer({ min: 1, max: 1000 }), windowSeconds: fc.integer({ min: 1, max: 3600 }) });
/** Non-decreasing request times: gaps in ms. */
const gapsArb = fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 300 });

describe('takeTokens', () => {
  it.each([
    // limit, window, requests at t=0, expected allowed
    [3, 60, 5, 3],
    [1, 1, 2, 1],
    [10, 10, 10, 10],
  ])('a full bucket of %i (per %i s) allows %i instant requests only %i times', (limit, windowSeconds, n, allowed) => {
    let bucket: Bucket | undefined;
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const d = takeTokens(bucket, { limit, windowSeconds }, 0);
      bucket = d.bucket;
      if (d.allowed) ok++;
    }
    expect(ok).toBe(allowed);
  });

  it('never allows more than the burst plus what refilled (property)', () => {
    fc.assert(
      fc.property(policyArb, gapsArb, (policy, gaps) => {
        let bucket: Bucket | undefined;
        let now = 0;
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          const d = takeTokens(bucket, policy, now);
          bucket = d.bucket;
          if (d.allowed) allowed++;
          expect(d.remaining).toBeGreaterThanOrEqual(0);
          expect(d.remaining).toBeLessThanOrEqual(policy.limit);
        }
        const refilled = (now / 1000) * (policy.limit / policy.windowSeconds);
        expect(allowed).toBeLessThanOrEqual(Math.floor(policy.limit + refilled + 1e-9));
      }),
    );
  });

  it('a denied request is allowed once Retry-After has passed (property)', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 10_000 }), (policy, start) => {
        let bucket: Bucket | undefined;
        let d = takeTokens(bucket, policy, start);
        while (d.allowed) {
          bucket = d.bucket;
          d = takeTokens(bucket, policy, start);
        }
        expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(takeTokens(d.bucket, policy, start + d.retryAfterSeconds * 1000).allowed).toBe(true);
      }),
    );
  });

  it('reports the time until the bucket is full again', () => {
    const d = takeTokens(undefined, { limit: 60, windowSeconds: 60 }, 0);
    expect(d.remaining).toBe(59);
    expect(d.resetSeconds).toBe(1);
  });
});
