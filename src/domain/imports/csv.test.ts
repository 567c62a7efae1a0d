import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvRecord, MAX_RECORD_CHARS, readCsv } from './csv';

/** Records as [line, fields, error?] for compact tables. */
const compact = (records: CsvRecord[]) => records.map((r) => (r.error ? [r.line, r.fields, r.error] : [r.line, r.fields]));

/** A small seeded PRNG (mulberry32), so the chunkings below are the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cases: [string, string, unknown[]][] = [
  [
    'plain fields, LF',
    'a,b,c\n1,2,3\n',
    [
      [1, ['a', 'b', 'c']],
      [2, ['1', '2', '3']],
    ],
  ],
  [
    'CRLF, no final break',
    'a,b\r\n1,2',
    [
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ],
  ],
  [
    'lone CR ends a record',
    'a\r1\r',
    [
      [1, ['a']],
      [2, ['1']],
    ],
  ],
  ['empty fields', ',,\n', [[1, ['', '', '']]]],
  [
    'blank lines are no records',
    'a\n\n\r\nb\n',
    [
      [1, ['a']],
      [4, ['b']],
    ],
  ],
  ['quoted comma and doubled quote', '"x,y","say ""hi"""\n', [[1, ['x,y', 'say "hi"']]]],
  ['quoted empty field is a record', '""\n', [[1, ['']]]],
  [
    'line breaks inside quotes: the next record starts on a later line',
    '"a\nb","c\r\nd"\nz\n',
    [
      [1, ['a\nb', 'c\r\nd']],
      [4, ['z']],
    ],
  ],
  ['spaces are kept (trimming is the format’s business)', ' a , b \n', [[1, [' a ', ' b ']]]],
  ['a UTF-8 BOM at the start is skipped', '\ufeffa,b\n', [[1, ['a', 'b']]]],
  ['non-ASCII text', 'Zoë,東京\n', [[1, ['Zoë', '東京']]]],
  [
    'a quote inside an unquoted field is an error of that record only',
    'a"b,c\nok\n',
    [
      [1, ['a"b', 'c'], 'A quote inside an unquoted field.'],
      [2, ['ok']],
    ],
  ],
  ['text after a closing quote', '"a"b,c\n', [[1, ['ab', 'c'], 'Text after the closing quote of a field.']]],
  ['a quote right after a closing quote pair is a doubled quote', '"a""",b\n', [[1, ['a"', 'b']]]],
  [
    'a quoted field open at the end',
    'a\n"open,\n',
    [
      [1, ['a']],
      [2, ['open,\n'], 'A quoted field is not closed before the end of the file.'],
    ],
  ],
];

describe('CsvReader (RFC 4180, streaming)', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    expect(compact(readCsv(text))).toEqual(expected);
  });

  it.each(cases)('gives the same records however the text is cut into chunks: %s', (_name, text, expected) => {
    // Every single cut point, then random multi-cuts.
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new CsvReader();
      const got = [...reader.push(text.slice(0, cut)), ...reader.push(text.slice(cut)), ...reader.end()];
      expect(compact(got), `cut at ${cut}`).toEqual(expected);
    }
    const random = prng(text.length);
    for (let round = 0; round < 20; round++) {
      const reader = new CsvReader();
      const got: CsvRecord[] = [];
      let i = 0;
      while (i < text.length) {
        const n = 1 + Math.floor(random() * 4);
        got.push(...reader.push(text.slice(i, i + n)));
        i += n;
      }
      got.push(...reader.end());
      expect(compact(got)).toEqual(expected);
    }
  });

  it('refuses a record longer than the limit without keeping it, and reads on', () => {
    const long = `"${'x'.repeat(MAX_RECORD_CHARS + 10)}"\nnext\n`;
    const [first, second] = readCsv(long);
    expect(first?.error).toBe(`The record is longer than ${MAX_RECORD_CHARS} characters.`);
    expect(first?.fields.join('').length).toBeLessThanOrEqual(MAX_RECORD_CHARS);
    expect(second).toEqual({ line: 2, fields: ['next'] });
  });

  it('matches a direct split for random quote-free tables', () => {
    const random = prng(7);
    for (let round = 0; round < 50; round++) {
      const rows = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          'abc xyz,'.slice(0, Math.floor(random() * 4)).replace(',', ';'),
        ),
      ).filter((r) => r.some((f) => f !== '') || r.length > 1);
      const text = rows.map((r) => r.join(',')).join(random() < 0.5 ? '\n' : '\r\n');
      expect(readCsv(text).map((r) => r.fields)).toEqual(rows);
    }
  });
});
