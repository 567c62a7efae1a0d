import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableText, storableText, storableValue, unstorablePaths } from './text';

const NUL = '\u0000';
const HIGH = '\ud83d'; // the first half of 😀
const LOW = '\ude00'; // the second half

describe('Postgres-storable text', () => {
  it('refuses U+0000 and lone surrogates, keeps everything else', () => {
    expect(isStorableText('Prague 😀 ok')).toBe(true);
    expect(isStorableText('')).toBe(true);
    expect(isStorableText(`x${NUL}y`)).toBe(false);
    expect(isStorableText(`a${HIGH}`)).toBe(false);
    expect(isStorableText(`${LOW}a`)).toBe(false);
    expect(isStorableText(`${LOW}${HIGH}`)).toBe(false);
    expect(isStorableText(`${HIGH}${LOW}`)).toBe(true);
  });

  it('replaces what cannot be stored with U+FFFD, one per code unit', () => {
    expect(storableText(`x${NUL}y`)).toBe('x\ufffdy');
    expect(storableText(`a${HIGH}b${LOW}😀`)).toBe('a\ufffdb\ufffd😀');
    expect(storableText('plain')).toBe('plain');
  });

  it('any string made storable is storable, and storable text is left as it is (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const clean = storableText(s);
        expect(isStorableText(clean)).toBe(true);
        expect(clean.length).toBe(s.length);
        if (isStorableText(s)) expect(clean).toBe(s);
      }),
    );
  });

  it('finds every unstorable string and key at any depth, as a path', () => {
    const value = {
      id: 'ok',
      interactionId: `i${HIGH}`,
      attrs: { hangupCause: `x${NUL}y`, nested: [1, 'fine', { deep: NUL }] },
      [`k${NUL}`]: 'v',
    };
    expect(unstorablePaths(value)).toEqual([
      ['interactionId'],
      ['attrs', 'hangupCause'],
      ['attrs', 'nested', 2, 'deep'],
      [`k${NUL}`],
    ]);
    expect(unstorablePaths({ a: ['x', 2, null, true] })).toEqual([]);
  });

  it('cleans every string and key at any depth, leaving other values alone', () => {
    const value = { a: `x${NUL}`, b: [HIGH, 3, null, { c: true }], [`k${LOW}`]: 'v' };
    expect(storableValue(value)).toEqual({ a: 'x\ufffd', b: ['\ufffd', 3, null, { c: true }], 'k\ufffd': 'v' });
    const clean = { a: 'x', b: [1, { c: 'd' }] };
    expect(storableValue(clean)).toEqual(clean);
  });
});
