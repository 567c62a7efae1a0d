import { exports } from 'cloudflare:workers';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { callboardClient } from '../src/client';
import { createTenant, unique } from './factories';

const worker = (exports as unknown as { default: { fetch: (req: Request) => Promise<Response> } }).default;

/** The typed client of the README (`hc<AppType>` with the key), sending its requests to the Worker in-process. */
const clientFor = (key: string) =>
  callboardClient('http://callboard.test', key, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => worker.fetch(new Request(input, init)),
    headers: { 'X-Request-Id': 'typed-client' },
  });

// These tests are checked by `tsc` (npm run typecheck) as much as run: the `@ts-expect-error` lines fail the
// type check if the client stops knowing a route's parameters, and `expectTypeOf` if it loses an answer's type.
describe('hc<AppType>: a typed client', () => {
  it('knows paths, path and query parameters, bodies and JSON answers', async () => {
    const tenant = await createTenant();
    const api = clientFor(tenant.adminKey);

    const created = await api.v1.queues.$post({ json: { name: unique('Queue') } });
    expect(created.status).toBe(201);
    expect(created.headers.get('X-Request-Id')).toBe('typed-client');
    if (created.status !== 201) return;
    const queue = await created.json();
    expectTypeOf(queue.id).toEqualTypeOf<string>();

    const got = await api.v1.queues[':queueId'].$get({ param: { queueId: queue.id } });
    expect(got.status).toBe(200);
    if (got.status !== 200) return;
    expect((await got.json()).name).toBe(queue.name);

    const res = await api.v1.kpis.$get({
      query: { metrics: 'offered,serviceLevel', from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' },
    });
    expect(res.status).toBe(200);
    if (res.status !== 200) return;
    const report = await res.json();
    expectTypeOf(report.interval).toEqualTypeOf<'15m' | '30m' | 'hour' | 'day' | 'week' | 'month' | 'total'>();
    expectTypeOf(report.rows[0]?.metrics.offered?.value).toEqualTypeOf<number | null | undefined>();
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]?.metrics.offered).toMatchObject({ value: 0, numerator: 0, denominator: null });

    // The same route as CSV: the client sends `format`, the answer is read as text.
    const csv = await api.v1.kpis.$get({
      query: { metrics: 'offered', from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z', format: 'csv' },
    });
    expect(csv.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toBe('start,end,offered\r\n2026-11-02T00:00:00.000Z,2026-11-03T00:00:00.000Z,0\r\n');

    // Every KPI route reaches the client's type, the explain and volume-profile routers too.
    const catalog = await api.v1.kpis.catalog.$get();
    expect(catalog.status).toBe(200);
    if (catalog.status === 200) expectTypeOf((await catalog.json()).metrics[0]?.id).toEqualTypeOf<string | undefined>();
    const profile = await api.v1.kpis['volume-profile'].$get({
      query: { from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' },
    });
    expect(profile.status).toBe(200);
    const explained = await api.v1.kpis.explain.$get({
      query: { metric: 'offered', start: '2026-11-02T00:00:00Z', end: '2026-11-03T00:00:00Z' },
    });
    expect(explained.status).toBe(200);
    if (explained.status === 200) expectTypeOf((await explained.json()).nextCursor).toEqualTypeOf<string | null>();

    const calls = await api.v1.calls.$get({ query: { order: 'asc' } });
    expect(calls.status).toBe(200);
    if (calls.status === 200) expectTypeOf((await calls.json()).nextCursor).toEqualTypeOf<string | null>();
  });

  it('refuses what the API would refuse, at compile time', () => {
    const api = clientFor('cbk_unused');
    // Never sent: the arrow functions are only type-checked.
    // @ts-expect-error `interval` is one of the intervals
    const badInterval = () => api.v1.kpis.$get({ query: { metrics: 'offered', from: 'x', to: 'y', interval: 'fortnight' } });
    // @ts-expect-error `from` and `to` are required
    const missingRange = () => api.v1.kpis.$get({ query: { metrics: 'offered' } });
    // @ts-expect-error `format` is json or csv
    const badFormat = () => api.v1.calls.$get({ query: { format: 'xml' } });
    // @ts-expect-error the path parameter is named queueId
    const badParam = () => api.v1.queues[':queueId'].$get({ param: { id: 'x' } });
    // @ts-expect-error there is no such route
    const noRoute = () => api.v1.nothing.$get();
    expect([badInterval, missingRange, badFormat, badParam, noRoute].every((f) => typeof f === 'function')).toBe(true);
  });
});
