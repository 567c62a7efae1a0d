import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';

interface TrainingRecord {
  id: string;
  agentId: string;
  course: string;
  completedOn: string;
  hours: number;
  examScore: number | null;
  examMaxScore: number;
  createdAt: string;
  updatedAt: string;
}
type Page = { data: TrainingRecord[]; nextCursor: string | null };

describe('training records', () => {
  it('one record or a bulk, an exam or none; a record sent again with its id replaces it; all of it audited', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    const bo = await createAgent(t);

    const one = await t.admin.post<TrainingRecord>('/v1/training-records', {
      agentId: ada.id,
      course: 'Complaint handling',
      completedOn: '2026-03-02',
      hours: 3.5,
    });
    expect(one.status, one.text).toBe(201);
    expect(one.body).toMatchObject({
      agentId: ada.id,
      completedOn: '2026-03-02',
      hours: 3.5,
      examScore: null,
      examMaxScore: 100,
    });
    expect(one.body.id).toMatch(/^trn_/);
    expect(one.headers.get('Location')).toBe(`/v1/training-records/${one.body.id}`);
    expect((await t.admin.get(`/v1/training-records/${one.body.id}`)).body).toEqual(one.body);

    const bulk = await t.admin.post<{ data: TrainingRecord[] }>('/v1/training-records', {
      records: [
        {
          id: 'lms-1',
          agentId: ada.id,
          course: 'Product basics',
          completedOn: '2026-03-03',
          hours: 8,
          examScore: 42,
          examMaxScore: 50,
        },
        { id: 'lms-2', agentId: bo.id, course: 'Product basics', completedOn: '2026-03-03', hours: 8, examMaxScore: 50 },
      ],
    });
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.body.data.map((r) => [r.id, r.agentId, r.examScore, r.examMaxScore])).toEqual([
      ['lms-1', ada.id, 42, 50],
      ['lms-2', bo.id, null, 50],
    ]);

    // The same id again: replaced, not added (as one record: 200, not 201).
    const again = await t.admin.post<TrainingRecord>('/v1/training-records', {
      id: 'lms-1',
      agentId: ada.id,
      course: 'Product basics',
      completedOn: '2026-03-03',
      hours: 7,
      examScore: 45,
      examMaxScore: 50,
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ id: 'lms-1', hours: 7, examScore: 45 });
    const march = await t.admin.get<Page>('/v1/training-records?from=2026-03-01&to=2026-04-01');
    expect(march.body.data.map((r) => [r.id, r.hours])).toEqual([
      [one.body.id, 3.5],
      ['lms-1', 7],
      ['lms-2', 8],
    ]);

    const patched = await t.admin.patch<TrainingRecord>('/v1/training-records/lms-2', { examScore: 30 });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id: 'lms-2', examScore: 30, examMaxScore: 50, hours: 8 });
    // Checked as a whole: 60 is above this exam's maximum of 50, though below the default 100.
    const over = expectProblem(await t.admin.patch('/v1/training-records/lms-2', { examScore: 60 }), 422, 'VALIDATION_FAILED');
    expect(over.errors?.map((e) => e.pointer)).toEqual(['/examScore']);
    expectProblem(await t.admin.patch('/v1/training-records/lms-2', { agentId: 'agt_nobody' }), 422, 'VALIDATION_FAILED');
    expect((await t.admin.get('/v1/training-records/lms-2')).body).toMatchObject({ agentId: bo.id, examScore: 30 });

    expect((await t.admin.delete('/v1/training-records/lms-2')).body).toEqual({ id: 'lms-2', outcome: 'deleted' });
    expectProblem(await t.admin.get('/v1/training-records/lms-2'), 404, 'NOT_FOUND');
    expectProblem(await t.admin.delete('/v1/training-records/lms-2'), 404, 'NOT_FOUND');

    type Entry = { action: string; actor: string; details: Record<string, any> };
    const log = async (id: string) =>
      (await t.admin.get<{ data: Entry[] }>(`/v1/audit-log?resourceType=training_record&resourceId=${id}`)).body.data;
    const lms1 = await log('lms-1');
    expect(lms1.map((e) => e.action)).toEqual(['training_record.replaced', 'training_record.created']);
    expect(lms1[0]?.details).toMatchObject({ before: { hours: 8, examScore: 42 }, after: { hours: 7, examScore: 45 } });
    expect(lms1[0]?.actor).toBe(t.created.apiKey.id);
    const lms2 = await log('lms-2');
    expect(lms2.map((e) => e.action)).toEqual(['training_record.deleted', 'training_record.updated', 'training_record.created']);
    expect(lms2[1]?.details).toEqual({ before: { examScore: null }, after: { examScore: 30 } });
  });

  it('refuses a bulk with a pointer for each problem, and saves none of it', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    const ok = { agentId: ada.id, course: 'Listening', completedOn: '2026-03-02', hours: 2 };
    const res = await t.admin.post('/v1/training-records', {
      records: [
        { ...ok, id: 'r-0' },
        { ...ok, hours: 0 },
        { ...ok, hours: 24 * 7 + 1 },
        { ...ok, examScore: 101 },
        { ...ok, examScore: -1 },
        { ...ok, examScore: 9, examMaxScore: 8 },
        { ...ok, completedOn: '2026-02-30' },
        { ...ok, completedOn: '2099-01-01' },
        { ...ok, agentId: 'agt_nobody' },
        { ...ok, id: 'r-0' },
        { ...ok, examMaxScore: 20 },
      ],
    });
    const problem = expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.pointer).sort()).toEqual(
      [
        '/records/1/hours',
        '/records/2/hours',
        '/records/3/examScore',
        '/records/4/examScore',
        '/records/5/examScore',
        '/records/6/completedOn',
      ].sort(),
    );
    // Past the schema, the checks that need the tenant: its today, its agents, ids repeated in one request.
    const second = await t.admin.post('/v1/training-records', {
      records: [
        { ...ok, id: 'r-0' },
        { ...ok, completedOn: '2099-01-01' },
        { ...ok, agentId: 'agt_nobody' },
        { ...ok, id: 'r-0' },
        { ...ok, examMaxScore: 20 },
      ],
    });
    expect(
      expectProblem(second, 422, 'VALIDATION_FAILED')
        .errors?.map((e) => e.pointer)
        .sort(),
    ).toEqual(['/records/1/completedOn', '/records/2/agentId', '/records/3/id']);
    const single = expectProblem(
      await t.admin.post('/v1/training-records', { ...ok, agentId: 'agt_nobody' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(single.errors?.map((e) => e.pointer)).toEqual(['/agentId']);
    // A single record missing fields is told so field by field, not "neither a record nor a bulk".
    const partial = expectProblem(
      await t.admin.post('/v1/training-records', { agentId: ada.id, course: 'Listening' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(partial.errors?.map((e) => e.pointer).sort()).toEqual(['/completedOn', '/hours']);
    expectProblem(await t.admin.post('/v1/training-records', { records: [] }), 422, 'VALIDATION_FAILED');
    const tooMany = await t.admin.post('/v1/training-records', { records: Array.from({ length: 501 }, () => ok) });
    expect(expectProblem(tooMany, 422, 'VALIDATION_FAILED').errors?.map((e) => e.pointer)).toEqual(['/records']);

    const listed = await t.admin.get<Page>('/v1/training-records?from=2026-01-01&to=2027-01-01');
    expect(listed.body.data).toEqual([]);
    // The range is bounded and ordered.
    const backwards = expectProblem(
      await t.admin.get('/v1/training-records?from=2026-03-01&to=2026-03-01'),
      422,
      'VALIDATION_FAILED',
    );
    expect(backwards.errors?.[0]?.pointer).toBe('/to');
    expectProblem(await t.admin.get('/v1/training-records?from=2026-01-01&to=2027-01-03'), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get('/v1/training-records?from=2026-01-01'), 422, 'VALIDATION_FAILED');
  });

  it('lists by day, of an agent or of the agents in a team on the day (the tenant’s zone), a page at a time', async () => {
    const t = await createTenant({ settings: { timeZone: 'Europe/Prague' } });
    const [a, b] = [await createTeam(t), await createTeam(t)];
    const ada = await createAgent(t, { teamId: a.id });
    const bo = await createAgent(t, { teamId: b.id });
    // Ada moves to team B at 00:30 on 1 March in Prague — after that day began there (23:00 UTC the day before).
    const moved = await t.admin.patch(`/v1/agents/${ada.id}`, { teamId: b.id, effectiveFrom: '2026-02-28T23:30:00Z' });
    expect(moved.status, moved.text).toBe(200);
    const rec = (id: string, agentId: string, completedOn: string) => ({ id, agentId, course: 'C', completedOn, hours: 1 });
    const saved = await t.admin.post('/v1/training-records', {
      records: [
        rec('d', ada.id, '2026-03-02'),
        rec('c', ada.id, '2026-03-01'),
        rec('b', ada.id, '2026-02-28'),
        rec('e', bo.id, '2026-03-01'),
        rec('a', bo.id, '2026-03-01'),
      ],
    });
    expect(saved.status, saved.text).toBe(200);
    const ids = async (query: string) =>
      (await t.admin.get<Page>(`/v1/training-records?from=2026-02-01&to=2026-04-01${query}`)).body.data.map((r) => r.id);
    expect(await ids('')).toEqual(['b', 'a', 'c', 'e', 'd']);
    expect(await ids(`&agentId=${ada.id}`)).toEqual(['b', 'c', 'd']);
    // On 1 March Ada was still in team A when the day began in Prague.
    expect(await ids(`&teamId=${a.id}`)).toEqual(['b', 'c']);
    expect(await ids(`&teamId=${b.id}`)).toEqual(['a', 'e', 'd']);
    expect(await ids(`&teamId=${b.id}&agentId=${ada.id}`)).toEqual(['d']);
    const noTeam = expectProblem(
      await t.admin.get('/v1/training-records?from=2026-02-01&to=2026-04-01&teamId=tem_nobody'),
      422,
      'VALIDATION_FAILED',
    );
    expect(noTeam.errors?.[0]).toMatchObject({ in: 'query', pointer: '/teamId' });

    // Pages follow on from each other, ties on a day broken by id.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page } = await t.admin.get<Page>(
        `/v1/training-records?from=2026-02-01&to=2026-04-01&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['b', 'a', 'c', 'e', 'd']);
    expectProblem(
      await t.admin.get('/v1/training-records?from=2026-02-01&to=2026-04-01&cursor=bm9wZQ'),
      422,
      'VALIDATION_FAILED',
    );

    // A read key lists; it cannot write.
    const reader = await createKey(t, { scopes: ['read'] });
    expect((await reader.client.get('/v1/training-records/a')).status).toBe(200);
    expectProblem(await reader.client.post('/v1/training-records', rec('z', ada.id, '2026-03-01')), 403, 'INSUFFICIENT_SCOPE');
  });

  it("keeps tenants apart: another tenant's agents, records and ids", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const ada = await createAgent(t);
    const stranger = await createAgent(other);
    const rec = { id: 'shared-id', course: 'C', completedOn: '2026-03-02', hours: 1 };
    expect((await t.admin.post('/v1/training-records', { ...rec, agentId: ada.id })).status).toBe(201);
    // Another tenant's agent is unknown here.
    const foreign = expectProblem(
      await t.admin.post('/v1/training-records', { ...rec, id: 'x', agentId: stranger.id }),
      422,
      'VALIDATION_FAILED',
    );
    expect(foreign.errors?.map((e) => e.pointer)).toEqual(['/agentId']);
    // The same client id in another tenant is another record: it neither sees nor replaces the first.
    expectProblem(await other.admin.get('/v1/training-records/shared-id'), 404, 'NOT_FOUND');
    expectProblem(await other.admin.patch('/v1/training-records/shared-id', { hours: 2 }), 404, 'NOT_FOUND');
    expectProblem(await other.admin.delete('/v1/training-records/shared-id'), 404, 'NOT_FOUND');
    const theirs = await other.admin.post('/v1/training-records', { ...rec, agentId: stranger.id, hours: 5 });
    expect(theirs.status, theirs.text).toBe(201);
    expect((await t.admin.get('/v1/training-records/shared-id')).body).toMatchObject({ agentId: ada.id, hours: 1 });
    expect(
      (await other.admin.get<Page>('/v1/training-records?from=2026-03-01&to=2026-04-01')).body.data.map((r) => r.agentId),
    ).toEqual([stranger.id]);
    expect(
      (await t.admin.get<Page>('/v1/training-records?from=2026-03-01&to=2026-04-01')).body.data.map((r) => r.agentId),
    ).toEqual([ada.id]);
  });
});
