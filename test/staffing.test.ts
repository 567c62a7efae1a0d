import { describe, expect, it } from 'vitest';
import { createKey, createTeam, createTenant, type TestTenant } from './factories';
import { type ApiResponse, expectProblem } from './helpers/api';

/** A number to 4 significant digits, the precision the reference cases are held to. */
const sig4 = (x: number) => Number(x.toPrecision(4));

/** pyworkforce's traffic: 100 calls in 30 minutes, AHT 3 minutes (A = 10 Erlangs). */
const PYWORKFORCE = { arrivals: 100, intervalSeconds: 1800, ahtSeconds: 180 };

let tenant: TestTenant | undefined;
const admin = async () => {
  tenant ??= await createTenant();
  return tenant.admin;
};
const post = async (path: string, body: unknown): Promise<ApiResponse> => (await admin()).post(path, body);

function pointers(res: ApiResponse): string[] {
  return (expectProblem(res, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer);
}

describe('POST /v1/staffing/erlang-b', () => {
  it('5 Erlangs on 10 agents block 1.838 % of calls (the Erlang B table)', async () => {
    const res = await post('/v1/staffing/erlang-b', { agents: 10, erlangs: 5 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ agents: 10, erlangs: 5 });
    expect(sig4(res.body.blocking)).toBe(0.01838);
  });
});

describe('POST /v1/staffing/erlang-c', () => {
  it('M/M/2 closed form: 10 calls an hour, AHT 360 s, 2 agents → P(wait) 1/3, ASA 120 s, SL(30 s) 1 − e^(−1/12)/3', async () => {
    const res = await post('/v1/staffing/erlang-c', {
      arrivals: 10,
      intervalSeconds: 3600,
      ahtSeconds: 360,
      agents: 2,
      targetSeconds: 30,
    });
    expect(res.status, res.text).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({ model: 'erlang-c', stable: true, agents: 2, erlangs: 1, targetSeconds: 30, occupancy: 0.5 });
    expect(sig4(b.pWait)).toBe(0.3333);
    expect(sig4(b.asaSeconds)).toBe(120);
    expect(sig4(b.meanDelaySeconds)).toBe(360);
    expect(sig4(b.expectedQueueLength)).toBe(0.3333);
    expect(sig4(b.serviceLevel)).toBe(sig4(1 - Math.exp(-1 / 12) / 3));
  });

  it('pyworkforce test_erlang.py: A = 10, 14 agents, 20 s → P(wait) 0.174, SL 0.888, occupancy 0.714', async () => {
    const res = await post('/v1/staffing/erlang-c', { ...PYWORKFORCE, agents: 14, targetSeconds: 20 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.erlangs).toBeCloseTo(10, 12);
    expect(res.body.pWait).toBeCloseTo(0.174, 3);
    expect(res.body.serviceLevel).toBeCloseTo(0.888, 3);
    expect(res.body.occupancy).toBeCloseTo(0.714, 3);
  });

  it('a load at or over the agents is a 200 that says the queue is unstable, with null means (JSON has no infinity)', async () => {
    for (const agents of [9, 10]) {
      const res = await post('/v1/staffing/erlang-c', { ...PYWORKFORCE, agents, targetSeconds: 20 });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        model: 'erlang-c',
        stable: false,
        agents,
        erlangs: 10,
        targetSeconds: 20,
        pWait: 1,
        serviceLevel: 0,
        occupancy: 1,
        asaSeconds: null,
        meanDelaySeconds: null,
        expectedQueueLength: null,
      });
    }
  });
});

