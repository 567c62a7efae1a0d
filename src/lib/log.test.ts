import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { errorFields } from './log';

/** What the Neon driver throws for a refused statement (the fields of a pg DatabaseError). */
function postgresError() {
  return Object.assign(new Error('unsupported Unicode escape sequence'), {
    code: '22P05',
    table: 'events',
    detail: '\\u0000 cannot be converted to text.',
    where: 'JSON data, line 1: [{"id":"evt_1","caller":"+420601234567\\u0000',
  });
}

describe('errorFields', () => {
  it('logs a failed query by its Postgres cause and sizes, never the SQL or the rows', () => {
    const rows = JSON.stringify([{ id: 'evt_1', caller: '+420601234567', attrs: { note: 'x' } }]);
    const err = new DrizzleQueryError(
      'INSERT INTO events (tenant_id, id) SELECT $1, r.id FROM jsonb_to_recordset($2::jsonb)',
      ['ten_1', rows],
      postgresError(),
    );
    const fields = errorFields(err);
    const logged = JSON.stringify(fields);
    expect(logged).not.toContain('INSERT INTO');
    expect(logged).not.toContain('+420601234567');
    expect(fields).toMatchObject({
      sqlState: '22P05',
      pgMessage: 'unsupported Unicode escape sequence',
      pgTable: 'events',
      params: 2,
    });
    expect(fields.paramChars).toBe(5 + rows.length);
  });

  it('looks through a wrapper such as the 503 a request answers', () => {
    const query = new DrizzleQueryError('select 1', [], new Error('Connection terminated due to connection timeout'));
    const err = Object.assign(new Error('The database is unavailable; retry the request.'), { cause: query });
    const fields = errorFields(err);
    expect(fields).toMatchObject({
      error: 'The database is unavailable; retry the request.',
      cause: 'Connection terminated due to connection timeout',
    });
    expect(JSON.stringify(fields)).not.toContain('select 1');
  });
});
