import { describe, expect, it } from 'vitest';
import { SUBSCRIBABLE_EVENT_TYPES, subscribes, WEBHOOK_EVENT_PATTERNS, WEBHOOK_EVENT_TYPES, webhookPayload } from './events';

describe('webhook event catalogue', () => {
  it('matches types, families and the wildcard; never webhook.test', () => {
    expect(subscribes(['alert.triggered'], 'alert.triggered')).toBe(true);
    expect(subscribes(['alert.triggered'], 'alert.resolved')).toBe(false);
    expect(subscribes(['alert.*'], 'alert.resolved')).toBe(true);
    expect(subscribes(['alert.*'], 'webhook.endpoint.disabled')).toBe(false);
    expect(subscribes(['webhook.*'], 'webhook.endpoint.disabled')).toBe(true);
    expect(subscribes(['*'], 'alert.acknowledged')).toBe(true);
    for (const patterns of [['*'], ['webhook.*']]) expect(subscribes(patterns, 'webhook.test')).toBe(false);
    expect(subscribes([], 'alert.triggered')).toBe(false);
  });

  it('every family pattern names at least one type, and every type but webhook.test can be subscribed to', () => {
    for (const p of WEBHOOK_EVENT_PATTERNS.filter((x) => x.endsWith('.*'))) {
      expect(
        SUBSCRIBABLE_EVENT_TYPES.some((t) => subscribes([p], t)),
        p,
      ).toBe(true);
    }
    expect(WEBHOOK_EVENT_TYPES.filter((t) => !(SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(t))).toEqual([
      'webhook.test',
    ]);
  });

  it('builds the Standard Webhooks payload: type, ISO timestamp, data', () => {
    const body = webhookPayload({
      type: 'alert.triggered',
      id: 'alr_1:triggered',
      occurredAt: Date.UTC(2026, 10, 30, 8, 15, 0, 250),
      data: { alertId: 'alr_1', value: 0.71 },
    });
    expect(body).toBe(
      '{"type":"alert.triggered","timestamp":"2026-11-30T08:15:00.250Z","data":{"alertId":"alr_1","value":0.71}}',
    );
  });
});
