import { describe, expect, it } from 'vitest';
import { deliveryOutcome, escapeUnstorable, loggableBody, loggableHeaders } from './deliveries';

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
    ['short', 10, { body: 'short', truncated: false, exact: true }],
    ['exactly10!', 10, { body: 'exactly10!', truncated: false, exact: true }],
    ['longer than ten', 10, { body: 'longer tha', truncated: true, exact: false }],
    ['a\u0000b', 10, { body: 'a\\u0000b', truncated: false, exact: false }],
    ['123456789😀', 10, { body: '123456789\ufffd', truncated: true, exact: false }],
  ])('keeps %j within %d characters', (body, max, expected) => {
    expect(loggableBody(body, max)).toEqual(expected);
  });

  it('keeps text Postgres cannot store readable: NUL escaped, lone surrogates replaced, pairs kept', () => {
    expect(escapeUnstorable('x\u0000y\ud83dz\ude00😀')).toBe('x\\u0000y\ufffdz\ufffd😀');
  });

  it('cuts the headers of an unverified delivery per value and in total', () => {
    const headers = new Headers({ 'x-a': 'a'.repeat(50), 'x-b': 'b'.repeat(50), 'x-c': 'c' });
    expect(loggableHeaders(headers, [], { value: 10, total: 30 })).toEqual({
      'x-a': `${'a'.repeat(10)}…`,
      'x-b': `${'b'.repeat(10)}…`,
    });
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
