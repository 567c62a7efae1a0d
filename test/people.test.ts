import { describe, expect, it } from 'vitest';
import { createAgent, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';

type Row = {
  month: string;
  group: Record<string, string | null>;
  headcountStart: number;
  headcountEnd: number;
  hires: number;
  leavers: number;
  attritionRate: { value: number | null; numerator: number; denominator: number };
};

describe('employment, headcount and attrition', () => {
  it('counts who was employed, hired and left each month, and attrition over the average headcount, per team too', async () => {
    const t = await createTenant();
    const [north, south] = [await createTeam(t), await createTeam(t)];
    const ada = await createAgent(t, { teamId: north.id, hiredOn: '2025-01-10' });
    const bo = await createAgent(t, { teamId: north.id, hiredOn: '2024-06-01' });
    await createAgent(t, { teamId: south.id, hiredOn: '2026-02-03' });
    await createAgent(t, { teamId: south.id });
    // Bo's last day is 14 February.
    const left = await t.admin.patch<{ leftOn: string }>(`/v1/agents/${bo.id}`, { leftOn: '2026-02-15' });
    expect(left.status, left.text).toBe(200);
    expect(left.body.leftOn).toBe('2026-02-15');
    expect((await t.admin.get<{ hiredOn: string }>(`/v1/agents/${ada.id}`)).body.hiredOn).toBe('2025-01-10');

    const centre = await t.admin.get<{ rows: Row[] }>('/v1/people/headcount?from=2026-01&to=2026-02');
    expect(centre.status, centre.text).toBe(200);
    expect(
      centre.body.rows.map((r) => [r.month, r.headcountStart, r.headcountEnd, r.hires, r.leavers, r.attritionRate.value]),
    ).toEqual([
      ['2026-01', 3, 3, 0, 0, 0],
      ['2026-02', 3, 3, 1, 1, 0.3333],
    ]);
    const byTeam = await t.admin.get<{ rows: Row[] }>('/v1/people/headcount?from=2026-02&to=2026-02&groupBy=team');
    const team = (id: string) => byTeam.body.rows.find((r) => r.group.teamId === id);
    expect(team(north.id)).toMatchObject({ headcountStart: 2, headcountEnd: 1, hires: 0, leavers: 1 });
    expect(team(north.id)?.attritionRate).toEqual({ value: 0.6667, numerator: 1, denominator: 1.5 });
    expect(team(south.id)).toMatchObject({ headcountStart: 1, headcountEnd: 2, hires: 1, leavers: 0 });

    // Leaving before being hired is refused, on create and on change.
    const early = await t.admin.post('/v1/agents', { name: 'Early', hiredOn: '2026-03-01', leftOn: '2026-03-01' });
    expect(expectProblem(early, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/leftOn');
    const backwards = await t.admin.patch(`/v1/agents/${ada.id}`, { leftOn: '2025-01-01' });
    expect(expectProblem(backwards, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/leftOn');
    expectProblem(await t.admin.get('/v1/people/headcount?from=2026-03&to=2026-01'), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get('/v1/people/headcount?from=2020-01&to=2026-01'), 422, 'VALIDATION_FAILED');
  });
});
