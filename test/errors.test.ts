import { describe, expect, it } from 'vitest';
import { createTenant } from './factories';
import { call, expectProblem } from './helpers/api';

describe('errors are RFC 9457 problems', () => {
  it('unknown routes are 404 ROUTE_NOT_FOUND, wrong methods 405 with Allow', async () => {
    expectProblem(await call('GET', '/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call('GET', '/nope'), 404, 'ROUTE_NOT_FOUND');
    const res = await call('PUT', '/v1/queues/que_x');
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('Allow')).toBe('DELETE, GET, HEAD, PATCH');
    const del = await call('DELETE', '/v1/tenants');
    expectProblem(del, 405, 'METHOD_NOT_ALLOWED');
    expect(del.headers.get('Allow')).toBe('POST');
  });

  it('malformed JSON is 400, a non-JSON body 415, a huge body 413 — and nothing is written', async () => {
    const t = await createTenant();
    expectProblem(await t.admin.post('/v1/queues', undefined, { rawBody: '{"name": "x",' }), 400, 'MALFORMED_JSON');
    expectProblem(
      await t.admin.post('/v1/queues', undefined, {
        rawBody: 'name=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(await t.admin.post('/v1/queues', { name: 'x'.repeat(1_100_000) }), 413, 'PAYLOAD_TOO_LARGE');
    expect((await t.admin.get('/v1/queues')).body.data).toHaveLength(0);
  });

  it('validation failures are 422 with a pointer per field', async () => {
    const t = await createTenant();
    const problem = expectProblem(
      await t.admin.post('/v1/queues', {
        name: '',
        serviceLevel: { thresholdSeconds: -1, targetPercent: 'high' },
        colour: 'red',
      }),
      422,
      'VALIDATION_FAILED',
    );
    const pointers = problem.errors?.map((e) => `${e.in}:${e.pointer}`).sort();
    expect(pointers).toEqual([
      'body:/colour',
      'body:/name',
      'body:/serviceLevel/targetPercent',
      'body:/serviceLevel/thresholdSeconds',
    ]);
    const missing = expectProblem(await t.admin.post('/v1/agents', {}), 422, 'VALIDATION_FAILED');
    expect(missing.errors).toEqual([{ in: 'body', pointer: '/name', detail: 'Required.' }]);
    const query = expectProblem(await t.admin.get('/v1/queues?limit=0'), 422, 'VALIDATION_FAILED');
    expect(query.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/limit' })]);
    const cursor = expectProblem(await t.admin.get('/v1/queues?cursor=garbage'), 422, 'VALIDATION_FAILED');
    expect(cursor.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/cursor' })]);
  });

  it('keeps a sane incoming request id and makes one otherwise', async () => {
    const kept = await call('GET', '/v1/nothing', { headers: { 'X-Request-Id': 'trace-123.abc' } });
    expect(kept.headers.get('X-Request-Id')).toBe('trace-123.abc');
    expect(kept.body.requestId).toBe('trace-123.abc');
    const replaced = await call('GET', '/v1/nothing', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(replaced.headers.get('X-Request-Id')).toMatch(/^req_[0-9a-z]{26}$/);
    const ok = await call('GET', '/health');
    expect(ok.headers.get('X-Request-Id')).toMatch(/^req_/);
  });

  it('every problem code has a documented type', async () => {
    const res = await call('GET', '/problems/validation-failed');
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 422, type: '/problems/validation-failed' });
    const all = await call('GET', '/problems');
    expect(all.body.length).toBeGreaterThan(15);
    for (const p of all.body) expect((await call('GET', p.type)).body.code).toBe(p.code);
    expectProblem(await call('GET', '/problems/no-such-thing'), 404, 'NOT_FOUND');
  });
});
