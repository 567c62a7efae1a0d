import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/helpers/csv';
import { attachment, type CsvValue, csvCell, csvLine, negotiateFormat } from './csv';

describe('csvCell', () => {
  const cases: [string, CsvValue, string][] = [
    ['plain text', 'queue-1', 'queue-1'],
    ['empty text', '', ''],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['an integer', 42, '42'],
    ['a negative number stays a number', -5, '-5'],
    ['a fraction', 0.25, '0.25'],
    ['zero', 0, '0'],
    ['NaN', Number.NaN, ''],
    ['Infinity', Number.POSITIVE_INFINITY, ''],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['a comma', 'a,b', '"a,b"'],
    ['a double quote', 'say "hi"', '"say ""hi"""'],
    ['a line feed', 'line1\nline2', '"line1\nline2"'],
    ['a CRLF', 'a\r\nb', '"a\r\nb"'],
    ['a leading space is kept, unquoted', ' x ', ' x '],
    ['UTF-8 text', 'Žluťoučký kůň 😀', 'Žluťoučký kůň 😀'],
    ['a formula with =', '=1+2', "'=1+2"],
    ['a formula with +', '+420 6** *** 567', "'+420 6** *** 567"],
    ['a formula with -', '-2+3', "'-2+3"],
    ['a formula with @', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\t=1', "'\t=1"],
    ['a leading CR, defused and quoted', '\r=1', `"'\r=1"`],
    ['a formula with a comma: defused, then quoted', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['= only at the start counts', 'a=b', 'a=b'],
    ['text that looks like a negative number is still text', '-5', "'-5"],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('csvLine', () => {
  it('joins the cells with commas and ends the record with CRLF', () => {
    expect(csvLine(['a', 1, null, 'b,c', true])).toBe('a,1,,"b,c",true\r\n');
    expect(csvLine([])).toBe('\r\n');
  });

  it('reads back as the same fields, whatever the text (property); only formula starts gain a quote mark', () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '\t', 'ž', '😀') }),
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map(csvLine).join('');
        const expected = rows.map((r) =>
          r.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v)),
        );
        expect(parseCsv(text)).toEqual(expected);
      }),
      { seed: 8, numRuns: 500 },
    );
  });
});

describe('negotiateFormat', () => {
  const cases: [string, 'json' | 'csv' | undefined, string | undefined, 'json' | 'csv'][] = [
    ['nothing asked', undefined, undefined, 'json'],
    ['format=csv', 'csv', undefined, 'csv'],
    ['format=json beats Accept: text/csv', 'json', 'text/csv', 'json'],
    ['format=csv beats Accept: application/json', 'csv', 'application/json', 'csv'],
    ['Accept: text/csv', undefined, 'text/csv', 'csv'],
    ['Accept with parameters and odd case', undefined, 'Text/CSV; charset=utf-8', 'csv'],
    ['Accept: application/json', undefined, 'application/json', 'json'],
    ['Accept: */*', undefined, '*/*', 'json'],
    ['a browser', undefined, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
    ['text/csv named beats */* at the same quality', undefined, 'text/csv, */*', 'csv'],
    ['text/* beats */* at the same quality', undefined, 'text/*, */*', 'csv'],
    ['both named at the same quality: JSON', undefined, 'text/csv, application/json', 'json'],
    ['JSON preferred by quality', undefined, 'text/csv;q=0.5, application/json', 'json'],
    ['CSV preferred by quality', undefined, 'application/json;q=0.5, text/csv', 'csv'],
    ['text/csv;q=0 refuses CSV', undefined, 'text/csv;q=0, */*', 'json'],
    ['only text/csv;q=0', undefined, 'text/csv;q=0', 'json'],
    [
      'the specific range decides, not a wildcard after it',
      undefined,
      'text/csv;q=0.1, text/*;q=1, application/json;q=0.5',
      'json',
    ],
    ['an unreadable q counts as 0', undefined, 'text/csv;q=abc', 'json'],
    ['an empty header', undefined, '', 'json'],
  ];
  it.each(cases)('%s', (_name, format, accept, expected) => {
    expect(negotiateFormat(format, accept)).toBe(expected);
  });
});

describe('attachment', () => {
  it('quotes the name, keeping only characters every client reads the same way', () => {
    expect(attachment('kpis-day-2026-11-02T0000.csv')).toBe('attachment; filename="kpis-day-2026-11-02T0000.csv"');
    expect(attachment('a "b";\r\nc/é.csv')).toBe('attachment; filename="a__b____c__.csv"');
  });
});
