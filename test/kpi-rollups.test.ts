import { describe, expect, it } from 'vitest';
import { prng } from '../src/domain/kpi/test-records';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { callId, sendEvents, settle } from './helpers/ingest';
import { shuffled } from './helpers/scenario';

// Thursday 5 November 2026 00:00 UTC, in the past for every run of this suite.
const DAY = Date.UTC(2026, 10, 5);
const iso = (ms: number) => new Date(ms).toISOString();
type Wire = Record<string, unknown>;

/** Random calls (every outcome, holds, wrap-up, surveys, dispositions, IVR) and agent states over two days. */
function traffic(seed: number, queueIds: string[], agentIds: string[], calls = 45): Wire[] {
  const r = prng(seed);
  const out: Wire[] = [];
  for (let n = 0; n < calls; n++) {
    const id = callId(`roll${seed}`);
    const e = (type: string, at: number, extra: Wire = {}) => ({
      id: `${id}:${type}:${at}`,
      type,
      occurredAt: iso(at),
      interactionId: id,
      ...extra,
    });
    const start = DAY + r.int(0, 2 * 86_400_000 - 3_600_000);
    const queueId = r.pick(queueIds);
    const wait = r.int(0, 120_000);
    const outcome = r.pick(['answered', 'answered', 'answered', 'abandoned', 'timeout', 'transferred'] as const);
    const direction = r.pick(['inbound', 'inbound', 'outbound'] as const);
    out.push(e('interaction.started', start, { direction }));
    if (r.bool(0.2)) out.push(e('ivr.completed', start + 500, { attrs: { selfServed: false } }));
    out.push(e('queue.joined', start + 1000, { queueId }));
    const left = start + 1000 + wait;
    if (outcome === 'answered') {
      const agentId = r.pick(agentIds);
      const talk = r.int(5_000, 900_000);
      out.push(e('queue.left', left, { queueId, agentId, attrs: { outcome } }), e('agent.connected', left, { queueId, agentId }));
      if (r.bool(0.4))
        out.push(e('hold.started', left + 2_000, { agentId }), e('hold.ended', left + 2_000 + r.int(1_000, 60_000), { agentId }));
      const end = left + talk + 70_000;
      out.push(e('agent.disconnected', end, { agentId }), e('interaction.ended', end));
      if (r.bool(0.6))
        out.push(e('wrapup.started', end, { agentId }), e('wrapup.ended', end + r.int(1_000, 120_000), { agentId }));
      if (r.bool(0.4)) out.push(e('survey.completed', end + r.int(0, 7_200_000), { attrs: { score: r.int(1, 5) } }));
      if (r.bool(0.4)) out.push(e('call.dispositioned', end + 1_000, { agentId, attrs: { resolved: r.bool() } }));
    } else {
      out.push(e('queue.left', left, { queueId, attrs: { outcome } }), e('interaction.ended', left));
    }
  }
  for (const agentId of agentIds) {
    let at = DAY + r.int(0, 3_600_000);
    while (at < DAY + 2 * 86_400_000) {
      const state = r.pick(['available', 'available', 'busy', 'away', 'wrapup'] as const);
      out.push({
        id: `${agentId}:state:${at}`,
        type: 'agent.state_changed',
        occurredAt: iso(at),
        agentId,
        attrs: { state, ...(state === 'away' ? { reason: r.pick(['lunch', 'training', 'break']) } : {}) },
      });
      at += r.int(60_000, 5 * 3_600_000);
    }
  }
  return out;
}

async function deliver(t: TestTenant, events: Wire[], batches: number, seed: number) {
  const key = await createKey(t, { scopes: ['ingest'] });
  const order = shuffled(events, seed);
  const size = Math.ceil(order.length / batches);
  // Each batch reaches Postgres before the next: later events move visits and segments between buckets.
  for (let i = 0; i < order.length; i += size) {
    for (let j = i; j < Math.min(i + size, order.length); j += 100)
      await sendEvents(key.client, order.slice(j, Math.min(j + 100, i + size)));
    await settle(t);
  }
  // Everything again: all duplicates, nothing changes.
  for (let j = 0; j < order.length; j += 100) await sendEvents(key.client, order.slice(j, j + 100));
  await settle(t);
}

