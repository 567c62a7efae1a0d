import { describe, expect, it } from 'vitest';
import { createKey, createTeam, createTenant, type TestTenant } from './factories';
import { exampleCategories } from './fixtures/appraisal-rule';
import { expectProblem } from './helpers/api';

const body = (over: Record<string, unknown> = {}) => ({
  name: `Monthly ${crypto.randomUUID().slice(0, 8)}`,
  effectiveFrom: '2026-01-01',
  categories: exampleCategories(),
  ...over,
});

type Rule = {
  id: string;
  name: string;
  teamId: string | null;
  current: { version: number; effectiveFrom: string; categories: { id: string; weight: number }[]; createdBy: string };
  versions: { version: number; effectiveFrom: string }[];
};

async function create(t: TestTenant, over: Record<string, unknown> = {}): Promise<Rule> {
  const res = await t.admin.post<Rule>('/v1/appraisal-rules', body(over));
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('appraisal rules', () => {
  it('creates a rule as version 1, adds versions from later days, and answers the one in effect on a day', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const rule = await create(t, { teamId: team.id });
    expect(rule).toMatchObject({ teamId: team.id, current: { version: 1, effectiveFrom: '2026-01-01' } });
    expect(rule.current.categories.map((c) => [c.id, c.weight])).toEqual([
      ['efficiency', 60],
      ['attitude', 40],
    ]);

    const { name: _name, ...next } = body();
    const reweighted = {
      ...next,
      effectiveFrom: '2026-04-01',
      categories: next.categories.map((c, i) => ({ ...c, weight: i === 0 ? 70 : 30 })),
    };
    const v2 = await t.admin.post<Rule>(`/v1/appraisal-rules/${rule.id}/versions`, reweighted);
    expect(v2.status, v2.text).toBe(201);
    expect(v2.body.current).toMatchObject({ version: 2, effectiveFrom: '2026-04-01' });
    expect(v2.body.versions.map((v) => [v.version, v.effectiveFrom])).toEqual([
      [1, '2026-01-01'],
      [2, '2026-04-01'],
    ]);

    // March is scored with version 1, April with version 2; before January no version is in effect.
    const march = await t.admin.get<Rule>(`/v1/appraisal-rules/${rule.id}?at=2026-03-31`);
    expect(march.body.current.version).toBe(1);
    expect((await t.admin.get<Rule>(`/v1/appraisal-rules/${rule.id}?at=2026-04-01`)).body.current.version).toBe(2);
    expect(expectProblem(await t.admin.get(`/v1/appraisal-rules/${rule.id}?at=2025-12-31`), 404, 'NOT_FOUND').detail).toMatch(
      /no version in effect on 2025-12-31/,
    );

    // Version 1 is as it was written.
    const one = await t.admin.get<Rule['current']>(`/v1/appraisal-rules/${rule.id}/versions/1`);
    expect(one.body.categories.map((c) => c.weight)).toEqual([60, 40]);
    expectProblem(await t.admin.get(`/v1/appraisal-rules/${rule.id}/versions/9`), 404, 'NOT_FOUND');

    // A version may not start before the newest one.
    const early = await t.admin.post(`/v1/appraisal-rules/${rule.id}/versions`, { ...reweighted, effectiveFrom: '2026-03-01' });
    expect(expectProblem(early, 422, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/effectiveFrom' }),
    ]);
  });

  it('refuses a rule that cannot be scored, with a pointer to each problem', async () => {
    const t = await createTenant();
    const bad = body();
    bad.categories[0] = { ...bad.categories[0], weight: 50 } as (typeof bad.categories)[number];
    (bad.categories[1] as { metrics: { metric: string }[] }).metrics[0] = {
      ...(bad.categories[1] as { metrics: Record<string, unknown>[] }).metrics[0],
      metric: 'noSuchMetric',
    } as { metric: string };
    const res = await t.admin.post('/v1/appraisal-rules', bad);
    const pointers = (expectProblem(res, 422, 'VALIDATION_FAILED').errors ?? []).map((i) => i.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/categories', '/categories/1/metrics/0/metric']));
    // The shape, too: a date that is not one, an unknown field.
    const shape = await t.admin.post('/v1/appraisal-rules', { ...body(), effectiveFrom: '2026-02-30', color: 'red' });
    const issues = (expectProblem(shape, 422, 'VALIDATION_FAILED').errors ?? []).map((i) => i.pointer);
    expect(issues).toEqual(expect.arrayContaining(['/effectiveFrom']));
    // A team of another tenant is unknown here.
    const other = await createTenant();
    const theirs = await createTeam(other);
    expectProblem(await t.admin.post('/v1/appraisal-rules', body({ teamId: theirs.id })), 422, 'VALIDATION_FAILED');
    expect((await t.admin.get<{ data: unknown[] }>('/v1/appraisal-rules')).body.data).toEqual([]);
  });

  it('keeps names unique, archives on delete, and is another tenant’s 404', async () => {
    const t = await createTenant();
    const rule = await create(t);
    expectProblem(await t.admin.post('/v1/appraisal-rules', body({ name: rule.name })), 409, 'CONFLICT');
    const other = await createTenant();
    expectProblem(await other.admin.get(`/v1/appraisal-rules/${rule.id}`), 404, 'NOT_FOUND');
    expect((await t.admin.delete(`/v1/appraisal-rules/${rule.id}`)).body).toEqual({ id: rule.id, outcome: 'archived' });
    expectProblem(await t.admin.get(`/v1/appraisal-rules/${rule.id}`), 404, 'NOT_FOUND');
    // The name is free again once the rule is archived.
    await create(t, { name: rule.name });
  });

  it('a read key sees rules but cannot change them or read the audit log', async () => {
    const t = await createTenant();
    const rule = await create(t);
    const reader = (await createKey(t, { scopes: ['read'] })).client;
    expect((await reader.get(`/v1/appraisal-rules/${rule.id}`)).status).toBe(200);
    expectProblem(await reader.post('/v1/appraisal-rules', body()), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await reader.get('/v1/audit-log'), 403, 'INSUFFICIENT_SCOPE');
  });

  it('logs every change with the key that made it, newest first', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const rule = await create(t);
    const { name: _name, ...next } = body();
    await t.admin.post(`/v1/appraisal-rules/${rule.id}/versions`, { ...next, effectiveFrom: '2026-02-01' });
    const renamed = await t.admin.patch(`/v1/appraisal-rules/${rule.id}`, { name: 'Renamed', teamId: team.id });
    expect(renamed.status, renamed.text).toBe(200);
    await t.admin.delete(`/v1/appraisal-rules/${rule.id}`);
    // Not logged: a change that changes nothing.
    const log = await t.admin.get<{
      data: { action: string; actor: string; resourceId: string; details: Record<string, unknown> }[];
    }>(`/v1/audit-log?resourceType=appraisal_rule&resourceId=${rule.id}`);
    expect(log.status, log.text).toBe(200);
    expect(log.body.data.map((e) => e.action)).toEqual([
      'appraisal_rule.deleted',
      'appraisal_rule.updated',
      'appraisal_rule.version_added',
      'appraisal_rule.created',
    ]);
    expect(new Set(log.body.data.map((e) => e.actor))).toEqual(new Set([t.created.apiKey.id]));
    expect(log.body.data[1]?.details).toEqual({
      before: { name: rule.name, teamId: null },
      after: { name: 'Renamed', teamId: team.id },
    });
    expect(log.body.data[2]?.details).toEqual({ version: 2, effectiveFrom: '2026-02-01' });
    // Pages of one, newest first, until the end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { action: string }[]; nextCursor: string | null } } = await t.admin.get(
        `/v1/audit-log?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.data.map((e) => e.action));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(log.body.data.map((e) => e.action));
    // Another tenant's log is its own.
    expect((await (await createTenant()).admin.get<{ data: unknown[] }>('/v1/audit-log')).body.data).toEqual([]);
  });
});
