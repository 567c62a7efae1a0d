import { describe, expect, it } from 'vitest';
import { deliveryOutcome, loggableBody, loggableHeaders } from './deliveries';

describe('delivery log', () => {
  it('redacts credential headers and drops platform noise, keeping signatures', () => {
    const headers = new Headers({
      Authorization: 'Bearer eyJ...',
      'X-Amz-Firehose-Access-Key': 'k',
      'X-Twilio-Signature': 'abc=',
      'webhook-signature': 'v1,xyz',
      'CF-Connecting-IP': '1.2.3.4',
      'Content-Length': '10',
      'X-Callboard-Key': 'secret-in-a-custom-header',
    });
    expect(loggableHeaders(headers, ['X-Callboard-Key'])).toEqual({
      authorization: '[redacted]',
      'x-amz-firehose-access-key': '[redacted]',
      'x-callboard-key': '[redacted]',
      'x-twilio-signature': 'abc=',
      'webhook-signature': 'v1,xyz',
    });
  });

  it.each([
    ['short', 10, { body: 'short', truncated: false }],
    ['exactly10!', 10, { body: 'exactly10!', truncated: false }],
    ['longer than ten', 10, { body: 'longer tha', truncated: true }],
  ])('keeps %j within %d characters', (body, max, expected) => {
    expect(loggableBody(body, max)).toEqual(expected);
  });

  it.each([
    [200, 0, 'accepted'],
    [204, 0, 'accepted'],
    [200, 1, 'partial'],
    [401, 0, 'rejected'],
    [422, 0, 'rejected'],
  ] as const)('status %d with %d rejected events is %s', (status, rejected, outcome) => {
    expect(deliveryOutcome(status, { rejected, events: 3 })).toBe(outcome);
  });
});