const ALL_QUEUE =
  'offered,answered,abandoned,shortAbandons,flowedOut,waiting,serviceLevel,answerRate,abandonRate,asa,avgQueueTime,avgAbandonTime,maxWait,avgTalkTime,avgHoldTime,avgAcw,aht,transferRate,holdRate,inbound,outbound,fcrDisposition,csat,csatMean,surveyResponses';
const ALL_AGENT =
  'handled,agentAht,loggedInTime,availableTime,busyTime,wrapupTime,awayTime,breaks,breakTime,occupancy,utilization';

describe('KPI rollups', () => {
  it('give exactly what the records give, for any zone, interval, grouping and threshold, after shuffled, repeated deliveries', async () => {
    const t = await createTenant();
    const queues = [(await createQueue(t)).id, (await createQueue(t)).id, (await createQueue(t)).id];
    const agents = [(await createAgent(t)).id, (await createAgent(t)).id, (await createAgent(t)).id];
    await deliver(t, traffic(11, queues, agents), 3, 5);

    const stored = await asTenant(t.id, (q) => q('SELECT count(*)::int AS n FROM kpi_cells WHERE tenant_id = $1', [t.id]));
    expect(stored[0].n).toBeGreaterThan(50);
    const dirty = await asTenant(t.id, (q) => q('SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = $1', [t.id]));
    expect(dirty[0].n).toBe(0);
    const days = await asTenant(t.id, (q) =>
      q("SELECT count(*)::int AS n FROM kpi_days WHERE tenant_id = $1 AND time_zone = 'UTC'", [t.id]),
    );
    expect(days[0].n).toBeGreaterThanOrEqual(2);

    const r = prng(3);
    const zones = ['UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
    const queries: Record<string, string>[] = [
      { metrics: ALL_QUEUE, interval: 'total' },
      { metrics: ALL_QUEUE, interval: 'hour', groupBy: 'queue' },
      { metrics: ALL_QUEUE, interval: 'day', groupBy: 'agent' },
      { metrics: ALL_AGENT, interval: 'day', groupBy: 'agent' },
      { metrics: ALL_AGENT, interval: '30m' },
      { metrics: ALL_QUEUE, interval: '15m', queueIds: queues[0] as string },
      { metrics: ALL_QUEUE, interval: 'week', agentIds: agents[1] as string },
      // In the tenant's zone, whole days come from day cells.
      { metrics: ALL_QUEUE, interval: 'day', groupBy: 'queue', timeZone: 'UTC' },
      { metrics: ALL_AGENT, interval: 'week', groupBy: 'agent', timeZone: 'UTC' },
      { metrics: `${ALL_QUEUE},${ALL_AGENT}`, interval: 'total', groupBy: 'agent', timeZone: 'UTC' },
    ];
    for (const [i, base] of queries.entries()) {
      const params = {
        ...base,
        from: iso(DAY - 86_400_000),
        to: iso(DAY + 3 * 86_400_000),
        timeZone: base.timeZone ?? r.pick(zones),
        'serviceLevel.thresholdSeconds': String(r.int(0, 130)),
        'serviceLevel.shortAbandonSeconds': String(r.int(0, 30)),
        'serviceLevel.excludeShortAbandons': r.pick(['true', 'false']),
      };
      const get = async (source: string) => {
        const res = await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...params, source })}`);
        expect(res.status, res.text).toBe(200);
        return res.body;
      };
      const [rollups, records] = [await get('rollups'), await get('records')];
      expect(rollups.rows.length, `query ${i}`).toBeGreaterThan(0);
      expect(rollups, `query ${i}: ${JSON.stringify(params)}`).toEqual(records);
    }
    // Queues with policies of their own, and the tenant's: every threshold in play is read exactly from the rollups.
    const own = { thresholdSeconds: 47, shortAbandonSeconds: 3 };
    expect((await t.admin.patch(`/v1/queues/${queues[0]}`, { serviceLevel: own })).status).toBe(200);
    expect((await t.admin.patch(`/v1/queues/${queues[1]}`, { serviceLevel: { thresholdSeconds: 9 } })).status).toBe(200);
    for (const interval of ['day', 'hour']) {
      const params = {
        metrics: ALL_QUEUE,
        interval,
        groupBy: 'queue',
        from: iso(DAY - 86_400_000),
        to: iso(DAY + 3 * 86_400_000),
      };
      const get = async (source: string) => (await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...params, source })}`)).body;
      const [rollups, records] = [await get('rollups'), await get('records')];
      expect(rollups.rows.some((row: { group: { queueId: string } }) => row.group.queueId === queues[0])).toBe(true);
      expect(rollups, interval).toEqual(records);
    }
  });

  it("day cells follow the tenant's zone: after a change of zone, days are cut again as flushes touch them", async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    await deliver(t, traffic(16, [q.id], [a.id]), 2, 10);
    expect((await t.admin.patch('/v1/settings', { timeZone: 'Asia/Kathmandu' })).status).toBe(200);
    // A rebuild recomputes the range: its days are cut again, in Kathmandu.
    let left = (
      await t.admin.post('/v1/kpis/rollups/rebuild', {
        from: iso(DAY - 86_400_000),
        to: iso(DAY + 3 * 86_400_000),
        maxBuckets: 1000,
      })
    ).body.dirtyLeft;
    while (left > 0) left = (await t.admin.post('/v1/kpis/rollups/rebuild', { maxBuckets: 1000 })).body.dirtyLeft;
    const zones = await asTenant(t.id, (sql) => sql('SELECT DISTINCT time_zone FROM kpi_days WHERE tenant_id = $1', [t.id]));
    expect(zones.map((z: { time_zone: string }) => z.time_zone)).toEqual(['Asia/Kathmandu']);
    for (const timeZone of ['Asia/Kathmandu', 'UTC']) {
      const params = {
        metrics: `${ALL_QUEUE},${ALL_AGENT}`,
        from: iso(DAY - 86_400_000),
        to: iso(DAY + 3 * 86_400_000),
        interval: 'day',
        groupBy: 'agent',
        timeZone,
      };
      const rollups = (await t.admin.get(`/v1/kpis?${new URLSearchParams(params)}`)).body;
      const records = (await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...params, source: 'records' })}`)).body;
      expect(rollups.rows.length).toBeGreaterThan(0);
      expect(rollups).toEqual(records);
    }
  });

  it('history older than the rollups (listed dirty) is answered from its records, and flushes heal it', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    await deliver(t, traffic(12, [q.id], [a.id]), 1, 6);
    const params = new URLSearchParams({
      metrics: 'offered,answered,serviceLevel,loggedInTime',
      from: iso(DAY),
      to: iso(DAY + 2 * 86_400_000),
      interval: 'day',
    });
    const before = (await t.admin.get(`/v1/kpis?${params}`)).body;
    expect(before.rows[0].metrics.offered.value).toBeGreaterThan(0);

    // As after the migration that added rollups: cells gone, every bucket listed dirty.
    await asTenant(t.id, async (sql) => {
      await sql('DELETE FROM kpi_cells WHERE tenant_id = $1', [t.id]);
      await sql(
        `INSERT INTO kpi_dirty_buckets (tenant_id, bucket_start)
         SELECT $1, b FROM generate_series($2::bigint, $3::bigint, 900000) b`,
        [t.id, DAY - 86_400_000, DAY + 3 * 86_400_000],
      );
    });
    expect((await t.admin.get(`/v1/kpis?${params}`)).body).toEqual(before);

    // Each flush recomputes some dirty buckets; traffic elsewhere makes flushes happen.
    const key = await createKey(t, { scopes: ['ingest'] });
    for (let i = 0; i < 80; i++) {
      const left = await asTenant(t.id, (sql) =>
        sql('SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = $1', [t.id]),
      );
      if (left[0].n === 0) break;
      const id = callId('heal');
      await sendEvents(key.client, [
        { id, type: 'queue.joined', occurredAt: iso(DAY - 3 * 86_400_000 + i * 1000), interactionId: id, queueId: q.id },
      ]);
      await settle(t);
    }
    const left = await asTenant(t.id, (sql) =>
      sql('SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = $1', [t.id]),
    );
    expect(left[0].n).toBe(0);
    expect((await t.admin.get(`/v1/kpis?${params}`)).body).toEqual(before);
  });

  it('a big flush (a backlog draining) lists its buckets dirty; quiet flushes recompute them to the same answers', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    await deliver(t, traffic(15, [q.id], [a.id], 200), 1, 9);
    const dirtyCount = async () =>
      (await asTenant(t.id, (sql) => sql('SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = $1', [t.id])))[0].n;
    expect(await dirtyCount()).toBeGreaterThan(0);
    const params = { metrics: ALL_QUEUE, from: iso(DAY), to: iso(DAY + 2 * 86_400_000), interval: 'hour' };
    const records = (await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...params, source: 'records' })}`)).body;
    expect((await t.admin.get(`/v1/kpis?${new URLSearchParams(params)}`)).body).toEqual(records);

    const key = await createKey(t, { scopes: ['ingest'] });
    for (let i = 0; i < 60 && (await dirtyCount()) > 0; i++) {
      const id = callId('quiet');
      await sendEvents(key.client, [
        { id, type: 'queue.joined', occurredAt: iso(DAY - 3 * 86_400_000 + i * 1000), interactionId: id, queueId: q.id },
      ]);
      await settle(t);
    }
    expect(await dirtyCount()).toBe(0);
    expect((await t.admin.get(`/v1/kpis?${new URLSearchParams(params)}`)).body).toEqual(records);
  });

  it('an admin rebuild lists a range dirty and recomputes it from the records, to the same answers', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    await deliver(t, traffic(14, [q.id], [a.id]), 1, 8);
    const params = new URLSearchParams({
      metrics: 'offered,serviceLevel,aht,loggedInTime',
      from: iso(DAY),
      to: iso(DAY + 2 * 86_400_000),
      interval: 'hour',
    });
    const before = (await t.admin.get(`/v1/kpis?${params}`)).body;
    await asTenant(t.id, (sql) => sql("UPDATE kpi_cells SET facts = '{}'::jsonb WHERE tenant_id = $1", [t.id]));
    expect((await t.admin.get(`/v1/kpis?${params}`)).body).not.toEqual(before);

    const first = await t.admin.post('/v1/kpis/rollups/rebuild', {
      from: iso(DAY - 86_400_000),
      to: iso(DAY + 3 * 86_400_000),
      maxBuckets: 100,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ marked: 4 * 96, recomputed: 100, dirtyLeft: 4 * 96 - 100 });
    expect((await t.admin.get(`/v1/kpis?${params}`)).body).toEqual(before);
    let left = first.body.dirtyLeft;
    while (left > 0) left = (await t.admin.post('/v1/kpis/rollups/rebuild', { maxBuckets: 1000 })).body.dirtyLeft;
    expect((await t.admin.get(`/v1/kpis?${params}`)).body).toEqual(before);
    expectProblem(await t.admin.post('/v1/kpis/rollups/rebuild', { from: iso(DAY) }), 422, 'VALIDATION_FAILED');
    const reader = await createKey(t, { scopes: ['read'] });
    expect((await reader.client.post('/v1/kpis/rollups/rebuild', {})).status).toBe(403);
  });

  it('a refresh that fails never holds history back: its buckets are listed dirty and answered from records', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    // For this tenant only, Postgres refuses every rollup row (as a bug in the refresh would fail it).
    const fn = `kpi_refuse_${t.id.toLowerCase()}`;
    const owner = (sql: string) => asTenant(null, (x) => x(sql), env.TEST_OWNER_DATABASE_URL);
    await owner(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$`,
    );
    await owner(
      `CREATE TRIGGER ${fn} BEFORE INSERT ON kpi_cells FOR EACH ROW WHEN (NEW.tenant_id = '${t.id}') EXECUTE FUNCTION ${fn}()`,
    );
    try {
      await deliver(t, traffic(13, [q.id], [a.id]), 2, 7);
      const visits = await asTenant(t.id, (sql) =>
        sql('SELECT count(*)::int AS n FROM queue_visits WHERE tenant_id = $1', [t.id]),
      );
      expect(visits[0].n).toBe(45);
      const dirty = await asTenant(t.id, (sql) =>
        sql('SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = $1', [t.id]),
      );
      expect(dirty[0].n).toBeGreaterThan(0);
      const params = {
        metrics: 'offered,answered,serviceLevel,aht',
        from: iso(DAY),
        to: iso(DAY + 2 * 86_400_000),
        interval: 'day',
      };
      const rollups = (await t.admin.get(`/v1/kpis?${new URLSearchParams(params)}`)).body;
      const records = (await t.admin.get(`/v1/kpis?${new URLSearchParams({ ...params, source: 'records' })}`)).body;
      expect(rollups).toEqual(records);
      expect(
        rollups.rows.reduce((n: number, r: { metrics: { offered: { value: number } } }) => n + r.metrics.offered.value, 0),
      ).toBe(45);
    } finally {
      await owner(`DROP TRIGGER ${fn} ON kpi_cells`);
      await owner(`DROP FUNCTION ${fn}()`);
    }
  });
});
