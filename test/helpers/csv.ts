/** An RFC 4180 reader written for the test (not the writer run backwards): records of fields. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    let step = 1;
    if (quoted) {
      if (ch === '"' && next === '"') {
        field += '"';
        step = 2;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      if (field !== '') throw new Error(`a quote inside an unquoted field at ${i}`);
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && next === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      step = 2;
    } else if (ch === '\r' || ch === '\n') {
      throw new Error(`a bare line break outside quotes at ${i}`);
    } else field += ch;
    i += step;
  }
  if (quoted) throw new Error('an unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}
