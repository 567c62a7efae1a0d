import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant } from '../factories';
import { expectProblem } from '../helpers/api';
import { DAY, ingestAll, iso, t, visitEvents } from '../helpers/kpi-calls';

// This project's Worker reads at most 40 visits and segments from the records per KPI request
// (KPI_MAX_RANGE_RECORDS, vitest.config.ts): 30 answered calls in a day are 60 of them, one hour's 5 are 10.

const get = (tenant: TestTenant, path: string, params: Record<string, string>) =>
  tenant.admin.get(`${path}?${new URLSearchParams(params).toString()}`);

describe('KPI requests read a bounded number of records', () => {
  it('refuse with a problem naming the limit what would read more, and answer from rollups or a shorter range', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    const events = [];
    for (let i = 0; i < 30; i++) events.push(...visitEvents(q.id, t(0, i * 600), 5, 'answered', { agentId: ada.id }));
    await ingestAll(tenant, events);
    const day = { metrics: 'offered', from: iso(DAY), to: iso(DAY + 86_400_000) };
    const hour = { metrics: 'offered', from: iso(t(0, 0)), to: iso(t(0, 3600)) };

    // Rollups: no record is read.
    const fromRollups = await get(tenant, '/v1/kpis', day);
    expect(fromRollups.status, fromRollups.text).toBe(200);
    expect(fromRollups.body.rows[0].metrics.offered.value).toBe(30);

    for (const params of [
      { ...day, source: 'records' },
      { ...day, groupBy: 'direction' },
      { ...day, direction: 'inbound' },
    ]) {
      const problem = expectProblem(await get(tenant, '/v1/kpis', params), 422, 'TOO_MANY_RECORDS');
      expect(problem.detail).toContain('more than 40 visits and segments');
    }
    const explained = { metric: 'offered', start: day.from, end: day.to };
    expectProblem(await get(tenant, '/v1/kpis/explain', explained), 422, 'TOO_MANY_RECORDS');
    // Repeat-caller FCR judges every handled call of the range (30 segments here: within 40 a day, not over it).
    expect((await get(tenant, '/v1/kpis', { ...day, metrics: 'fcrRepeatCaller' })).status).toBe(200);
    const more = [];
    for (let i = 0; i < 15; i++) more.push(...visitEvents(q.id, t(1, i * 600), 5, 'answered', { agentId: ada.id }));
    await ingestAll(tenant, more);
    const twoDays = { ...day, to: iso(DAY + 2 * 86_400_000), metrics: 'fcrRepeatCaller' };
    const refused = expectProblem(await get(tenant, '/v1/kpis', twoDays), 422, 'TOO_MANY_RECORDS');
    expect(refused.detail).toContain('more than 40 agent segments');
    expect((await get(tenant, '/v1/kpis', { ...twoDays, from: iso(DAY + 86_400_000) })).status).toBe(200);

    // A shorter range reads few records.
    const small = await get(tenant, '/v1/kpis', { ...hour, source: 'records' });
    expect(small.status, small.text).toBe(200);
    expect(small.body.rows[0].metrics.offered.value).toBe(6);
    expect((await get(tenant, '/v1/kpis/explain', { metric: 'offered', start: hour.from, end: hour.to })).status).toBe(200);

    // A range whose rollups are being recomputed: a 503 to retry, exact again once recomputed.
    const marked = await tenant.admin.post('/v1/kpis/rollups/rebuild', { from: day.from, to: day.to, maxBuckets: 1 });
    expect(marked.status, marked.text).toBe(200);
    const busy = await get(tenant, '/v1/kpis', day);
    expectProblem(busy, 503, 'KPI_ROLLUPS_REBUILDING');
    expect(busy.headers.get('Retry-After')).toBe('60');
    let left = marked.body.dirtyLeft as number;
    while (left > 0) left = (await tenant.admin.post('/v1/kpis/rollups/rebuild', { maxBuckets: 500 })).body.dirtyLeft;
    const healed = await get(tenant, '/v1/kpis', day);
    expect(healed.status, healed.text).toBe(200);
    expect(healed.body.rows[0].metrics.offered.value).toBe(30);
  });
});
