import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { handledCall as handled, PAST_T0, sendEvents, settle } from './helpers/ingest';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = day(PAST_T0);
const NEXT_DAY = day(PAST_T0 + 86_400_000);

type Target = { id: string; level: string; value: number };

async function target(t: TestTenant, body: Record<string, unknown>): Promise<Target> {
  const res = await t.admin.post<Target>('/v1/targets', { metric: 'agentAht', validFrom: '2026-01-01', ...body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('KPI targets', () => {
  it('cascade: an agent has its own target, else its team’s, else the centre’s — each for its days', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const [own, member, loner] = await Promise.all([
      createAgent(t, { teamId: team.id }),
      createAgent(t, { teamId: team.id }),
      createAgent(t),
    ]);
    const center = await target(t, { value: 300_000, validTo: '2026-07-01' });
    const teamTarget = await target(t, { teamId: team.id, value: 280_000 });
    const agentTarget = await target(t, { agentId: own.id, value: 250_000 });
    expect([center.level, teamTarget.level, agentTarget.level]).toEqual(['center', 'team', 'agent']);

    const effective = async (agentId: string, date: string) =>
      (
        await t.admin.get<{ value: number | null; from: string | null; targetId: string | null }>(
          `/v1/targets/effective?metric=agentAht&agentId=${agentId}&date=${date}`,
        )
      ).body;
    expect(await effective(own.id, '2026-03-01')).toMatchObject({ value: 250_000, from: 'agent', targetId: agentTarget.id });
    expect(await effective(member.id, '2026-03-01')).toMatchObject({ value: 280_000, from: 'team', targetId: teamTarget.id });
    expect(await effective(loner.id, '2026-03-01')).toMatchObject({ value: 300_000, from: 'center', targetId: center.id });
    // The centre's target ended on 1 July; before 2026 none had begun.
    expect(await effective(loner.id, '2026-07-01')).toMatchObject({ value: null, from: null, targetId: null });
    expect(await effective(own.id, '2025-12-31')).toMatchObject({ value: null, from: null });

    // Listing what is in effect on a day.
    const july = await t.admin.get<{ data: Target[] }>('/v1/targets?metric=agentAht&at=2026-07-01');
    expect(july.body.data.map((x) => x.id).sort()).toEqual([teamTarget.id, agentTarget.id].sort());
  });

  it('one target per metric and people at a time; refuses what cannot be a target, with pointers', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const agent = await createAgent(t, { teamId: team.id });
    const first = await target(t, { teamId: team.id, value: 280_000, validFrom: '2026-01-01', validTo: '2026-04-01' });
    const overlap = await t.admin.post('/v1/targets', { metric: 'agentAht', teamId: team.id, value: 1, validFrom: '2026-03-01' });
    expect(expectProblem(overlap, 409, 'TARGET_OVERLAPS').errors?.[0]?.pointer).toBe('/validFrom');
    // The next quarter, right after, is fine; so is the same days for another team or the centre.
    await target(t, { teamId: team.id, value: 270_000, validFrom: '2026-04-01' });
    await target(t, { value: 300_000, validFrom: '2026-01-01' });

    const pointers = async (body: Record<string, unknown>) =>
      (
        expectProblem(
          await t.admin.post('/v1/targets', { metric: 'agentAht', value: 1, validFrom: '2026-01-01', ...body }),
          422,
          'VALIDATION_FAILED',
        ).errors ?? []
      ).map((e) => e.pointer);
    expect(await pointers({ metric: 'noSuchMetric' })).toEqual(['/metric']);
    expect(await pointers({ teamId: team.id, agentId: agent.id })).toEqual(['/teamId']);
    expect(await pointers({ validTo: '2026-01-01' })).toEqual(['/validTo']);
    expect(await pointers({ validFrom: '2026-13-01' })).toEqual(['/validFrom']);
    // Another tenant's team does not exist here.
    const other = await createTeam(await createTenant());
    expect(await pointers({ teamId: other.id })).toEqual(['/teamId']);

    // Changes and deletion are in the audit log.
    const patched = await t.admin.patch<Target>(`/v1/targets/${first.id}`, { value: 275_000 });
    expect(patched.body.value).toBe(275_000);
    expect((await t.admin.delete(`/v1/targets/${first.id}`)).body).toEqual({ id: first.id, outcome: 'deleted' });
    expectProblem(await t.admin.get(`/v1/targets/${first.id}`), 404, 'NOT_FOUND');
    const log = await t.admin.get<{ data: { action: string; details: Record<string, unknown> }[] }>(
      `/v1/audit-log?resourceType=target&resourceId=${first.id}`,
    );
    expect(log.body.data.map((e) => e.action)).toEqual(['target.deleted', 'target.updated', 'target.created']);
    expect(log.body.data[1]?.details).toEqual({ before: { value: 280_000 }, after: { value: 275_000 } });
  });

  it('suggests next targets from a past period: the agents’ average, 10 % easier, rounded to 5 s', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const [north, south] = [await createTeam(t), await createTeam(t)];
    const a = await createAgent(t, { teamId: north.id });
    const b = await createAgent(t, { teamId: north.id });
    const c = await createAgent(t, { teamId: south.id });
    // a: 100 s and 120 s (110 s); b: 200 s; c: 301 s.
    await sendEvents(t.admin, [
      ...handled(q.id, a.id, 0, 100),
      ...handled(q.id, a.id, 600, 120),
      ...handled(q.id, b.id, 1200, 200),
      ...handled(q.id, c.id, 1800, 301),
    ]);
    await settle(t);
    const res = await t.admin.post<{
      suggestions: { teamId: string | null; agents: number; average: number; suggested: number }[];
    }>('/v1/targets/suggest', { metric: 'agentAht', from: DAY, to: NEXT_DAY });
    expect(res.status, res.text).toBe(200);
    const byTeam = new Map(res.body.suggestions.map((s) => [s.teamId, s]));
    // North: (110 + 200) / 2 = 155 s → 170.5 s → 175 s (lower is better: rounded up, the easier side).
    expect(byTeam.get(north.id)).toEqual({ teamId: north.id, agents: 2, average: 155_000, suggested: 175_000 });
    // South: 301 s → 331.1 s → 335 s.
    expect(byTeam.get(south.id)).toEqual({ teamId: south.id, agents: 1, average: 301_000, suggested: 335_000 });
    // The centre: each agent once, (110 + 200 + 301) / 3 = 203.67 s → 224.03 s → 225 s.
    expect(byTeam.get(null)?.agents).toBe(3);
    expect(byTeam.get(null)?.average).toBeCloseTo(203_666.67, 1);
    expect(byTeam.get(null)?.suggested).toBe(225_000);
    // The review of targets set for that day, each over the agents it applies to: north's 150 s only to a (b has its
    // own), who met it (110 s); b's own 100 s, missed (200 s); the centre's 400 s only to c (south has none), met.
    const northTarget = await target(t, { teamId: north.id, value: 150_000, validFrom: DAY });
    const bTarget = await target(t, { agentId: b.id, value: 100_000, validFrom: DAY });
    const centerTarget = await target(t, { value: 400_000, validFrom: DAY });
    const review = await t.admin.get<{ reviews: { targetId: string; of: number; met: number; verdict: string }[] }>(
      `/v1/targets/review?metric=agentAht&from=${DAY}&to=${NEXT_DAY}`,
    );
    expect(review.status, review.text).toBe(200);
    const verdicts = new Map(review.body.reviews.map((r) => [r.targetId, [r.met, r.of, r.verdict]]));
    expect(verdicts).toEqual(
      new Map([
        [northTarget.id, [1, 1, 'too_easy']],
        [bTarget.id, [0, 1, 'too_hard']],
        [centerTarget.id, [1, 1, 'too_easy']],
      ]),
    );
    // GET /v1/kpis puts each value's target beside it: per agent by the cascade, the centre's for the whole.
    type Cell = { value: number; target: number | null; targetFrom: string | null; gap: number | null; met: boolean | null };
    const kpis = await t.admin.get<{ rows: { group: Record<string, string>; metrics: Record<string, Cell> }[] }>(
      `/v1/kpis?metrics=agentAht,handled&from=${DAY}T00:00:00Z&to=${NEXT_DAY}T00:00:00Z&groupBy=agent&targets=true`,
    );
    expect(kpis.status, kpis.text).toBe(200);
    const cell = (agentId: string) => kpis.body.rows.find((r) => r.group.agentId === agentId)?.metrics.agentAht;
    expect(cell(a.id)).toMatchObject({ value: 110_000, target: 150_000, targetFrom: 'team', gap: -40_000, met: true });
    expect(cell(b.id)).toMatchObject({ value: 200_000, target: 100_000, targetFrom: 'agent', gap: 100_000, met: false });
    expect(cell(c.id)).toMatchObject({ value: 301_000, target: 400_000, targetFrom: 'center', gap: -99_000, met: true });
    // A metric without a target has none; without `targets=true` nothing is added.
    expect(kpis.body.rows[0]?.metrics.handled).toMatchObject({ target: null, gap: null, met: null });
    const whole = await t.admin.get<{ rows: { metrics: Record<string, Cell> }[] }>(
      `/v1/kpis?metrics=agentAht&from=${DAY}T00:00:00Z&to=${NEXT_DAY}T00:00:00Z&targets=true`,
    );
    expect(whole.body.rows[0]?.metrics.agentAht).toMatchObject({
      value: 180_250,
      target: 400_000,
      targetFrom: 'center',
      met: true,
    });
    const plain = await t.admin.get<{ rows: { metrics: Record<string, Cell> }[] }>(
      `/v1/kpis?metrics=agentAht&from=${DAY}T00:00:00Z&to=${NEXT_DAY}T00:00:00Z`,
    );
    expect(plain.body.rows[0]?.metrics.agentAht).not.toHaveProperty('target');
    // A volume has no better side: nothing to suggest.
    const volume = await t.admin.post('/v1/targets/suggest', { metric: 'offered', from: DAY, to: NEXT_DAY });
    expect(expectProblem(volume, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/metric');
  });
});
