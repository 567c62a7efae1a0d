import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { newId } from './ids';

describe('ids', () => {
  it('sort by creation time (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 2 ** 20 }), (t, dt) => {
        expect(newId('queue', t) < newId('queue', t + dt)).toBe(true);
      }),
    );
  });

  it('are prefixed, lowercase and 26 characters after the prefix', () => {
    expect(newId('agent')).toMatch(/^agt_[0-9a-z]{26}$/);
    expect(newId('tenant')).toMatch(/^tnt_[0-9a-z]{26}$/);
  });

  it('round-trip through cursors, and foreign cursors are refused', () => {
    const id = newId('site');
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(encodeCursor('DROP TABLE'))).toBeNull();
  });
});
