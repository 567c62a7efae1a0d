import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LEVEL } from '../src/domain/settings';
import { createAgent, createQueue, createSite, createTeam, createTenant } from './factories';
import { type ApiResponse, expectProblem } from './helpers/api';

describe('sites', () => {
  it('create, get, patch, list, delete', async () => {
    const t = await createTenant();
    const created = await t.admin.post('/v1/sites', { name: '  Prague  ', timeZone: 'Europe/Prague' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Prague', timeZone: 'Europe/Prague', archivedAt: null });
    expect(created.headers.get('Location')).toBe(`/v1/sites/${created.body.id}`);
    const id = created.body.id;
    expect((await t.admin.get(`/v1/sites/${id}`)).body).toEqual(created.body);
    const patched = await t.admin.patch(`/v1/sites/${id}`, { timeZone: null });
    expect(patched.body).toMatchObject({ name: 'Prague', timeZone: null });
    expect(patched.body.updatedAt >= created.body.updatedAt).toBe(true);
    expect((await t.admin.get('/v1/sites')).body).toEqual({ data: [patched.body], nextCursor: null });
    expect((await t.admin.delete(`/v1/sites/${id}`)).body).toEqual({ id, outcome: 'deleted' });
    expectProblem(await t.admin.get(`/v1/sites/${id}`), 404, 'NOT_FOUND');
  });

  it('names are unique among live sites: 409 with a pointer', async () => {
    const t = await createTenant();
    await createSite(t, { name: 'Brno' });
    const conflict = expectProblem(await t.admin.post('/v1/sites', { name: 'Brno' }), 409, 'CONFLICT');
    expect(conflict.errors).toEqual([expect.objectContaining({ pointer: '/name' })]);
    // Another tenant may use the same name.
    const other = await createTenant();
    expect((await other.admin.post('/v1/sites', { name: 'Brno' })).status).toBe(201);
  });
});

describe('teams', () => {
  it('reference a site of the tenant; a site with teams is archived, not deleted', async () => {
    const t = await createTenant();
    const site = await createSite(t);
    const team = await createTeam(t, { siteId: site.id });
    expect(team.siteId).toBe(site.id);

    const archived = await t.admin.delete(`/v1/sites/${site.id}`);
    expect(archived.body).toEqual({ id: site.id, outcome: 'archived' });
    const got = await t.admin.get(`/v1/sites/${site.id}`);
    expect(got.body.archivedAt).not.toBeNull();
    expect((await t.admin.get('/v1/sites')).body.data).toHaveLength(0);
    expect((await t.admin.get('/v1/sites?includeArchived=true')).body.data).toHaveLength(1);
    expect((await t.admin.get(`/v1/teams/${team.id}`)).body.siteId).toBe(site.id);
    // An archived site can no longer be referenced or changed; deleting again is harmless.
    const ref = expectProblem(await t.admin.post('/v1/teams', { name: 'New', siteId: site.id }), 422, 'VALIDATION_FAILED');
    expect(ref.errors).toEqual([expect.objectContaining({ pointer: '/siteId', detail: expect.stringContaining('archived') })]);
    expectProblem(await t.admin.patch(`/v1/sites/${site.id}`, { name: 'x' }), 409, 'RESOURCE_ARCHIVED');
    expect((await t.admin.delete(`/v1/sites/${site.id}`)).body.outcome).toBe('archived');
    // Its name is free again.
    expect((await t.admin.post('/v1/sites', { name: got.body.name })).status).toBe(201);
  });

  it('rename and move between sites', async () => {
    const t = await createTenant();
    const [a, b] = [await createSite(t), await createSite(t)];
    const team = await createTeam(t, { name: 'Tier 1', siteId: a.id });
    const moved = await t.admin.patch(`/v1/teams/${team.id}`, { name: 'Tier 2', siteId: b.id });
    expect(moved.body).toMatchObject({ id: team.id, name: 'Tier 2', siteId: b.id });
    const detached = await t.admin.patch(`/v1/teams/${team.id}`, { siteId: null });
    expect(detached.body).toMatchObject({ name: 'Tier 2', siteId: null });
    expect((await t.admin.get(`/v1/teams/${team.id}`)).body).toEqual(detached.body);
    expect((await t.admin.delete(`/v1/teams/${team.id}`)).body.outcome).toBe('deleted');
  });

  it("refuse another tenant's site and unknown ids (422, nothing written)", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const foreign = await createSite(other);
    const res = expectProblem(await t.admin.post('/v1/teams', { name: 'T', siteId: foreign.id }), 422, 'VALIDATION_FAILED');
    expect(res.errors).toEqual([
      { in: 'body', pointer: '/siteId', detail: `No site with id '${foreign.id}' exists in this tenant.` },
    ]);
    expect((await t.admin.get('/v1/teams')).body.data).toHaveLength(0);
  });
});

describe('queues', () => {
  it('carry a service-level override merged over the tenant policy', async () => {
    const t = await createTenant();
    const q = await createQueue(t, { serviceLevel: { thresholdSeconds: 30 } });
    expect(q.serviceLevel).toEqual({ thresholdSeconds: 30 });
    expect(q.effectiveServiceLevel).toEqual({ ...DEFAULT_SERVICE_LEVEL, thresholdSeconds: 30 });

    const patched = await t.admin.patch(`/v1/queues/${q.id}`, { serviceLevel: { targetPercent: 90, thresholdSeconds: null } });
    expect(patched.body.serviceLevel).toEqual({ targetPercent: 90 });
    expect(patched.body.effectiveServiceLevel).toEqual({ ...DEFAULT_SERVICE_LEVEL, targetPercent: 90 });

    // A tenant policy change shows through where the queue does not override it.
    await t.admin.patch('/v1/settings', { serviceLevel: { thresholdSeconds: 15, targetPercent: 70 } });
    const after = await t.admin.get(`/v1/queues/${q.id}`);
    expect(after.body.effectiveServiceLevel).toMatchObject({ thresholdSeconds: 15, targetPercent: 90 });

    const cleared = await t.admin.patch(`/v1/queues/${q.id}`, { serviceLevel: null });
    expect(cleared.body.serviceLevel).toBeNull();
    expect(cleared.body.effectiveServiceLevel).toMatchObject({ thresholdSeconds: 15, targetPercent: 70 });
  });

  it('own their external keys, unique per provider within the tenant', async () => {
    const t = await createTenant();
    const a = await createQueue(t, {
      externalKeys: [
        { provider: 'twilio', key: 'WQ1' },
        { provider: 'asterisk', key: 'sales' },
      ],
    });
    expect(a.externalKeys).toEqual([
      { provider: 'asterisk', key: 'sales' },
      { provider: 'twilio', key: 'WQ1' },
    ]);
    const clash = expectProblem(
      await t.admin.post('/v1/queues', {
        name: 'B',
        externalKeys: [
          { provider: 'generic', key: 'x' },
          { provider: 'twilio', key: 'WQ1' },
        ],
      }),
      409,
      'CONFLICT',
    );
    expect(clash.errors).toEqual([
      expect.objectContaining({ pointer: '/externalKeys/1', detail: expect.stringContaining(a.id) }),
    ]);
    expect((await t.admin.get('/v1/queues')).body.data).toHaveLength(1); // nothing half-written
    // The same key under another provider is another key.
    const b = await createQueue(t, { externalKeys: [{ provider: 'telnyx', key: 'WQ1' }] });
    const dup = expectProblem(
      await t.admin.patch(`/v1/queues/${b.id}`, {
        externalKeys: [
          { provider: 'telnyx', key: 'Z' },
          { provider: 'telnyx', key: 'Z' },
        ],
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(dup.errors).toEqual([expect.objectContaining({ pointer: '/externalKeys/1' })]);
    const replaced = await t.admin.patch(`/v1/queues/${b.id}`, { externalKeys: [] });
    expect(replaced.body.externalKeys).toEqual([]);
  });

  it('deleting a queue drops agent memberships with it', async () => {
    const t = await createTenant();
    const q1 = await createQueue(t);
    const q2 = await createQueue(t);
    const agent = await createAgent(t, { queueIds: [q1.id, q2.id] });
    expect((await t.admin.delete(`/v1/queues/${q1.id}`)).body.outcome).toBe('deleted');
    expect((await t.admin.get(`/v1/agents/${agent.id}`)).body.queueIds).toEqual([q2.id]);
  });
});

describe('agents', () => {
  it('belong to a team and a site, serve queues, and carry external keys', async () => {
    const t = await createTenant();
    const site = await createSite(t);
    const team = await createTeam(t, { siteId: site.id });
    const [q1, q2] = [await createQueue(t), await createQueue(t)];
    const agent = await createAgent(t, {
      email: 'Ada@Example.com',
      teamId: team.id,
      siteId: site.id,
      queueIds: [q2.id, q1.id],
      externalKeys: [{ provider: 'twilio', key: 'WK123' }],
    });
    expect(agent).toMatchObject({
      email: 'Ada@Example.com',
      teamId: team.id,
      siteId: site.id,
      externalKeys: [{ provider: 'twilio', key: 'WK123' }],
    });
    expect(agent.queueIds).toEqual([q1.id, q2.id].sort());

    const moved = await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: null, queueIds: [q1.id] });
    expect(moved.body).toMatchObject({
      teamId: null,
      siteId: site.id,
      queueIds: [q1.id],
      externalKeys: [{ provider: 'twilio', key: 'WK123' }],
    });

    const sameEmail = expectProblem(
      await t.admin.post('/v1/agents', { name: 'Other', email: 'ada@example.COM' }),
      409,
      'CONFLICT',
    );
    expect(sameEmail.errors).toEqual([expect.objectContaining({ pointer: '/email' })]);
  });

  it('report each unknown referenced id by pointer', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const other = await createTenant();
    const foreignQueue = await createQueue(other);
    const res = expectProblem(
      await t.admin.post('/v1/agents', { name: 'A', teamId: 'tem_missing', queueIds: [q.id, foreignQueue.id] }),
      422,
      'VALIDATION_FAILED',
    );
    expect(res.errors?.map((e) => e.pointer).sort()).toEqual(['/queueIds/1', '/teamId']);
    expect((await t.admin.get('/v1/agents')).body.data).toHaveLength(0);
  });

  it('a team with agents is archived on delete; a deleted agent frees its external keys', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const q = await createQueue(t);
    const agent = await createAgent(t, {
      teamId: team.id,
      queueIds: [q.id],
      externalKeys: [{ provider: 'generic', key: 'a-1' }],
    });
    expect((await t.admin.delete(`/v1/teams/${team.id}`)).body.outcome).toBe('archived');
    expect((await t.admin.delete(`/v1/agents/${agent.id}`)).body.outcome).toBe('deleted');
    expect((await t.admin.delete(`/v1/teams/${team.id}`)).body.outcome).toBe('archived');
    expect((await t.admin.post('/v1/agents', { name: 'B', externalKeys: [{ provider: 'generic', key: 'a-1' }] })).status).toBe(
      201,
    );
  });
});

describe('lists', () => {
  it('page with opaque cursors, oldest first, without gaps or repeats', async () => {
    const t = await createTenant();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createTeam(t, { name: `Team ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await t.admin.get(`/v1/teams?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((x: { id: string }) => x.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);
  });
});
