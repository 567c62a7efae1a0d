import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableText } from '../text';
import { maskCaller } from './normalized';

describe('maskCaller', () => {
  it('keeps the first 4 and last 2 characters of a number', () => {
    expect(maskCaller('+420 601 234 567')).toBe('+420*******67');
    expect(maskCaller('12345')).toBe('*****');
  });

  it('counts characters as code points: an emoji is never cut in half', () => {
    expect(maskCaller('a😀😀😀')).toBe('****');
    expect(maskCaller('a😀😀😀😀😀😀')).toBe('a😀😀😀*😀😀');
  });

  it('never yields text Postgres cannot store, whatever it is given (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(isStorableText(maskCaller(s))).toBe(true);
      }),
    );
  });
});
