import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from './deliveries';
import {
  FLOOD_REASON,
  FLOOD_WINDOW_MS,
  MAX_SOURCE_BUCKETS,
  UNVERIFIED_LOGGED_PER_CONNECTOR,
  UNVERIFIED_PER_SOURCE,
  UnverifiedFlood,
} from './delivery-flood';

const record = (n: number, connectorId = 'con_a'): Omit<DeliveryRecord, 'retentionDays'> => ({
  id: `dlv_${String(n).padStart(6, '0')}`,
  connectorId,
  requestId: `req_${n}`,
  receivedAt: n,
  outcome: 'rejected',
  httpStatus: 401,
  verified: false,
  reason: 'SIGNATURE_INVALID',
  detail: 'bad',
  method: 'POST',
  url: 'https://x.test/v1/webhooks/generic/con_a?pad=xxxx',
  contentType: 'application/json',
  headers: { 'x-pad': 'x' },
  body: '{}',
  bodyTruncated: false,
  events: 0,
  accepted: 0,
  duplicates: 0,
  rejected: 0,
  ignored: [],
});

describe('UnverifiedFlood', () => {
  it('logs a few a minute, counts the rest into one row, and answers a noisy source 429', () => {
    const flood = new UnverifiedFlood();
    const decisions = Array.from({ length: 100 }, (_, i) => flood.admit(record(i), '1.2.3.4', 0));
    const own = decisions.filter((d) => d.write.record.reason !== FLOOD_REASON);
    expect(own.map((d) => d.write.record.id)).toEqual(
      Array.from({ length: UNVERIFIED_LOGGED_PER_CONNECTOR.limit }, (_, i) => record(i).id),
    );
    const counted = decisions.filter((d) => d.write.record.reason === FLOOD_REASON);
    expect(new Set(counted.map((d) => d.write.record.id))).toEqual(new Set([record(UNVERIFIED_LOGGED_PER_CONNECTOR.limit).id]));
    const last = counted.at(-1)?.write;
    expect(last?.version).toBe(100 - UNVERIFIED_LOGGED_PER_CONNECTOR.limit);
    expect(last?.record).toMatchObject({
      suppressed: 90,
      body: '',
      headers: {},
      url: 'https://x.test/v1/webhooks/generic/con_a',
    });
    expect(last?.record.detail).toMatch(/answered 20 × 401, 70 × 429/);
    expect(decisions.filter((d) => d.retryAfterSeconds !== null)).toHaveLength(100 - UNVERIFIED_PER_SOURCE.limit);
    expect(decisions.at(-1)?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('keeps sources and connectors apart, and starts a new count each window', () => {
    const flood = new UnverifiedFlood();
    for (let i = 0; i < UNVERIFIED_PER_SOURCE.limit; i++) flood.admit(record(i), 'a', 0);
    expect(flood.admit(record(100), 'a', 0).retryAfterSeconds).not.toBeNull();
    expect(flood.admit(record(101), 'b', 0).retryAfterSeconds).toBeNull();
    expect(flood.admit(record(102, 'con_b'), 'a', 0).write.record.reason).toBe('SIGNATURE_INVALID');
    const later = flood.admit(record(103), 'c', 1000);
    expect(later.write.record.id).toBe(record(UNVERIFIED_LOGGED_PER_CONNECTOR.limit).id);
    const next = flood.admit(record(104), 'c', FLOOD_WINDOW_MS + 1);
    expect(next.write.record.reason).toBe('SIGNATURE_INVALID'); // refilled
  });

  it('bounds the source buckets it keeps', () => {
    const flood = new UnverifiedFlood();
    for (let i = 0; i <= MAX_SOURCE_BUCKETS; i++) flood.admit(record(i), `src-${i}`, 0);
    expect((flood as unknown as { sources: Map<string, unknown> }).sources.size).toBeLessThanOrEqual(MAX_SOURCE_BUCKETS);
  });
});
