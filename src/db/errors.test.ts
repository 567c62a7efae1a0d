import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { describeDbFailure, isDataError } from './errors';

const pg = (code: string, message: string) => Object.assign(new Error(message), { code });
const failedQuery = (cause: unknown) =>
  new DrizzleQueryError('INSERT INTO events SELECT * FROM jsonb_to_recordset($1::jsonb)', ['[{"id":"evt_1"}]'], cause as Error);

describe('describeDbFailure', () => {
  it.each([
    [pg('22P05', 'unsupported Unicode escape sequence'), 'POSTGRES_REFUSED_DATA', true],
    [pg('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), 'POSTGRES_REFUSED_DATA', true],
    [pg('23505', 'duplicate key value violates unique constraint "x"'), 'POSTGRES_REFUSED_DATA', true],
    [pg('54000', 'index row requires 9000 bytes, maximum size is 8191'), 'POSTGRES_REFUSED_DATA', true],
    [pg('40P01', 'deadlock detected'), 'POSTGRES_CONFLICT', false],
    [pg('57014', 'canceling statement due to statement timeout'), 'POSTGRES_TIMEOUT', false],
    [pg('08006', 'connection failure'), 'POSTGRES_UNAVAILABLE', false],
    [pg('57P01', 'terminating connection due to administrator command'), 'POSTGRES_UNAVAILABLE', false],
    [new Error('Connection terminated unexpectedly'), 'POSTGRES_UNAVAILABLE', false],
    [new Error('Query read timeout'), 'POSTGRES_TIMEOUT', false],
    [pg('42601', 'syntax error at or near "SELEC"'), 'POSTGRES_ERROR', false],
  ])('%s → %s (a data error: %s)', (cause, code, data) => {
    const err = failedQuery(cause);
    const failure = describeDbFailure(err);
    expect(failure.code).toBe(code);
    expect(failure.reason).toBe((cause as Error).message);
    expect(failure.reason).not.toMatch(/INSERT|jsonb_to_recordset|evt_1/);
    expect(isDataError(err)).toBe(data);
  });
});
