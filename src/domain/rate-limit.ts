/** A token bucket: `limit` tokens, refilled continuously at `limit / windowSeconds` per second. */
export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}

export interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export interface RateDecision {
  allowed: boolean;
  bucket: Bucket;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

const EPSILON = 1e-9;

/** Takes `cost` tokens from the bucket at `nowMs` if it has them; a missing bucket starts full. */
export function takeTokens(bucket: Bucket | undefined, policy: RateLimitPolicy, nowMs: number, cost = 1): RateDecision {
  const ratePerMs = policy.limit / (policy.windowSeconds * 1000);
  const elapsed = bucket ? Math.max(0, nowMs - bucket.updatedAtMs) : 0;
  const available = bucket ? Math.min(policy.limit, bucket.tokens + elapsed * ratePerMs) : policy.limit;
  // Refill is computed in floating point: 11 s × (1/11 per s) may come out a hair under 1 token.
  const allowed = available >= cost - EPSILON;
  const tokens = allowed ? Math.max(0, available - cost) : available;
  const next = { tokens, updatedAtMs: nowMs };
  return {
    allowed,
    bucket: next,
    remaining: Math.floor(tokens),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / ratePerMs / 1000)),
    resetSeconds: Math.ceil((policy.limit - tokens) / ratePerMs / 1000),
  };
}
