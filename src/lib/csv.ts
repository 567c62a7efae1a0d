/**
 * CSV as RFC 4180 writes it — fields separated by commas, records ended by CRLF, a field quoted when it holds a
 * comma, a double quote, CR or LF, and a double quote inside doubled — with one addition for the people who open
 * the file: a text cell a spreadsheet would read as a formula is defused (see `csvCell`).
 */

export type CsvValue = string | number | boolean | null | undefined;

/** The content type of every CSV answer. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/**
 * What starts a formula in Excel, LibreOffice or Google Sheets: `=`, `+`, `-`, `@`, and tab or CR (which some of
 * them strip before looking). OWASP's advice for CSV injection is to prefix such a cell with `'`, which the
 * spreadsheet shows as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field. Numbers are written as JavaScript prints them (`-0.5` stays a number: only text is defused), a
 * non-finite number and null/undefined as an empty field, booleans as `true`/`false`.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, with its CRLF. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A column of a table: its header and how a row fills it. */
export interface CsvColumn<T> {
  name: string;
  value: (row: T) => CsvValue;
}

/** The header line of a table. */
export const csvHeader = <T>(columns: readonly CsvColumn<T>[]) => csvLine(columns.map((c) => c.name));

/** One row of a table. */
export const csvRow = <T>(columns: readonly CsvColumn<T>[], row: T) => csvLine(columns.map((c) => c.value(row)));

export type ResponseFormat = 'json' | 'csv';

/**
 * The format of an answer: `format` when the request gives it, else CSV only when the `Accept` header prefers
 * `text/csv` to JSON. A media range counts by its quality (`q`, default 1); a type matched by name beats one only a
 * wildcard (`text/*`, `*\/*`) covers, as RFC 9110 §12.5.1 orders them; on a tie JSON wins, since it is the default.
 */
export function negotiateFormat(format: ResponseFormat | undefined, accept: string | undefined): ResponseFormat {
  if (format) return format;
  if (!accept) return 'json';
  const csv = preference(accept, 'text', 'csv');
  const json = preference(accept, 'application', 'json');
  if (csv.q === 0) return 'json';
  if (csv.q !== json.q) return csv.q > json.q ? 'csv' : 'json';
  return csv.specificity > json.specificity ? 'csv' : 'json';
}

/** The quality the most specific matching range gives `type/subtype` (0 when none matches), and how specific it was. */
function preference(accept: string, type: string, subtype: string): { q: number; specificity: number } {
  let best = { q: 0, specificity: -1 };
  for (const range of accept.split(',')) {
    const [media = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const [t, s] = media.split('/');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity < 0 || specificity < best.specificity) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = { q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, specificity };
  }
  return best;
}

/** A `Content-Disposition` for a download; the name is reduced to characters every client reads the same way. */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}
