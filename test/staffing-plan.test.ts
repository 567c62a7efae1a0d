import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { client, expectProblem } from './helpers/api';
import { settle } from './helpers/ingest';

/**
 * GET /v1/staffing/plan end to end: three weeks of history (imported) → the forecast of a Monday → agents required
 * under the queue's policy, against the shifts of the agents who serve the queue.
 */
const ZONE = 'Europe/Prague'; // +01:00 all of November 2026
const START = Date.parse('2026-11-02T00:00:00+01:00'); // a Monday
const DAY = 86_400_000;
const PLAN_DAY = '2026-11-23'; // the Monday after the history
const local = (hhmm: string) => `${PLAN_DAY}T${hhmm}:00+01:00`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Mondays only: 3 calls per quarter hour 09:00–12:00 local, each answered after 10 s, 90 s talk + 30 s wrap-up (AHT 120 s). */
function history(): string {
  const rows = ['rowKey,queue,enqueuedAt,leftAt,outcome,agent,talkSeconds,acwSeconds'];
  for (let day = 0; day < 21; day += 7) {
    for (let q = 0; q < 12; q++) {
      for (let n = 0; n < 3; n++) {
        const joined = START + day * DAY + 9 * 3_600_000 + q * 900_000 + n * 60_000;
        rows.push(`sp-${day}-${q}-${n},sales,${iso(joined)},${iso(joined + 10_000)},answered,ada,90,30`);
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

type Row = {
  start: string;
  requiredAgents: number | null;
  requiredScheduled: number | null;
  scheduledAgents: number;
  gap: number | null;
};
type Plan = {
  policy: { thresholdSeconds: number; targetServiceLevel: number };
  forecast: { method: string; wape: number | null };
  agentsServing: number;
  intervals: (Row & { offered: { point: number }; serviceLevel: number | null; scheduledServiceLevel: number | null })[];
  totals: Record<string, number>;
};

async function setUp(): Promise<{ t: TestTenant; queueId: string; agentId: string }> {
  const t = await createTenant({ settings: { timeZone: ZONE } });
  const queue = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const ada = await createAgent(t, { queueIds: [queue.id], externalKeys: [{ provider: 'generic', key: 'ada' }] });
  const bo = await createAgent(t, { queueIds: [queue.id] });
  const cy = await createAgent(t); // serves another queue: not counted
  const imported = await t.admin.post('/v1/imports', undefined, {
    rawBody: history(),
    headers: { 'Content-Type': 'text/csv' },
  });
  expect(imported.status, imported.text).toBe(201);
  await settle(t);
  // Ada 09:00–11:00; Bo 10:00–13:00 with a break 10:30–10:45; Cy 09:00–17:00 on no queue of ours.
  const planned = await t.admin.post('/v1/schedules', {
    shifts: [
      { id: 'ada', agentId: ada.id, start: local('09:00'), end: local('11:00'), activities: [] },
      {
        id: 'bo',
        agentId: bo.id,
        start: local('10:00'),
        end: local('13:00'),
        activities: [{ type: 'break', start: local('10:30'), end: local('10:45') }],
      },
      { id: 'cy', agentId: cy.id, start: local('09:00'), end: local('17:00'), activities: [] },
    ],
  });
  expect(planned.status, planned.text).toBe(200);
  return { t, queueId: queue.id, agentId: ada.id };
}

const at = (plan: Plan, hhmm: string) => plan.intervals.find((r) => r.start === new Date(local(hhmm)).toISOString());

describe('GET /v1/staffing/plan', () => {
  it('per quarter hour: the forecast, the agents it needs for the queue’s policy, the agents scheduled, the gap', async () => {
    const { t, queueId, agentId } = await setUp();
    const res = await t.admin.get<Plan>(`/v1/staffing/plan?queueId=${queueId}&date=${PLAN_DAY}`);
    expect(res.status, res.text).toBe(200);
    const plan = res.body;
    expect(plan.intervals).toHaveLength(96);
    expect(plan).toMatchObject({
      policy: { thresholdSeconds: 20, targetServiceLevel: 0.8 },
      forecast: { method: 'seasonalNaive', wape: 0 },
      agentsServing: 2,
    });
    // 3 calls a quarter hour at 120 s is 0.4 Erlangs: one agent answers 64 % in 20 s, two 95 %.
    expect(at(plan, '09:00')).toMatchObject({ offered: { point: 3 }, requiredAgents: 2, scheduledAgents: 1, gap: -1 });
    expect(at(plan, '09:00')?.serviceLevel).toBeCloseTo(0.9489, 4);
    expect(at(plan, '09:00')?.scheduledServiceLevel).toBeCloseTo(0.6381, 4);
    expect(at(plan, '10:00')).toMatchObject({ scheduledAgents: 2, gap: 0 });
    expect(at(plan, '10:30')).toMatchObject({ scheduledAgents: 1, gap: -1 }); // Bo's break
    expect(at(plan, '11:00')).toMatchObject({ scheduledAgents: 1, gap: -1 });
    expect(at(plan, '12:00')).toMatchObject({ offered: { point: 0 }, requiredAgents: 0, scheduledAgents: 1, gap: 1 });
    expect(at(plan, '08:00')).toMatchObject({ requiredAgents: 0, scheduledAgents: 0, gap: 0 });
    expect(plan.totals).toEqual({
      offered: 36,
      requiredHours: 6,
      scheduledHours: 4.75,
      understaffedIntervals: 9,
      overstaffedIntervals: 4,
    });

    // Shrinkage: 2 productive agents are 3 to schedule at 30 %.
    const shrunk = await t.admin.get<Plan>(`/v1/staffing/plan?queueId=${queueId}&date=${PLAN_DAY}&shrinkage=0.3`);
    expect(at(shrunk.body, '09:00')).toMatchObject({ requiredAgents: 2, requiredScheduled: 3, gap: -2 });

    // CSV: a line per interval.
    const csv = await t.admin.get(`/v1/staffing/plan?queueId=${queueId}&date=${PLAN_DAY}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines).toHaveLength(97);
    expect(lines[0]).toBe(
      'start,end,offered,offeredLower,offeredUpper,ahtSeconds,holiday,requiredAgents,requiredScheduled,serviceLevel,occupancy,scheduledAgents,gap,scheduledServiceLevel',
    );
    expect(lines.find((l) => l.startsWith(new Date(local('09:00')).toISOString()))).toMatch(/,3,.*,2,2,.*,1,-1,/);

    // A team lead's key reads it; an agent's key is refused.
    const agentKey = await createKey(t, { scopes: ['read'], limit: { agentId } });
    expectProblem(await client(agentKey.key).get(`/v1/staffing/plan?queueId=${queueId}&date=${PLAN_DAY}`), 403, 'KEY_LIMITED');
  });

  it('refuses what it cannot plan, with a pointer', async () => {
    const t = await createTenant();
    const queue = await createQueue(t);
    const base = `/v1/staffing/plan?queueId=${queue.id}`;
    expectProblem(await t.admin.get(`${base}&date=2026-13-01`), 422, 'VALIDATION_FAILED');
    const erlangA = await t.admin.get(`${base}&date=${PLAN_DAY}&model=erlang-a`);
    expectProblem(erlangA, 422, 'VALIDATION_FAILED');
    expect(erlangA.text).toContain('/patienceSeconds');
    const far = await t.admin.get(`${base}&date=2030-01-01`);
    expectProblem(far, 422, 'VALIDATION_FAILED');
    expect(far.text).toContain('/date');
    expectProblem(await t.admin.get(`${base}&date=${PLAN_DAY}&shrinkage=1`), 422, 'VALIDATION_FAILED');
    expectProblem(await (await createTenant()).admin.get(`${base}&date=${PLAN_DAY}`), 404, 'NOT_FOUND');
  });
});
