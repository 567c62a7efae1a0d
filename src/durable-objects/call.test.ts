import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors';
import { callDurableObject } from './call';

const failing = (flags: Record<string, boolean>) => () => {
  throw Object.assign(new Error('boom'), flags);
};

describe('callDurableObject', () => {
  it.each([
    [{ retryable: true }],
    [{ overloaded: true }],
    [{}], // not thrown by the object's code: the platform failed to reach it
    [{ remote: true, retryable: true }],
  ])('an infrastructure failure %j is a retryable 503', async (flags) => {
    const err = await callDurableObject({}, 'Queue state', failing(flags)).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'SERVICE_UNAVAILABLE' });
    expect(err.message).toContain('Queue state');
  });

  it('a bug in the object’s own code stays a bug (500), and results pass through', async () => {
    const err = await callDurableObject({}, 'x', failing({ remote: true })).catch((e) => e);
    expect(err).not.toBeInstanceOf(AppError);
    expect(err.message).toBe('boom');
    expect(await callDurableObject({ n: 2 }, 'x', (s) => s.n * 21)).toBe(42);
  });
});
