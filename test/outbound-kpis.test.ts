import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant } from './factories';
import { asTenant } from './helpers/db';
import { callId, handledCall, PAST_T0, pastAt, sendEvents, settle } from './helpers/ingest';

/** Outbound KPIs: attempts, connects, connect rate, right-party contacts, predictive abandonment (issue 12 §1). */

type Value = { value: number | null; numerator: number; denominator: number | null };
type Row = { group: Record<string, string | null>; metrics: Record<string, Value> };

const RANGE = { from: new Date(PAST_T0 - 86_400_000).toISOString(), to: new Date(PAST_T0 + 86_400_000).toISOString() };
const OUTBOUND = 'outboundAttempts,outboundConnects,connectRate,rightPartyContacts,rightPartyRate,predictiveAbandonRate';

async function kpis(t: TestTenant, params: Record<string, string>): Promise<Row[]> {
  const res = await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...RANGE, ...params }).toString()}`);
  expect(res.status, res.text).toBe(200);
  return res.body.rows as Row[];
}
const total = async (t: TestTenant, params: Record<string, string> = {}) =>
  (await kpis(t, { metrics: OUTBOUND, ...params }))[0]?.metrics as Record<string, Value>;

type Wire = Record<string, unknown>;

/** An outbound attempt dialled `second` s after PAST_T0 to `number`, and what happened next. */
function attempt(second: number, number: string, next: (id: string, at: (s: number) => string) => Wire[]) {
  const id = callId('out');
  const at = (s: number) => pastAt(second + s);
  const events: Wire[] = [
    { id: `${id}:s`, type: 'interaction.started', occurredAt: at(0), interactionId: id, direction: 'outbound', caller: number },
    ...next(id, at),
  ];
  return { id, events };
}
const ended = (id: string, at: string): Wire => ({ id: `${id}:e`, type: 'interaction.ended', occurredAt: at, interactionId: id });
const disposition = (id: string, at: string, category: string): Wire => ({
  id: `${id}:disp`,
  type: 'call.dispositioned',
  occurredAt: at,
  interactionId: id,
  attrs: { resolved: true, category },
});

/**
 * Six outbound attempts and one inbound call:
 * - o1, o2 rang out (no agent, no queue): attempts, not connects; both to the same number;
 * - o3 an agent dialled and spoke with the callee (a segment, no visit), dispositioned rpc_promise;
 * - o4 the predictive dialer queued a live answer, an agent took it, dispositioned wrong_party;
 * - o5 queued by the dialer and abandoned before any agent: the dialer's abandoned call;
 * - o6 queued, answered, dispositioned rpc_refused;
 * - an inbound handled call: in none of them.
 */
async function scenario() {
  const t = await createTenant();
  const q = await createQueue(t);
  const ada = await createAgent(t);
  const o1 = attempt(0, '+1 212 555 0101', (id, at) => [ended(id, at(30))]);
  // o2 dials o1's number again (written another way: the same number once canonical).
  const o2 = attempt(60, '+1 (212) 555-0101', (id, at) => [ended(id, at(25))]);
  const o3 = attempt(120, '+1 212 555 0103', (id, at) => [
    { id: `${id}:c`, type: 'agent.connected', occurredAt: at(8), interactionId: id, queueId: q.id, agentId: ada.id },
    { id: `${id}:d`, type: 'agent.disconnected', occurredAt: at(98), interactionId: id, agentId: ada.id },
    ended(id, at(98)),
    disposition(id, at(120), 'rpc_promise'),
  ]);
  const queued = (outcome: 'answered' | 'abandoned') => (id: string, at: (s: number) => string) => [
    { id: `${id}:j`, type: 'queue.joined', occurredAt: at(10), interactionId: id, queueId: q.id },
    ...(outcome === 'answered'
      ? [
          {
            id: `${id}:l`,
            type: 'queue.left',
            occurredAt: at(11),
            interactionId: id,
            queueId: q.id,
            agentId: ada.id,
            attrs: { outcome },
          },
          { id: `${id}:c`, type: 'agent.connected', occurredAt: at(11), interactionId: id, queueId: q.id, agentId: ada.id },
          { id: `${id}:d`, type: 'agent.disconnected', occurredAt: at(71), interactionId: id, agentId: ada.id },
        ]
      : [{ id: `${id}:l`, type: 'queue.left', occurredAt: at(13), interactionId: id, queueId: q.id, attrs: { outcome } }]),
    ended(id, at(outcome === 'answered' ? 71 : 13)),
  ];
  const o4 = attempt(300, '+1 212 555 0104', (id, at) => [...queued('answered')(id, at), disposition(id, at(90), 'wrong_party')]);
  const o5 = attempt(360, '+1 212 555 0105', queued('abandoned'));
  const o6 = attempt(1200, '+1 212 555 0106', (id, at) => [
    ...queued('answered')(id, at),
    disposition(id, at(90), 'rpc_refused'),
  ]);
  const inbound = handledCall(q.id, ada.id, 600, 60);
  await sendEvents(t.admin, [...o1.events, ...o2.events, ...o3.events, ...o4.events, ...o5.events, ...o6.events, ...inbound]);
  await settle(t);
  return { t, q, ada, o1, o2, o3, o4, o5, o6 };
}

describe('outbound KPIs (issue 12 §1)', () => {
  it('attempts, connects, connect rate and predictive abandonment, each numerator and denominator; rollups and records agree', async () => {
    const { t } = await scenario();
    const m = await total(t);
    expect(m.outboundAttempts).toMatchObject({ value: 6, numerator: 6, denominator: null });
    // o3 (a segment), o4, o5, o6 (a visit each) reached a person; o1 and o2 did not.
    expect(m.outboundConnects).toMatchObject({ value: 4, numerator: 4, denominator: null });
    expect(m.connectRate).toMatchObject({ numerator: 4, denominator: 6 });
    expect(m.connectRate?.value).toBeCloseTo(4 / 6, 12);
    // o5 was queued and abandoned with no agent: 1 of 4 live calls.
    expect(m.predictiveAbandonRate).toMatchObject({ value: 0.25, numerator: 1, denominator: 4 });
    // No right-party categories set (the default): none.
    expect(m.rightPartyContacts).toMatchObject({ value: 0 });
    expect(m.rightPartyRate).toMatchObject({ value: 0, numerator: 0, denominator: 4 });

    // Counted where each attempt started: o1–o5 in the first quarter hour, o6 (20 min in) in the second.
    const quarters = await kpis(t, { metrics: OUTBOUND, interval: '15m', from: pastAt(0), to: pastAt(1800) });
    expect(quarters.map((r) => [r.metrics.outboundAttempts?.value, r.metrics.outboundConnects?.value])).toEqual([
      [5, 3],
      [1, 1],
    ]);

    // The inbound call is in none: by direction, all attempts are outbound.
    const byDirection = await kpis(t, { metrics: OUTBOUND, groupBy: 'direction' });
    const out = byDirection.find((r) => r.group.direction === 'outbound')?.metrics;
    expect(out?.outboundAttempts).toMatchObject({ value: 6 });
    // (Tenant metrics read tenant cells: no inbound call made one, so there is no inbound row, or it holds 0.)
    expect(byDirection.find((r) => r.group.direction === 'inbound')?.metrics.outboundAttempts?.value ?? 0).toBe(0);

    // Attempts per number: 6 attempts to 5 numbers; per quarter hour 5 to 4 and 1 to 1 — distinct numbers do not add.
    expect((await kpis(t, { metrics: 'attemptsPerNumber' }))[0]?.metrics.attemptsPerNumber).toMatchObject({
      value: 1.2,
      numerator: 6,
      denominator: 5,
    });
    const perQuarter = await kpis(t, { metrics: 'attemptsPerNumber', interval: '15m', from: pastAt(0), to: pastAt(1800) });
    expect(perQuarter.map((r) => [r.metrics.attemptsPerNumber?.numerator, r.metrics.attemptsPerNumber?.denominator])).toEqual([
      [5, 4],
      [1, 1],
    ]);
    const perDirection = await kpis(t, { metrics: 'attemptsPerNumber', groupBy: 'direction' });
    expect(perDirection.map((r) => [r.group.direction, r.metrics.attemptsPerNumber?.numerator])).toEqual([['outbound', 6]]);
    const refused = await t.admin.get(
      `/v1/kpis/explain?${new URLSearchParams({ metric: 'attemptsPerNumber', start: RANGE.from, end: RANGE.to })}`,
    );
    expect(refused.status).toBe(422);
    const inboundOnly = await kpis(t, { metrics: 'attemptsPerNumber', direction: 'inbound' });
    expect(inboundOnly[0]?.metrics.attemptsPerNumber).toMatchObject({ value: null, numerator: 0, denominator: 0 });

    // Rollups and records give the same rows.
    const shapes: Record<string, string>[] = [{ interval: 'hour' }, { interval: '15m' }, { groupBy: 'direction' }];
    for (const params of shapes) {
      const rollups = await kpis(t, { metrics: OUTBOUND, ...params, source: 'rollups' });
      const records = await kpis(t, { metrics: OUTBOUND, ...params, source: 'records' });
      expect(rollups.length).toBeGreaterThan(0);
      expect(rollups).toEqual(records);
    }
  });

  it('right-party contacts follow the rightPartyCategories setting, applied to all history', async () => {
    const { t, o3, o6 } = await scenario();
    const set = await t.admin.patch('/v1/settings', { rightPartyCategories: ['rpc_promise', 'rpc_refused'] });
    expect(set.status, set.text).toBe(200);
    expect(set.body.rightPartyCategories).toEqual(['rpc_promise', 'rpc_refused']);
    let m = await total(t);
    expect(m.rightPartyContacts).toMatchObject({ value: 2, numerator: 2, denominator: null });
    expect(m.rightPartyRate).toMatchObject({ value: 0.5, numerator: 2, denominator: 4 });
    for (const source of ['rollups', 'records'])
      expect((await total(t, { source })).rightPartyRate).toMatchObject({ numerator: 2 });

    // The cell explained call by call: the six attempts, o3 and o6 right-party contacts.
    const explain = await t.admin.get(
      `/v1/kpis/explain?${new URLSearchParams({ metric: 'rightPartyRate', start: RANGE.from, end: RANGE.to })}`,
    );
    expect(explain.status, explain.text).toBe(200);
    expect(explain.body).toMatchObject({
      numerator: 2,
      denominator: 4,
      policy: { rightPartyCategories: ['rpc_promise', 'rpc_refused'] },
    });
    const items = explain.body.items as { interactionId: string; inNumerator: boolean }[];
    expect(items).toHaveLength(6);
    expect(items.filter((i) => i.inNumerator).map((i) => i.interactionId)).toEqual([o3.id, o6.id]);

    // Another set: the same history, judged again.
    expect((await t.admin.patch('/v1/settings', { rightPartyCategories: ['wrong_party'] })).status).toBe(200);
    m = await total(t);
    expect(m.rightPartyContacts).toMatchObject({ value: 1 });
    expect(m.rightPartyRate).toMatchObject({ numerator: 1, denominator: 4 });
    expect((await t.admin.patch('/v1/settings', { rightPartyCategories: ['x', 'x'] })).status).toBe(422);
  });

  it('rollup rows stored before outbound facts read as before (no attempts then), and a rebuild counts them', async () => {
    const { t } = await scenario();
    const before = await kpis(t, { metrics: 'offered,answered,abandoned,aht,handled', interval: 'hour', source: 'rollups' });
    // Strip the outbound facts from the stored rows, as rows written before this change look.
    const strip = `facts #- '{quality,outboundAttempts}' #- '{quality,outboundConnects}' #- '{quality,outboundAbandoned}' #- '{quality,outboundConnectsByCategory}'`;
    await asTenant(t.id, async (q) => {
      await q(`UPDATE kpi_cells SET facts = ${strip} WHERE tenant_id = $1`, [t.id]);
      await q(`UPDATE kpi_day_cells SET facts = ${strip} WHERE tenant_id = $1`, [t.id]);
    });
    const stored = await asTenant(t.id, (q) =>
      q(`SELECT count(*)::int AS n FROM kpi_cells WHERE tenant_id = $1 AND facts->'quality' ? 'outboundAttempts'`, [t.id]),
    );
    expect(stored[0].n).toBe(0);
    expect(await kpis(t, { metrics: 'offered,answered,abandoned,aht,handled', interval: 'hour', source: 'rollups' })).toEqual(
      before,
    );
    expect((await total(t, { source: 'rollups' })).outboundAttempts).toMatchObject({ value: 0 });
    // Recomputing the range from the records counts them again.
    const rebuilt = await t.admin.post('/v1/kpis/rollups/rebuild', { ...RANGE, maxBuckets: 400 });
    expect(rebuilt.status, rebuilt.text).toBe(200);
    expect((await total(t, { source: 'rollups' })).outboundAttempts).toMatchObject({ value: 6 });
  });
});
