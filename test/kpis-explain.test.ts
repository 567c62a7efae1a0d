import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { callId } from './helpers/ingest';
import { DAY, ingestAll, iso, t, visitEvents } from './helpers/kpi-calls';

// Monday 2 November 2026, in the past for every run of this suite.

type Row = { start: string; end: string; group: Record<string, string | null>; metrics: Record<string, Cell> };
type Cell = { value: number | null; numerator: number; denominator: number | null };
type Item = Record<string, unknown> & { inNumerator: boolean; inDenominator: boolean; reason: string };

const get = (tenant: TestTenant, path: string, params: Record<string, string>) =>
  tenant.admin.get(`${path}?${new URLSearchParams(params).toString()}`);

/** The rows of GET /v1/kpis for one day. */
async function rows(tenant: TestTenant, params: Record<string, string>): Promise<Row[]> {
  const res = await get(tenant, '/v1/kpis', { from: iso(DAY), to: iso(DAY + 86_400_000), ...params });
  expect(res.status, res.text).toBe(200);
  return res.body.rows;
}

/** Explains one metric of a row, with its period and its group as filters. */
const explain = (tenant: TestTenant, metric: string, row: Row, params: Record<string, string> = {}) =>
  get(tenant, '/v1/kpis/explain', {
    metric,
    start: row.start,
    end: row.end,
    // A row of agents in no team (or at no site) is asked for with an empty id.
    ...Object.fromEntries(Object.entries(row.group).map(([k, v]) => [k, v ?? ''])),
    ...params,
  });

/** The cell's numbers agree with the row's, and the items (the whole cell, on one page) add up to them. */
function expectSameCell(
  body: { value: number | null; numerator: number; denominator: number | null; items: Item[] },
  cell: Cell,
) {
  expect({ value: body.value, numerator: body.numerator, denominator: body.denominator }).toEqual({
    value: cell.value,
    numerator: cell.numerator,
    denominator: cell.denominator,
  });
}

