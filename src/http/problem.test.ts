import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, unavailable } from '../domain/errors';
import { jsonPointer, toProblem, zodFieldIssues } from './problem';

describe('problems', () => {
  it.each([
    [[], ''],
    [['name'], '/name'],
    [['serviceLevel', 'thresholdSeconds'], '/serviceLevel/thresholdSeconds'],
    [['queueIds', 2], '/queueIds/2'],
    [['a/b', 'm~n'], '/a~1b/m~0n'],
  ])('pointer for %j is %j (RFC 6901)', (path, pointer) => {
    expect(jsonPointer(path)).toBe(pointer);
  });

  it('gives each unknown key and each bad field its own pointer', () => {
    const schema = z.strictObject({ name: z.string().min(1), nested: z.strictObject({ n: z.number() }) });
    const result = schema.safeParse({ name: '', nested: { n: 'x', extra: 1 }, other: true });
    expect(result.success).toBe(false);
    if (result.success) return;
    const pointers = zodFieldIssues(result.error, 'body')
      .map((i) => i.pointer)
      .sort();
    expect(pointers).toEqual(['/name', '/nested/extra', '/nested/n', '/other']);
  });

  it('points into the branch of a union the body was meant for, else at the union', () => {
    const record = z.strictObject({ agentId: z.string(), hours: z.number() });
    const schema = z.strictObject({ x: z.union([z.strictObject({ records: z.array(record) }), record]) });
    const pointers = (x: unknown) => {
      const result = schema.safeParse({ x });
      return result.success ? [] : zodFieldIssues(result.error, 'body').map((i) => i.pointer);
    };
    expect(pointers({ agentId: 'a' })).toEqual(['/x/hours']);
    expect(pointers({ records: 5 })).toEqual(['/x/records']);
    expect(pointers({ records: [{ agentId: 1, hours: 2 }] })).toEqual(['/x/records/0/agentId']);
    expect(pointers({})).toEqual(['/x']);
    expect(pointers([])).toEqual(['/x']);
  });

  it('hides unknown errors behind a 500 without details', () => {
    const p = toProblem(new Error('password=hunter2 at db.ts:12'));
    expect(p.status).toBe(500);
    expect(p.code).toBe('INTERNAL_ERROR');
    expect(p.detail).not.toContain('hunter2');
  });

  it('tells a client when to retry every 503, a Durable Object failure too', () => {
    const p = toProblem(unavailable('Queue state is unavailable; retry the request.'));
    expect(p.status).toBe(503);
    expect(p.options.headers).toMatchObject({ 'Retry-After': '1' });
    const db = toProblem(new AppError('unavailable', 'SERVICE_UNAVAILABLE', 'x', { retryAfterSeconds: 5 }));
    expect(db.options.headers).toMatchObject({ 'Retry-After': '5' });
  });

  it('maps service errors by kind, with Retry-After for rate limits', () => {
    const p = toProblem(new AppError('rate_limited', 'RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 }));
    expect(p.status).toBe(429);
    expect(p.options.headers).toMatchObject({ 'Retry-After': '7' });
    expect(toProblem(new AppError('not_found', 'NOT_FOUND', 'x')).status).toBe(404);
    expect(toProblem(new AppError('unavailable', 'SERVICE_UNAVAILABLE', 'x')).status).toBe(503);
  });
});
