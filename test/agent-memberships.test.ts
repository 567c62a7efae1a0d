import { describe, expect, it } from 'vitest';
import { createAgent, createSite, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';

const MAR_1 = '2026-03-01T00:00:00.000Z';
const APR_1 = '2026-04-01T00:00:00.000Z';

describe('agent memberships (teams and sites over time)', () => {
  it('a move effective 1 March leaves the time before it with the old team; the site keeps its own history', async () => {
    const t = await createTenant();
    const [a, b] = [await createTeam(t), await createTeam(t)];
    const [x, y] = [await createSite(t), await createSite(t)];
    const agent = await createAgent(t, { teamId: a.id, siteId: x.id });
    expect((await t.admin.get(`/v1/agents/${agent.id}/memberships`)).body).toEqual({
      agentId: agent.id,
      periods: [{ from: null, to: null, teamId: a.id, siteId: x.id }],
    });

    const moved = await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: b.id, effectiveFrom: '2026-03-01T01:00:00+01:00' });
    expect(moved.status).toBe(200);
    expect(moved.body.teamId).toBe(b.id);
    await t.admin.patch(`/v1/agents/${agent.id}`, { siteId: y.id, effectiveFrom: APR_1 });
    expect((await t.admin.get(`/v1/agents/${agent.id}/memberships`)).body.periods).toEqual([
      { from: null, to: MAR_1, teamId: a.id, siteId: x.id },
      { from: MAR_1, to: APR_1, teamId: b.id, siteId: x.id },
      { from: APR_1, to: null, teamId: b.id, siteId: y.id },
    ]);
  });

  it('a move without effectiveFrom starts now; a patch that moves nothing leaves the periods alone', async () => {
    const t = await createTenant();
    const [a, b] = [await createTeam(t), await createTeam(t)];
    const agent = await createAgent(t, { teamId: a.id });
    const before = Date.now();
    await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: b.id });
    await t.admin.patch(`/v1/agents/${agent.id}`, { name: 'Renamed' });
    const periods = (await t.admin.get(`/v1/agents/${agent.id}/memberships`)).body.periods;
    expect(periods).toHaveLength(2);
    expect(periods[0]).toMatchObject({ from: null, teamId: a.id });
    expect(Date.parse(periods[1].from)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(periods[1].from)).toBeLessThanOrEqual(Date.now());
    expect(periods[1]).toMatchObject({ to: null, teamId: b.id });
  });

  it('effectiveFrom needs a team or site, and cannot be in the future (nothing is changed)', async () => {
    const t = await createTenant();
    const [a, b] = [await createTeam(t), await createTeam(t)];
    const agent = await createAgent(t, { teamId: a.id });
    const alone = expectProblem(
      await t.admin.patch(`/v1/agents/${agent.id}`, { name: 'X', effectiveFrom: MAR_1 }),
      422,
      'VALIDATION_FAILED',
    );
    expect(alone.errors).toEqual([expect.objectContaining({ pointer: '/effectiveFrom' })]);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const later = expectProblem(
      await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: b.id, effectiveFrom: future }),
      422,
      'VALIDATION_FAILED',
    );
    expect(later.errors).toEqual([expect.objectContaining({ pointer: '/effectiveFrom' })]);
    expect((await t.admin.get(`/v1/agents/${agent.id}`)).body).toMatchObject({ name: agent.name, teamId: a.id });
    expect((await t.admin.get(`/v1/agents/${agent.id}/memberships`)).body.periods).toEqual([
      { from: null, to: null, teamId: a.id, siteId: null },
    ]);
    expectProblem(
      await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: b.id, effectiveFrom: 'yesterday' }),
      422,
      'VALIDATION_FAILED',
    );
  });

  it("another tenant's agent is a 404; a team that only history names is archived, not deleted", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const [a, b] = [await createTeam(t), await createTeam(t)];
    const agent = await createAgent(t, { teamId: a.id });
    expectProblem(await other.admin.get(`/v1/agents/${agent.id}/memberships`), 404, 'NOT_FOUND');
    await t.admin.patch(`/v1/agents/${agent.id}`, { teamId: b.id, effectiveFrom: MAR_1 });
    expect((await t.admin.delete(`/v1/teams/${a.id}`)).body.outcome).toBe('archived');
    const unused = await createTeam(t);
    expect((await t.admin.delete(`/v1/teams/${unused.id}`)).body.outcome).toBe('deleted');
  });
});