describe('GET /v1/kpis/explain', () => {
  it('service level: the cell of GET /v1/kpis, and the calls that met, missed or were left out, each saying why', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 10, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 60), 20, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 120), 20.001, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 180), 24.3, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 240), 3, 'abandoned'), // short (≤ 5 s): excluded
      ...visitEvents(q.id, t(0, 300), 8, 'abandoned'),
      ...visitEvents(q.id, t(0, 360), 30, 'timeout'),
    ]);
    const metrics = 'serviceLevel,abandonRate,asa,avgAbandonTime,shortAbandons,offered,maxWait';
    const [row] = await rows(tenant, { metrics, interval: 'day', groupBy: 'queue' });
    if (!row) throw new Error('no row');
    expect(row.metrics.serviceLevel).toMatchObject({ numerator: 2, denominator: 6 });

    const res = await explain(tenant, 'serviceLevel', row);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      metric: 'serviceLevel',
      start: iso(DAY),
      end: iso(DAY + 86_400_000),
      group: { queueId: q.id },
      policy: { thresholdSeconds: 20, shortAbandonSeconds: 5, excludeShortAbandons: true, csatSatisfiedScore: null },
      unit: 'ratio',
      records: 'visit',
      nextCursor: null,
    });
    expectSameCell(res.body, row.metrics.serviceLevel as Cell);
    const items = res.body.items as Item[];
    expect(items.map((i) => [i.waitMs, i.outcome, i.inNumerator, i.inDenominator, i.reason])).toEqual([
      [10_000, 'answered', true, true, 'answered after 10 s ≤ T=20 s: met'],
      [20_000, 'answered', true, true, 'answered after 20 s ≤ T=20 s: met'],
      [20_001, 'answered', false, true, 'answered after 20.001 s > T=20 s: not met'],
      [24_300, 'answered', false, true, 'answered after 24.3 s > T=20 s: not met'],
      [3_000, 'abandoned', false, false, 'abandoned after 3 s ≤ 5 s: short abandon, excluded'],
      [8_000, 'abandoned', false, true, 'abandoned after 8 s: in the denominator, not met'],
      [30_000, 'timeout', false, true, 'flowed out (timeout) after 30 s: in the denominator, not met'],
    ]);
    expect(items[0]).toMatchObject({
      kind: 'visit',
      queueId: q.id,
      agentId: ada.id,
      enqueuedAt: iso(t(0, 0)),
      adds: { numerator: 1, denominator: 1 },
    });
    expect(typeof items[0]?.visitId).toBe('string');
    expect(typeof items[0]?.interactionId).toBe('string');

    // One side only: the misses are the denominator less the numerator.
    const part = async (p: string) =>
      ((await explain(tenant, 'serviceLevel', row, { part: p })).body.items as Item[]).map((i) => i.waitMs);
    expect(await part('numerator')).toEqual([10_000, 20_000]);
    expect(await part('denominator')).toEqual([10_000, 20_000, 20_001, 24_300, 8_000, 30_000]);
    expect(await part('excluded')).toEqual([3_000]);

    // Every other metric of the row: the same numbers as GET /v1/kpis, and the items add up to them.
    for (const id of metrics.split(',')) {
      const body = (await explain(tenant, id, row)).body;
      expectSameCell(body, row.metrics[id] as Cell);
      const inNumerator = (body.items as (Item & { adds: { numerator: number } })[]).filter((i) => i.inNumerator);
      const sum = inNumerator.reduce((n, i) => n + i.adds.numerator, 0);
      expect(id === 'maxWait' ? Math.max(0, ...inNumerator.map((i) => i.adds.numerator)) : sum, id).toBe(body.numerator);
      if (body.denominator !== null)
        expect((body.items as Item[]).filter((i) => i.inDenominator).length, id).toBe(body.denominator);
    }

    // An override of the request, as GET /v1/kpis takes it: T = 25 s meets 24.3 s too.
    const overridden = { 'serviceLevel.thresholdSeconds': '25' };
    const [row25] = await rows(tenant, { metrics: 'serviceLevel', interval: 'day', groupBy: 'queue', ...overridden });
    const at25 = await explain(tenant, 'serviceLevel', row, overridden);
    expect(at25.body.policy.thresholdSeconds).toBe(25);
    expectSameCell(at25.body, row25?.metrics.serviceLevel as Cell);
    expect(at25.body.numerator).toBe(4);
    expect((at25.body.items as Item[])[3]?.reason).toBe('answered after 24.3 s ≤ T=25 s: met');
  });

  it("a queue's own policy applies to its cell, as on a row grouped by queue", async () => {
    const tenant = await createTenant();
    const strict = await createQueue(tenant, { serviceLevel: { thresholdSeconds: 10 } });
    const ada = await createAgent(tenant);
    await ingestAll(tenant, [
      ...visitEvents(strict.id, t(0, 0), 8, 'answered', { agentId: ada.id }),
      ...visitEvents(strict.id, t(0, 60), 15, 'answered', { agentId: ada.id }),
    ]);
    const [row] = await rows(tenant, { metrics: 'serviceLevel', interval: 'day', groupBy: 'queue' });
    if (!row) throw new Error('no row');
    expect(row.metrics.serviceLevel).toMatchObject({ numerator: 1, denominator: 2 });
    const res = await explain(tenant, 'serviceLevel', row);
    expect(res.body.policy.thresholdSeconds).toBe(10);
    expectSameCell(res.body, row.metrics.serviceLevel as Cell);
    expect((res.body.items as Item[]).map((i) => i.reason)).toEqual([
      'answered after 8 s ≤ T=10 s: met',
      'answered after 15 s > T=10 s: not met',
    ]);
  });

  it('pages in a stable order with an opaque cursor; a cursor it did not issue is a 422', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    // Two visits at the same instant: the id breaks the tie.
    await ingestAll(tenant, [
      ...[0, 30, 30, 90, 120, 150, 180].flatMap((s, k) => visitEvents(q.id, t(0, s), 1 + k, 'abandoned')),
    ]);
    const [row] = await rows(tenant, { metrics: 'abandoned', interval: 'day', groupBy: 'queue' });
    if (!row) throw new Error('no row');
    const all = (await explain(tenant, 'abandoned', row, { limit: '100' })).body.items as Item[];
    expect(all).toHaveLength(7);
    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await explain(tenant, 'abandoned', row, { limit: '3', ...(cursor ? { cursor } : {}) });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((i) => i.visitId)).toEqual(all.map((i) => i.visitId));
    // In order of enqueuedAt (ISO strings of one length sort as instants), then id.
    const order = all.map((i) => `${i.enqueuedAt}|${i.visitId}`);
    expect(order).toEqual([...order].sort());

    const bad = expectProblem(await explain(tenant, 'abandoned', row, { cursor: 'not-a-cursor' }), 422, 'VALIDATION_FAILED');
    expect(bad.errors).toEqual([expect.objectContaining({ pointer: '/cursor' })]);
    const first = await explain(tenant, 'abandoned', row, { limit: '3' });
    // A cursor of visits does not continue a listing of segments.
    const other = await explain(tenant, 'aht', row, { cursor: first.body.nextCursor });
    expect(expectProblem(other, 422, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ pointer: '/cursor' })]);
  });

  it('segments and calls of an agent, and a team at the time of each call, as the rows grouped so give them', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const [red, blue] = [await createTeam(tenant), await createTeam(tenant)];
    const ada = await createAgent(tenant, { teamId: red.id });
    const bob = await createAgent(tenant, { teamId: blue.id });
    const cy = await createAgent(tenant);
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 3000), 5, 'answered', { agentId: cy.id, talkS: 400 }),
      ...visitEvents(q.id, t(0, 0), 5, 'answered', { agentId: ada.id, talkS: 100, survey: 5 }),
      ...visitEvents(q.id, t(0, 1200), 25, 'answered', { agentId: ada.id, talkS: 200, survey: 2 }),
      ...visitEvents(q.id, t(0, 1800), 5, 'answered', { agentId: bob.id, talkS: 300, survey: 4 }),
      ...visitEvents(q.id, t(0, 2400), 9, 'abandoned'),
    ]);
    const byAgent = await rows(tenant, { metrics: 'aht,csat,serviceLevel', interval: 'day', groupBy: 'agent' });
    const adaRow = byAgent.find((r) => r.group.agentId === ada.id);
    if (!adaRow) throw new Error('no row for ada');

    const aht = await explain(tenant, 'aht', adaRow);
    expect(aht.status, aht.text).toBe(200);
    expectSameCell(aht.body, adaRow.metrics.aht as Cell);
    expect(aht.body).toMatchObject({ records: 'segment', numerator: 300_000, denominator: 2 });
    expect(aht.body.items).toEqual([
      expect.objectContaining({
        kind: 'segment',
        agentId: ada.id,
        talkMs: 100_000,
        reason: 'handled: talk 100 s + hold 0 s + ACW 0 s = 100 s',
      }),
      expect.objectContaining({
        kind: 'segment',
        agentId: ada.id,
        talkMs: 200_000,
        adds: { numerator: 200_000, denominator: 1 },
      }),
    ]);

    const csat = await explain(tenant, 'csat', adaRow);
    expectSameCell(csat.body, adaRow.metrics.csat as Cell);
    expect((csat.body.items as Item[]).map((i) => [i.kind, i.agentId, i.reason])).toEqual([
      ['interaction', ada.id, 'score 5 on 1–5 ≥ 4 (top-2-box): satisfied'],
      ['interaction', ada.id, 'score 2 on 1–5 < 4 (top-2-box): not satisfied'],
    ]);

    // An agent's service level is over the calls it answered (the abandoned one is nobody's).
    const sl = await explain(tenant, 'serviceLevel', adaRow);
    expectSameCell(sl.body, adaRow.metrics.serviceLevel as Cell);
    expect((sl.body.items as Item[]).map((i) => i.waitMs)).toEqual([5_000, 25_000]);

    // Ada moves to blue at 09:15, between her two calls: red keeps the first, blue has her second and Bob's.
    expect((await tenant.admin.patch(`/v1/agents/${ada.id}`, { teamId: blue.id, effectiveFrom: iso(t(0, 900)) })).status).toBe(
      200,
    );
    const byTeam = await rows(tenant, { metrics: 'aht', interval: 'day', groupBy: 'team' });
    const talks: Record<string, unknown[]> = {};
    for (const row of byTeam) {
      const res = await explain(tenant, 'aht', row);
      expect(res.status, res.text).toBe(200);
      expectSameCell(res.body, row.metrics.aht as Cell);
      expect(res.body.group).toEqual({ teamId: row.group.teamId });
      talks[row.group.teamId ?? 'none'] = (res.body.items as Item[]).map((i) => i.talkMs);
    }
    // Cy is in no team: the row GET /v1/kpis groups as null.
    expect(talks).toEqual({ [red.id]: [100_000], [blue.id]: [200_000, 300_000], none: [400_000] });
  });

  it('agent state time: the intervals with the overlap counted in the cell', async () => {
    const tenant = await createTenant();
    const ada = await createAgent(tenant);
    const state = (at: number, s: string, reason?: string) => ({
      id: `${callId('state')}`,
      type: 'agent.state_changed',
      occurredAt: iso(at),
      agentId: ada.id,
      attrs: { state: s, ...(reason ? { reason } : {}) },
    });
    // 08:50 available, 09:10 away (lunch), 09:40 busy, 09:45 offline: the cell 09:00–10:00 holds 45 minutes logged in.
    await ingestAll(tenant, [
      state(t(0, -600), 'available'),
      state(t(0, 600), 'away', 'lunch'),
      state(t(0, 2400), 'busy'),
      state(t(0, 2700), 'offline'),
    ]);
    const [row] = (
      await get(tenant, '/v1/kpis', {
        metrics: 'loggedInTime,utilization,breaks',
        from: iso(t(0, 0)),
        to: iso(t(0, 3600)),
        interval: 'hour',
        groupBy: 'agent',
      })
    ).body.rows as Row[];
    if (!row) throw new Error('no row');
    expect(row.metrics.loggedInTime?.value).toBe(45 * 60_000);
    const res = await explain(tenant, 'loggedInTime', row);
    expect(res.status, res.text).toBe(200);
    expectSameCell(res.body, row.metrics.loggedInTime as Cell);
    expect((res.body.items as Item[]).map((i) => [i.state, i.overlapMs, i.inNumerator, i.reason])).toEqual([
      ['available', 10 * 60_000, true, 'available for 600 s in the cell: logged in'],
      ['away', 30 * 60_000, true, 'away (lunch) for 1800 s in the cell: logged in'],
      ['busy', 5 * 60_000, true, 'busy for 300 s in the cell: logged in'],
      ['offline', 15 * 60_000, false, 'offline for 900 s in the cell: not logged in'],
    ]);
    for (const id of ['utilization', 'breaks']) expectSameCell((await explain(tenant, id, row)).body, row.metrics[id] as Cell);
  });

  it('rows grouped by direction, unknown included, and IVR sessions, which come before any queue', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    const ivr = (at: number, selfServed: boolean) => {
      const id = callId('ivr');
      return [
        { id: `${id}:start`, type: 'interaction.started', occurredAt: iso(at), interactionId: id, direction: 'inbound' },
        { id: `${id}:ivr`, type: 'ivr.completed', occurredAt: iso(at + 30_000), interactionId: id, attrs: { selfServed } },
      ];
    };
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 5, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 60), 12, 'abandoned', { direction: 'outbound' }),
      ...visitEvents(q.id, t(0, 120), 7, 'abandoned', { direction: null }),
      ...ivr(t(0, 600), true),
      ...ivr(t(0, 900), false),
    ]);
    const byDirection = await rows(tenant, {
      metrics: 'offered,abandonRate,ivrSelfServiceRate',
      interval: 'day',
      groupBy: 'direction',
    });
    expect(byDirection.map((r) => r.group.direction).sort()).toEqual(['inbound', 'outbound', 'unknown']);
    const waits: Record<string, unknown[]> = {};
    for (const row of byDirection) {
      for (const id of ['offered', 'abandonRate', 'ivrSelfServiceRate']) {
        const res = await explain(tenant, id, row);
        expect(res.status, res.text).toBe(200);
        expectSameCell(res.body, row.metrics[id] as Cell);
        if (id === 'offered')
          waits[row.group.direction as string] = (res.body.items as Item[]).map((i) => [i.direction, i.waitMs]);
        if (id === 'ivrSelfServiceRate' && row.group.direction === 'inbound') {
          expect((res.body.items as Item[]).map((i) => [i.kind, i.inNumerator, i.inDenominator, i.reason])).toEqual([
            ['interaction', true, true, 'IVR session completed without reaching a queue: self-served'],
            ['interaction', false, true, 'IVR session that went on to a queue or ended unserved'],
          ]);
        }
      }
    }
    expect(waits).toEqual({
      inbound: [['inbound', 5_000]],
      outbound: [['outbound', 12_000]],
      unknown: [['unknown', 7_000]],
    });
  });

  it('repeat-caller FCR: the handled calls of the cell, each resolved, repeated or pending with the next call, as the row counts them', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const [ada, bob] = [await createAgent(tenant), await createAgent(tenant)];
    await ingestAll(tenant, [
      // X calls again 4 h later (repeated within 72 h; then resolved); Y once (resolved); Bob's call without a number is left out.
      ...visitEvents(q.id, t(0, 0), 10, 'answered', { agentId: ada.id, caller: '+420 601 000 001' }),
      ...visitEvents(q.id, t(0, 4 * 3600), 10, 'answered', { agentId: bob.id, caller: '+420 601 000 001' }),
      ...visitEvents(q.id, t(0, 3600), 10, 'answered', { agentId: ada.id, caller: '+420 601 000 002' }),
      ...visitEvents(q.id, t(0, 7200), 10, 'answered', { agentId: bob.id }),
    ]);
    for (const groupBy of ['queue', 'agent']) {
      for (const row of await rows(tenant, { metrics: 'fcrRepeatCaller', interval: 'day', groupBy })) {
        const cell = row.metrics.fcrRepeatCaller as Cell;
        const res = await explain(tenant, 'fcrRepeatCaller', row);
        expect(res.status, res.text).toBe(200);
        expect(res.body.records).toBe('call');
        expectSameCell(res.body, cell);
      }
    }
    const [row] = await rows(tenant, { metrics: 'fcrRepeatCaller', interval: 'day', groupBy: 'queue' });
    const body = (await explain(tenant, 'fcrRepeatCaller', row as Row)).body;
    expect(body).toMatchObject({ numerator: 2, denominator: 3 });
    expect(body.items.map((i: Item) => [i.agentId, i.verdict])).toEqual([
      [ada.id, 'repeated'],
      [ada.id, 'resolved'],
      [bob.id, 'resolved'],
    ]);
    // X's first call names its repeat: X's second call.
    expect(body.items[0].nextCallId).toBe(body.items[2].interactionId);
    expect(body.items[0].reason).toMatch(/called again 3\.\d+ h after it ended, within 72 h: repeated/);
    // A shorter window, and pages of one record.
    const short = (await explain(tenant, 'fcrRepeatCaller', row as Row, { fcrWindowHours: '1' })).body;
    expect(short).toMatchObject({ numerator: 3, denominator: 3 });
    const first = (await explain(tenant, 'fcrRepeatCaller', row as Row, { limit: '1', part: 'numerator' })).body;
    expect(first.items.map((i: Item) => i.verdict)).toEqual(['resolved']);
    const second = (
      await explain(tenant, 'fcrRepeatCaller', row as Row, { limit: '1', part: 'numerator', cursor: first.nextCursor })
    ).body;
    expect(second.items.map((i: Item) => i.agentId)).toEqual([bob.id]);
    expect(second.nextCursor).toBeNull();
    // A cursor of another kind of listing is refused.
    const visits = (await explain(tenant, 'offered', row as Row, { limit: '1' })).body;
    expectProblem(await explain(tenant, 'fcrRepeatCaller', row as Row, { cursor: visits.nextCursor }), 422, 'VALIDATION_FAILED');
  });

  it('refuses what no row of GET /v1/kpis holds, with a pointer', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const day = { start: iso(DAY), end: iso(DAY + 86_400_000) };
    const ask = (params: Record<string, string>) => get(tenant, '/v1/kpis/explain', { ...day, ...params });
    const pointers = async (params: Record<string, string>) =>
      (expectProblem(await ask(params), 422, 'VALIDATION_FAILED').errors as { pointer: string }[]).map((e) => e.pointer);
    expect(await pointers({ metric: 'nope' })).toEqual(['/metric']);
    expect(await pointers({ metric: 'loggedInTime', direction: 'inbound' })).toEqual(['/metric']);
    expect(await pointers({ metric: 'loggedInTime', queueId: q.id })).toEqual(['/metric']);
    expect(await pointers({ metric: 'offered', start: iso(DAY + 60_000) })).toEqual(['/start']);
    expect(await pointers({ metric: 'offered', end: iso(DAY - 15 * 60_000) })).toEqual(['/end']);
    expect(await pointers({ metric: 'offered', end: iso(DAY + 401 * 86_400_000) })).toEqual(['/end']);
    expectProblem(await ask({ metric: 'offered', 'serviceLevel.thresholdSeconds': '3601' }), 422, 'VALIDATION_FAILED');
    expectProblem(await ask({ metric: 'offered', part: 'both' }), 422, 'VALIDATION_FAILED');
  });
});
