/**
 * A streaming RFC 4180 reader: text goes in chunk by chunk (any split, even inside a quoted field or
 * between CR and LF), whole records come out as soon as their end is seen, so a body of any size is
 * read with memory bounded by one record. Records end at CRLF, LF or a lone CR; a field may be quoted
 * (`"…"`, a quote inside doubled) and then hold commas and line breaks. A UTF-8 byte-order mark at the
 * very start is skipped, and an empty line is no record (a trailing newline is common).
 *
 * Malformed input is reported per record, not thrown: a quote inside an unquoted field, text after a
 * closing quote, a quoted field still open at the end. The record is then returned with `error` set and
 * reading goes on with the next line, so one bad row does not hide the ones after it.
 */

export interface CsvRecord {
  /** The physical line (1-based) where the record starts: the header is line 1. */
  line: number;
  fields: string[];
  /** Why the record is malformed; `fields` then holds what could be read. */
  error?: string;
}

/** Records longer than this (in characters) are refused: a quote never closed must not buffer a whole upload. */
export const MAX_RECORD_CHARS = 64 * 1024;

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const UNQUOTED_SPECIAL = (c: number) => c === COMMA || c === QUOTE || c === CR || c === LF;
const IN_QUOTES_SPECIAL = (c: number) => c === QUOTE || c === CR || c === LF;

export class CsvReader {
  private fields: string[] = [];
  private field = '';
  /** Inside a quoted field; `quoteSeen`: its last character was a quote (closing, or the first of a doubled pair). */
  private quoted = false;
  private quoteSeen = false;
  /** The current field was quoted and closed: only a separator may follow. */
  private closed = false;
  private error: string | undefined;
  private recordChars = 0;
  private line = 1;
  private recordLine = 1;
  private lastWasCr = false;
  private started = false;

  /** Reads a chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const afterCr = this.lastWasCr;
      this.lastWasCr = c === CR;
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === QUOTE) {
            this.append('"');
            continue;
          }
          // The quote before was the closing one: `c` is read outside quotes below.
          this.quoted = false;
          this.closed = true;
        } else if (c === QUOTE) {
          this.quoteSeen = true;
          continue;
        } else {
          // A line break inside a field: CRLF counts once, even split across chunks.
          if (c === CR || (c === LF && !afterCr)) this.line += 1;
          let j = i + 1;
          while (j < n && !IN_QUOTES_SPECIAL(text.charCodeAt(j))) j++;
          this.append(text.slice(i, j));
          i = j - 1;
          this.lastWasCr = text.charCodeAt(i) === CR;
          continue;
        }
      }
      if (c === COMMA) {
        this.endField();
      } else if (c === LF && afterCr) {
        // The CR before ended the record already.
      } else if (c === LF || c === CR) {
        const record = this.endRecord();
        if (record) out.push(record);
        this.line += 1;
        this.recordLine = this.line;
      } else if (c === QUOTE) {
        if (this.field === '' && !this.closed) this.quoted = true;
        else {
          this.fail(this.closed ? 'A quote right after a quoted field.' : 'A quote inside an unquoted field.');
          this.append('"');
        }
      } else {
        if (this.closed) this.fail('Text after the closing quote of a field.');
        let j = i + 1;
        while (j < n && !UNQUOTED_SPECIAL(text.charCodeAt(j))) j++;
        this.append(text.slice(i, j));
        i = j - 1;
      }
    }
    return out;
  }

  /** Ends the input: the last record if it had no line break. */
  end(): CsvRecord[] {
    if (this.quoted && this.quoteSeen) {
      this.quoted = false;
      this.quoteSeen = false;
      this.closed = true;
    }
    if (this.quoted) {
      this.fail('A quoted field is not closed before the end of the file.');
      this.quoted = false;
    }
    const record = this.endRecord();
    return record ? [record] : [];
  }

  private append(text: string) {
    this.recordChars += text.length;
    if (this.recordChars <= MAX_RECORD_CHARS) this.field += text;
    // Past the limit, stop keeping the text: the record is refused anyway.
    else this.fail(`The record is longer than ${MAX_RECORD_CHARS} characters.`);
  }

  private fail(reason: string) {
    if (!this.error) this.error = reason;
  }

  private endField() {
    this.fields.push(this.field);
    this.field = '';
    this.closed = false;
    this.recordChars += 1;
  }

  private endRecord(): CsvRecord | null {
    const blank = this.fields.length === 0 && this.field === '' && !this.closed && !this.error;
    this.fields.push(this.field);
    const record: CsvRecord = { line: this.recordLine, fields: this.fields };
    if (this.error) record.error = this.error;
    this.fields = [];
    this.field = '';
    this.closed = false;
    this.error = undefined;
    this.recordChars = 0;
    return blank ? null : record;
  }
}

/** The whole of a text, read as one stream would be (tests, small inputs). */
export function readCsv(text: string): CsvRecord[] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.end()];
}