describe('POST /v1/staffing/erlang-a', () => {
  it('pyworkforce test_abandonment.py: A = 10, patience 300 s, 14 agents → P(wait) 0.1453, P(abandon) 0.01398, occupancy 0.7043, mean wait 4.195 s, SL(20 s) 0.9168', async () => {
    const res = await post('/v1/staffing/erlang-a', { ...PYWORKFORCE, agents: 14, targetSeconds: 20, patienceSeconds: 300 });
    expect(res.status, res.text).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({ model: 'erlang-a', stable: true, agents: 14, targetSeconds: 20 });
    expect(sig4(b.erlangs)).toBe(10);
    expect(sig4(b.pWait)).toBe(0.1453);
    expect(sig4(b.pAbandon)).toBe(0.01398);
    expect(sig4(b.occupancy)).toBe(0.7043);
    expect(sig4(b.meanWaitSeconds)).toBe(4.195);
    expect(sig4(b.serviceLevel)).toBe(0.9168);
    // The answered callers wait less on average than all callers (abandoners gave up after longer waits).
    expect(b.asaSeconds).toBeGreaterThan(0);
    expect(b.asaSeconds).toBeLessThan(b.meanWaitSeconds);
    expect(b.expectedQueueLength).toBeCloseTo(b.meanWaitSeconds * (100 / 1800), 12);
  });

  it('answers where Erlang C cannot: 10 Erlangs on 8 agents settle, with callers hanging up', async () => {
    const res = await post('/v1/staffing/erlang-a', { ...PYWORKFORCE, agents: 8, targetSeconds: 20, patienceSeconds: 300 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.stable).toBe(true);
    expect(res.body.pAbandon).toBeGreaterThan(0.1);
    expect(res.body.occupancy).toBeLessThanOrEqual(1);
    expect(res.body.occupancy).toBeCloseTo((10 * (1 - res.body.pAbandon)) / 8, 12);
    expect(Number.isFinite(res.body.asaSeconds)).toBe(true);
  });

  it('refuses with a pointer a queue that would hold millions of callers', async () => {
    const res = await post('/v1/staffing/erlang-a', {
      arrivals: 1_000_000,
      intervalSeconds: 900,
      ahtSeconds: 9,
      agents: 1,
      targetSeconds: 20,
      patienceSeconds: 3600,
    });
    expect(pointers(res)).toEqual(['/patienceSeconds']);
  });
});

describe('POST /v1/staffing/required-agents', () => {
  it('pyworkforce: A = 10, 80 % in 20 s → 14 agents, 20 scheduled with 30 % shrinkage; the measures at 14', async () => {
    const res = await post('/v1/staffing/required-agents', {
      ...PYWORKFORCE,
      targetSeconds: 20,
      targetServiceLevel: 0.8,
      shrinkage: 0.3,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      model: 'erlang-c',
      agents: 14,
      scheduledAgents: 20,
      shrinkage: 0.3,
      limitedBy: ['serviceLevel'],
    });
    expect(sig4(res.body.serviceLevel)).toBe(0.8884);
    expect(sig4(res.body.pWait)).toBe(0.1741);
    expect(res.body).not.toHaveProperty('pAbandon');
  });

  it('Erlang A with 300 s of patience needs 13 (SL 0.8582, 2.496 % abandon) where Erlang C needs 14', async () => {
    const res = await post('/v1/staffing/required-agents', {
      ...PYWORKFORCE,
      targetSeconds: 20,
      targetServiceLevel: 0.8,
      model: 'erlang-a',
      patienceSeconds: 300,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      model: 'erlang-a',
      agents: 13,
      scheduledAgents: 13,
      shrinkage: 0,
      limitedBy: ['serviceLevel'],
    });
    expect(sig4(res.body.serviceLevel)).toBe(0.8582);
    expect(sig4(res.body.pAbandon)).toBe(0.02496);
  });

  it('the docs’ worked example: 100 calls per 15 minutes, AHT 180 s, 80/20, max occupancy 0.85, 30 % shrinkage → 24 agents, 35 scheduled', async () => {
    const res = await post('/v1/staffing/required-agents', {
      arrivals: 100,
      intervalSeconds: 900,
      ahtSeconds: 180,
      targetSeconds: 20,
      targetServiceLevel: 0.8,
      maxOccupancy: 0.85,
      shrinkage: 0.3,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ erlangs: 20, agents: 24, scheduledAgents: 35, limitedBy: ['serviceLevel', 'occupancy'] });
    expect(sig4(res.body.serviceLevel)).toBe(0.8089);
    expect(sig4(res.body.occupancy)).toBe(0.8333);
  });

  it('an ASA or abandonment target can be the one that decides', async () => {
    const asa = await post('/v1/staffing/required-agents', {
      ...PYWORKFORCE,
      targetSeconds: 20,
      targetServiceLevel: 0.8,
      targetAsaSeconds: 5,
    });
    expect(asa.status, asa.text).toBe(200);
    expect(asa.body.limitedBy).toEqual(['asa']);
    expect(asa.body.asaSeconds).toBeLessThanOrEqual(5);
    expect(asa.body.agents).toBeGreaterThan(14);
    const abandon = await post('/v1/staffing/required-agents', {
      ...PYWORKFORCE,
      targetSeconds: 20,
      targetServiceLevel: 0.5,
      model: 'erlang-a',
      patienceSeconds: 300,
      targetAbandonRate: 0.01,
    });
    expect(abandon.status, abandon.text).toBe(200);
    expect(abandon.body.limitedBy).toEqual(['abandonRate']);
    expect(abandon.body.pAbandon).toBeLessThanOrEqual(0.01);
  });
});

describe('batches', () => {
  it('a day of 96 intervals in one call answers each as the single form does, in order', async () => {
    const day = Array.from({ length: 96 }, (_, i) => ({
      arrivals: Math.round(40 + 60 * Math.sin((Math.PI * i) / 96)),
      intervalSeconds: 900,
      ahtSeconds: 240,
      targetSeconds: 20,
      targetServiceLevel: 0.8,
      shrinkage: 0.35,
    }));
    const res = await post('/v1/staffing/required-agents/batch', { intervals: day });
    expect(res.status, res.text).toBe(200);
    expect(res.body.intervals).toHaveLength(96);
    for (const i of [0, 17, 48, 95]) {
      const one = await post('/v1/staffing/required-agents', day[i]);
      expect(res.body.intervals[i]).toEqual(one.body);
    }
    // The peak of the day (interval 48, 100 calls) needs the most agents.
    const agents = res.body.intervals.map((r: { agents: number }) => r.agents);
    expect(Math.max(...agents)).toBe(agents[48]);
  });

  it('Erlang B, C and A take batches too; an unstable interval is answered beside the others', async () => {
    const b = await post('/v1/staffing/erlang-b/batch', {
      intervals: [
        { agents: 10, erlangs: 5 },
        { agents: 1, erlangs: 0 },
      ],
    });
    expect(b.status, b.text).toBe(200);
    expect(b.body.intervals.map((r: { blocking: number }) => sig4(r.blocking))).toEqual([0.01838, 0]);
    const intervals = [9, 14].map((agents) => ({ ...PYWORKFORCE, agents, targetSeconds: 20, patienceSeconds: 300 }));
    const a = await post('/v1/staffing/erlang-a/batch', { intervals });
    expect(a.status, a.text).toBe(200);
    expect(sig4(a.body.intervals[1].pAbandon)).toBe(0.01398);
    const c = await post('/v1/staffing/erlang-c/batch', {
      intervals: intervals.map(({ patienceSeconds: _, ...rest }) => rest),
    });
    expect(c.status, c.text).toBe(200);
    expect(c.body.intervals.map((r: { stable: boolean }) => r.stable)).toEqual([false, true]);
  });

  it('a problem in one interval is a 422 pointing into the batch', async () => {
    const good = { ...PYWORKFORCE, agents: 14, targetSeconds: 20 };
    const bad = await post('/v1/staffing/erlang-c/batch', { intervals: [good, good, good, { ...good, agents: 0 }] });
    expect(pointers(bad)).toEqual(['/intervals/3/agents']);
    const tooLong = await post('/v1/staffing/erlang-a/batch', {
      intervals: [
        { ...good, patienceSeconds: 300 },
        { arrivals: 1_000_000, intervalSeconds: 900, ahtSeconds: 9, agents: 1, targetSeconds: 20, patienceSeconds: 3600 },
      ],
    });
    expect(pointers(tooLong)).toEqual(['/intervals/1/patienceSeconds']);
    expect(pointers(await post('/v1/staffing/erlang-c/batch', { intervals: [] }))).toEqual(['/intervals']);
    const tooMany = Array.from({ length: 673 }, () => good);
    expect(pointers(await post('/v1/staffing/erlang-c/batch', { intervals: tooMany }))).toEqual(['/intervals']);
  });

  it('a batch too heavy to compute at once is refused before any interval is: at most 100,000 Erlangs together', async () => {
    // 12 intervals of 9,000 Erlangs (seconds of CPU for Erlang A staffing) in one request: refused, in parts it is fine.
    const huge = { arrivals: 9000, intervalSeconds: 900, ahtSeconds: 900, targetSeconds: 20, targetServiceLevel: 0.8 };
    const heavy = await post('/v1/staffing/required-agents/batch', { intervals: Array.from({ length: 12 }, () => huge) });
    expect(pointers(heavy)).toEqual(['/intervals']);
    expect(heavy.text).toContain('108000 Erlangs');
    const part = await post('/v1/staffing/required-agents/batch', { intervals: Array.from({ length: 2 }, () => huge) });
    expect(part.status, part.text).toBe(200);
  });
});

describe('validation', () => {
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['a missing field', '/v1/staffing/erlang-c', { ...PYWORKFORCE, agents: 14 }, ['/targetSeconds']],
    ['too many agents', '/v1/staffing/erlang-c', { ...PYWORKFORCE, agents: 10_001, targetSeconds: 20 }, ['/agents']],
    ['fractional agents', '/v1/staffing/erlang-b', { agents: 2.5, erlangs: 1 }, ['/agents']],
    ['an unknown field', '/v1/staffing/erlang-b', { agents: 2, erlangs: 1, lines: 3 }, ['/lines']],
    [
      'a load over 10,000 Erlangs',
      '/v1/staffing/erlang-c',
      { arrivals: 100_000, intervalSeconds: 900, ahtSeconds: 900, agents: 10, targetSeconds: 20 },
      ['/arrivals'],
    ],
    [
      'Erlang A without patience',
      '/v1/staffing/required-agents',
      { ...PYWORKFORCE, targetSeconds: 20, targetServiceLevel: 0.8, model: 'erlang-a' },
      ['/patienceSeconds'],
    ],
    [
      'an abandonment target under Erlang C',
      '/v1/staffing/required-agents',
      { ...PYWORKFORCE, targetSeconds: 20, targetServiceLevel: 0.8, targetAbandonRate: 0.05 },
      ['/targetAbandonRate'],
    ],
    [
      'a service level of 100 % and shrinkage of 1',
      '/v1/staffing/required-agents',
      { ...PYWORKFORCE, targetSeconds: 20, targetServiceLevel: 1, shrinkage: 1 },
      ['/targetServiceLevel', '/shrinkage'],
    ],
    [
      'a negative threshold',
      '/v1/staffing/erlang-a',
      { ...PYWORKFORCE, agents: 14, targetSeconds: -1, patienceSeconds: 60 },
      ['/targetSeconds'],
    ],
  ])('refuses %s with a pointer', async (_, path, body, expected) => {
    expect(pointers(await post(path, body)).sort()).toEqual(expected.sort());
  });
});

describe('keys', () => {
  it("a team lead's key (read, limited to a team) may use the calculator: it reads no one's data", async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const lead = await createKey(t, { scopes: ['read'], limit: { teamId: team.id } });
    const res = await lead.client.post('/v1/staffing/erlang-b', { agents: 10, erlangs: 5 });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('RateLimit-Limit')).toBeTruthy();
    const ingestOnly = await createKey(t, { scopes: ['ingest'] });
    expectProblem(await ingestOnly.client.post('/v1/staffing/erlang-b', { agents: 10, erlangs: 5 }), 403, 'INSUFFICIENT_SCOPE');
  });
});
