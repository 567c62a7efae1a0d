import { sql } from 'drizzle-orm';
import type { StateInterval } from '../domain/agents/presence';
import type { InteractionFacts } from '../domain/calls/records';
import { BUCKET_MS, type Cell, type CellFacts, factsFromRecords, mergeAll } from '../domain/kpi/facts';
import { type PackedFacts, packCell, unpackCell } from '../domain/kpi/packed';
import { periodOf } from '../domain/time/intervals';
import type { Tx } from './client';
import { isTransactionConflict } from './errors';
import { bigints, readInteractions, readIntervals, readSegments, readVisits, texts } from './history-reader';
import type { HistoryBatch } from './history-writer';

/**
 * Keeps `kpi_cells` (src/db/schema/kpi-cells.ts) true to the records, inside each flush's transaction: the
 * buckets a batch touches — where its calls' visits and segments were before it and are after it, and the time
 * its state intervals cover before and after — are recomputed from all the records that fall in them and
 * replaced. Idempotent and order-independent: a bucket's cells depend only on the records, never on what was
 * there or on the order flushes come in.
 */

/** What a batch is about to change, read before it writes (a moved or removed record leaves its old bucket stale). */
export interface RollupTouch {
  interactionIds: string[];
  buckets: Set<number>;
  /** agent → buckets its state time covers (closed intervals; open ones are not in rollups). */
  agentBuckets: Map<string, Set<number>>;
}

const bucketOf = (column: string) => sql.raw(`((extract(epoch FROM ${column}) * 1000)::bigint / ${BUCKET_MS} * ${BUCKET_MS})`);
const atBucket = (path: string) => sql.raw(`(((${path})::bigint) / ${BUCKET_MS} * ${BUCKET_MS})`);

/**
 * `rollupTouchBefore` in a savepoint: a failure here never fails the flush either (see refreshRollupsSafely);
 * the batch's own buckets are then refreshed (or listed dirty), without the old places of what it moves.
 */
export async function rollupTouchSafely(
  tx: Tx,
  tenantId: string,
  batch: HistoryBatch,
  onFailure: (err: unknown) => void,
): Promise<RollupTouch | null> {
  try {
    return await tx.transaction((sp) => rollupTouchBefore(sp as unknown as Tx, tenantId, batch));
  } catch (err) {
    if (isTransactionConflict(err)) throw err;
    onFailure(err);
    const touch: RollupTouch = { interactionIds: [], buckets: new Set(), agentBuckets: new Map() };
    addBatchBuckets(touch, batch);
    return touch;
  }
}

/**
 * Where the batch puts its records: with where they were before (read from Postgres), this covers every bucket
 * the batch changes — a record the upsert keeps (an older version) stays where it was, and so do a call's other
 * visits and segments, so nothing needs reading after the writes.
 */
function addBatchBuckets(touch: RollupTouch, batch: HistoryBatch): void {
  const bucket = (at: number) => Math.floor(at / BUCKET_MS) * BUCKET_MS;
  for (const v of batch.visits) touch.buckets.add(bucket(v.enqueuedAt));
  for (const s of batch.segments) touch.buckets.add(bucket(s.connectedAt));
  for (const i of batch.interactions) {
    for (const f of [i.ivr, i.disposition, i.survey]) if (f) touch.buckets.add(bucket(f.at));
    // An outbound attempt counts where it started (the tenant's cell), judged on all its visits and segments.
    if (i.direction === 'outbound' && i.startedAt !== null) touch.buckets.add(bucket(i.startedAt));
  }
  for (const i of batch.intervals) addAgentTime(touch, i);
}

/** Called before the batch's writes. Null when the batch changes nothing KPIs read (events, deliveries only). */
export async function rollupTouchBefore(tx: Tx, tenantId: string, batch: HistoryBatch): Promise<RollupTouch | null> {
  const ids = new Set<string>([
    ...batch.interactions.map((i) => i.id),
    ...batch.visits.map((v) => v.interactionId),
    ...batch.segments.map((s) => s.interactionId),
  ]);
  for (const kind of ['visit', 'segment'] as const) {
    const gone = batch.deletions.filter((d) => d.kind === kind).map((d) => d.id);
    if (gone.length === 0) continue;
    const table = sql.raw(kind === 'visit' ? 'queue_visits' : 'agent_segments');
    const res = await tx.execute(
      sql`SELECT interaction_id FROM ${table} WHERE tenant_id = ${tenantId} AND id = ANY(${texts(gone)})`,
    );
    for (const r of res.rows as { interaction_id: string }[]) ids.add(r.interaction_id);
  }
  if (ids.size === 0 && batch.intervals.length === 0) return null;
  const touch: RollupTouch = { interactionIds: [...ids], buckets: new Set(), agentBuckets: new Map() };
  await addBucketsOf(tx, tenantId, touch);
  if (batch.intervals.length > 0) {
    const old = await readIntervals(tx, tenantId, sql`x.id = ANY(${texts(batch.intervals.map((i) => i.id))})`);
    for (const i of old) addAgentTime(touch, i);
  }
  addBatchBuckets(touch, batch);
  return touch;
}

/** Dirty buckets a flush recomputes besides its own (history older than rollups heals as traffic flows). */
export const DIRTY_PER_FLUSH = 8;

/**
 * A flush of more records than this (a backlog draining, a queue under heavy load) lists its buckets dirty
 * instead of recomputing them: the next flushes would touch the same buckets again, and each recompute reads a
 * bucket's every record. Quiet flushes recompute them later, a few at a time.
 */
export const REFRESH_MAX_RECORDS = 300;

/** The records of a batch that rollups read. */
export function rollupRecords(batch: HistoryBatch): number {
  return (
    batch.interactions.length + batch.visits.length + batch.segments.length + batch.intervals.length + batch.deletions.length
  );
}

/** Lists the touched buckets dirty (cheap): queries read them from their records until a quiet flush recomputes them. */
export async function markDirty(tx: Tx, tenantId: string, touch: RollupTouch): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`kpi_cells:${tenantId}`}, 0))`);
  await addBucketsOf(tx, tenantId, touch);
  const buckets = new Set(touch.buckets);
  for (const set of touch.agentBuckets.values()) for (const b of set) buckets.add(b);
  if (buckets.size > 0) {
    await tx.execute(sql`
      INSERT INTO kpi_dirty_buckets (tenant_id, bucket_start)
      SELECT ${tenantId}, b FROM unnest(${bigints([...buckets].sort((a, b) => a - b))}) AS b ORDER BY b
      ON CONFLICT DO NOTHING`);
  }
  // Under a load that never lets a flush be quiet, settled dirty buckets still heal, a couple per flush.
  const settled = (await takeDirty(tx, tenantId, SETTLED_PER_BIG_FLUSH, true)).sort((a, b) => a - b);
  if (settled.length > 0) {
    const keys = await recomputeBuckets(tx, tenantId, settled);
    await refreshDays(tx, tenantId, new Map([...keys].map((k) => [k, new Set(settled)])));
  }
}

/** Settled dirty buckets a big flush recomputes besides listing its own. */
export const SETTLED_PER_BIG_FLUSH = 2;

/**
 * Called after the batch's writes, in the same transaction: recomputes and replaces the touched cells (and a
 * few dirty buckets). A failure here never fails the flush — history must not wait for a derived table: the
 * refresh is rolled back to its savepoint and its buckets listed as dirty, which queries compute from records.
 * Only a deadlock or serialization failure is passed on, so the whole flush is retried at once.
 */
export async function refreshRollupsSafely(
  tx: Tx,
  tenantId: string,
  touch: RollupTouch,
  onFailure: (err: unknown) => void,
  mode: 'recompute' | 'mark' = 'recompute',
): Promise<void> {
  try {
    await tx.transaction((sp) => (mode === 'recompute' ? refreshRollups : markDirty)(sp as unknown as Tx, tenantId, touch));
  } catch (err) {
    if (isTransactionConflict(err)) throw err;
    onFailure(err);
    const buckets = new Set(touch.buckets);
    for (const set of touch.agentBuckets.values()) for (const b of set) buckets.add(b);
    if (buckets.size === 0) return;
    await tx.execute(sql`
      INSERT INTO kpi_dirty_buckets (tenant_id, bucket_start)
      SELECT ${tenantId}, b FROM unnest(${bigints([...buckets].sort((a, b) => a - b))}) AS b ORDER BY b
      ON CONFLICT DO NOTHING`);
  }
}

/** Recomputes and replaces the touched cells, and up to {@link DIRTY_PER_FLUSH} dirty buckets of the tenant. */
export async function refreshRollups(tx: Tx, tenantId: string, touch: RollupTouch): Promise<void> {
  // One refresh of a tenant's cells at a time: a concurrent flush (the TenantDO and each QueueDO flush apart)
  // waits here until this one commits, then reads the records with its changes included.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`kpi_cells:${tenantId}`}, 0))`);
  await addBucketsOf(tx, tenantId, touch);
  for (const b of await takeDirty(tx, tenantId, DIRTY_PER_FLUSH)) touch.buckets.add(b);
  await deferHotBuckets(tx, tenantId, touch);
  const changed = new Map<string, Set<number>>(); // cell key → buckets recomputed
  const note = (keys: Set<string>, buckets: number[]) => {
    for (const k of keys) {
      const set = changed.get(k) ?? new Set<number>();
      for (const b of buckets) set.add(b);
      changed.set(k, set);
    }
  };
  if (touch.buckets.size > 0) {
    const buckets = [...touch.buckets].sort((a, b) => a - b);
    note(await recomputeBuckets(tx, tenantId, buckets), buckets);
  }
  for (const [agentId, buckets] of touch.agentBuckets) {
    const own = [...buckets].filter((b) => !touch.buckets.has(b)).sort((a, b) => a - b);
    if (own.length > 0) note(await recomputeAgent(tx, tenantId, agentId, own), own);
  }
  await refreshDays(tx, tenantId, changed);
}

/** Takes (removes from the list) up to `limit` dirty buckets, oldest first (a recent hot one is listed again). */
async function takeDirty(tx: Tx, tenantId: string, limit: number, settledOnly = false): Promise<number[]> {
  const settled = settledOnly ? sql` AND bucket_start < ${Date.now() - SETTLED_MS}` : sql``;
  const res = await tx.execute(sql`
    DELETE FROM kpi_dirty_buckets WHERE tenant_id = ${tenantId} AND bucket_start IN (
      SELECT bucket_start FROM kpi_dirty_buckets WHERE tenant_id = ${tenantId}${settled} ORDER BY bucket_start LIMIT ${limit})
    RETURNING bucket_start`);
  return (res.rows as { bucket_start: string | number }[]).map((r) => Number(r.bucket_start));
}

/**
 * Recomputes up to `limit` dirty buckets of a tenant, in the caller's transaction (under the same lock as
 * flushes): an operator's rebuild after the migration, or after generating history straight into Postgres.
 * Returns how many buckets it recomputed and how many dirty ones are left.
 */
export async function healDirtyBuckets(tx: Tx, tenantId: string, limit: number): Promise<{ recomputed: number; left: number }> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`kpi_cells:${tenantId}`}, 0))`);
  const buckets = (await takeDirty(tx, tenantId, limit)).sort((a, b) => a - b);
  if (buckets.length > 0) {
    const keys = await recomputeBuckets(tx, tenantId, buckets);
    await refreshDays(tx, tenantId, new Map([...keys].map((k) => [k, new Set(buckets)])));
  }
  const left = await tx.execute(sql`SELECT count(*)::int AS n FROM kpi_dirty_buckets WHERE tenant_id = ${tenantId}`);
  return { recomputed: buckets.length, left: Number((left.rows[0] as { n: number }).n) };
}

/** A bucket with more records than this is not recomputed by every flush while it still fills up. */
export const HOT_BUCKET_RECORDS = 10_000;
/** A bucket this long past its start no longer fills up (calls longer than this are rare): it is settled. */
export const SETTLED_MS = 2 * 3_600_000;

/**
 * Recomputing a bucket reads all its records, so for a queue taking hundreds of calls a second each flush would
 * read more: such a bucket, while it is recent, is listed as dirty instead (queries read its records) and
 * recomputed once settled.
 */
async function deferHotBuckets(tx: Tx, tenantId: string, touch: RollupTouch): Promise<void> {
  const recent = [...touch.buckets].filter((b) => b >= Date.now() - SETTLED_MS);
  if (recent.length === 0) return;
  // Counted per bucket by index range, each count stopping past the limit.
  const res = await tx.execute(sql`
    SELECT b FROM unnest(${bigints(recent)}) AS b
    WHERE (SELECT count(*) FROM (SELECT 1 FROM queue_visits WHERE tenant_id = ${tenantId}
             AND enqueued_at >= to_timestamp(b / 1000.0) AND enqueued_at < to_timestamp((b + ${BUCKET_MS}) / 1000.0)
             LIMIT ${HOT_BUCKET_RECORDS + 1}) v)
        + (SELECT count(*) FROM (SELECT 1 FROM agent_segments WHERE tenant_id = ${tenantId}
             AND connected_at >= to_timestamp(b / 1000.0) AND connected_at < to_timestamp((b + ${BUCKET_MS}) / 1000.0)
             LIMIT ${HOT_BUCKET_RECORDS + 1}) s) > ${HOT_BUCKET_RECORDS}`);
  const hot = (res.rows as { b: string | number }[]).map((r) => Number(r.b));
  if (hot.length === 0) return;
  for (const b of hot) touch.buckets.delete(b);
  await tx.execute(sql`
    INSERT INTO kpi_dirty_buckets (tenant_id, bucket_start) SELECT ${tenantId}, b FROM unnest(${bigints(hot)}) AS b ORDER BY b
    ON CONFLICT DO NOTHING`);
}

/** The buckets of the interactions' visits and segments, of their IVR, disposition and survey instants, and of an outbound one's start. */
async function addBucketsOf(tx: Tx, tenantId: string, touch: RollupTouch): Promise<void> {
  if (touch.interactionIds.length === 0) return;
  const ids = touch.interactionIds;
  const res = await tx.execute(sql`
    SELECT ${bucketOf('enqueued_at')} AS b FROM queue_visits WHERE tenant_id = ${tenantId} AND interaction_id = ANY(${texts(ids)})
    UNION SELECT ${bucketOf('connected_at')} FROM agent_segments WHERE tenant_id = ${tenantId} AND interaction_id = ANY(${texts(ids)})
    UNION SELECT ${atBucket("ivr->>'at'")} FROM interactions WHERE tenant_id = ${tenantId} AND id = ANY(${texts(ids)}) AND ivr IS NOT NULL
    UNION SELECT ${atBucket("disposition->>'at'")} FROM interactions WHERE tenant_id = ${tenantId} AND id = ANY(${texts(ids)}) AND disposition IS NOT NULL
    UNION SELECT ${atBucket("survey->>'at'")} FROM interactions WHERE tenant_id = ${tenantId} AND id = ANY(${texts(ids)}) AND survey IS NOT NULL
    UNION SELECT ${bucketOf('started_at')} FROM interactions WHERE tenant_id = ${tenantId} AND id = ANY(${texts(ids)}) AND direction = 'outbound' AND started_at IS NOT NULL`);
  for (const r of res.rows as { b: string | number }[]) touch.buckets.add(Number(r.b));
}

function addAgentTime(touch: RollupTouch, i: StateInterval): void {
  if (i.endedAt === null || i.state === 'offline') return;
  let set = touch.agentBuckets.get(i.agentId);
  if (!set) {
    set = new Set();
    touch.agentBuckets.set(i.agentId, set);
  }
  const last = i.endedAt > i.startedAt ? i.endedAt - 1 : i.startedAt;
  for (let b = Math.floor(i.startedAt / BUCKET_MS) * BUCKET_MS; b <= last; b += BUCKET_MS) set.add(b);
}

/** Every cell of these buckets, from every record that falls in them. */
async function recomputeBuckets(tx: Tx, tenantId: string, buckets: number[]): Promise<Set<string>> {
  const from = new Date(buckets[0] as number);
  const to = new Date((buckets.at(-1) as number) + BUCKET_MS);
  const inBuckets = (column: string) =>
    sql`${sql.raw(column)} >= ${from} AND ${sql.raw(column)} < ${to} AND ${bucketOf(column)} = ANY(${bigints(buckets)})`;
  const visits = await readVisits(tx, tenantId, inBuckets('v.enqueued_at'));
  const segments = await readSegments(tx, tenantId, inBuckets('s.connected_at'));
  // The calls of those records, calls whose IVR, disposition or survey may fall here without a visit or segment,
  // and outbound attempts that started here (interactions_outbound_started_idx).
  const callIds = [...new Set([...visits.map((v) => v.interactionId), ...segments.map((s) => s.interactionId)])];
  const interactions = await readInteractions(
    tx,
    tenantId,
    sql`(i.id = ANY(${texts(callIds)}) OR ((i.ivr IS NOT NULL OR i.disposition IS NOT NULL OR i.survey IS NOT NULL)
      AND i.last_event_at >= ${from} AND i.first_event_at < ${to})
      OR (i.direction = 'outbound' AND i.started_at IS NOT NULL AND i.started_at >= ${from} AND i.started_at < ${to}))`,
  );
  // A call's disposition and survey go to its last segment (or visit), which may lie in another bucket, and an
  // outbound attempt is judged on all of its: read them all.
  const quality = interactions.filter(needsAllRecords).map((i) => i.id);
  const known = new Set([...visits.map((v) => v.id), ...segments.map((s) => s.id)]);
  if (quality.length > 0) {
    for (const v of await readVisits(tx, tenantId, sql`v.interaction_id = ANY(${texts(quality)})`))
      if (!known.has(v.id)) visits.push(v);
    for (const s of await readSegments(tx, tenantId, sql`s.interaction_id = ANY(${texts(quality)})`))
      if (!known.has(s.id)) segments.push(s);
  }
  const intervals = await readIntervals(
    tx,
    tenantId,
    sql`x.ended_at IS NOT NULL AND x.started_at < ${to} AND x.ended_at > ${from}`,
  );
  const wanted = new Set(buckets);
  const cells = factsFromRecords({ visits, segments, intervals, interactions }, { asOf: 0 }).filter((c) =>
    wanted.has(c.bucketStart),
  );
  const old = await tx.execute(sql`
    DELETE FROM kpi_cells WHERE tenant_id = ${tenantId} AND bucket_start = ANY(${bigints(buckets)}) RETURNING queue_id, agent_id`);
  await insertCells(tx, tenantId, cells);
  return keysOf(old.rows as { queue_id: string; agent_id: string }[], cells);
}

/** Calls whose every visit and segment a cell needs: a disposition or survey (attributed to the last), an outbound attempt. */
export function needsAllRecords(i: InteractionFacts): boolean {
  return i.disposition !== null || i.survey !== null || (i.direction === 'outbound' && i.startedAt !== null);
}

/** One agent's own cells (its segments and state time) in these buckets. */
async function recomputeAgent(tx: Tx, tenantId: string, agentId: string, buckets: number[]): Promise<Set<string>> {
  const from = new Date(buckets[0] as number);
  const to = new Date((buckets.at(-1) as number) + BUCKET_MS);
  const segments = await readSegments(
    tx,
    tenantId,
    sql`s.agent_id = ${agentId} AND s.connected_at >= ${from} AND s.connected_at < ${to}`,
  );
  const intervals = await readIntervals(
    tx,
    tenantId,
    sql`x.agent_id = ${agentId} AND x.ended_at IS NOT NULL AND x.started_at < ${to} AND x.ended_at > ${from}`,
  );
  const callIds = [...new Set(segments.map((s) => s.interactionId))];
  const interactions = callIds.length > 0 ? await readInteractions(tx, tenantId, sql`i.id = ANY(${texts(callIds)})`) : [];
  const quality = interactions.filter((i) => i.disposition !== null || i.survey !== null).map((i) => i.id);
  const visits = quality.length > 0 ? await readVisits(tx, tenantId, sql`v.interaction_id = ANY(${texts(quality)})`) : [];
  if (quality.length > 0) {
    const known = new Set(segments.map((s) => s.id));
    for (const s of await readSegments(tx, tenantId, sql`s.interaction_id = ANY(${texts(quality)})`))
      if (!known.has(s.id)) segments.push(s);
  }
  const wanted = new Set(buckets);
  const cells = factsFromRecords(
    { visits, segments, intervals, interactions },
    { asOf: 0, cells: { queue: false, queueAgent: false, agent: true, tenant: false } },
  ).filter((c) => c.agentId === agentId && c.queueId === null && wanted.has(c.bucketStart));
  await tx.execute(
    sql`DELETE FROM kpi_cells WHERE tenant_id = ${tenantId} AND agent_id = ${agentId} AND queue_id = '' AND bucket_start = ANY(${bigints(buckets)})`,
  );
  await insertCells(tx, tenantId, cells);
  return new Set([keyOf('', agentId)]);
}

const keyOf = (queueId: string, agentId: string) => `${queueId}|${agentId}`;

/** The cell keys a recompute replaced (before) or wrote (after). */
function keysOf(old: { queue_id: string; agent_id: string }[], cells: Cell[]): Set<string> {
  const keys = new Set(old.map((r) => keyOf(r.queue_id, r.agent_id)));
  for (const c of cells) keys.add(keyOf(c.queueId ?? '', c.agentId ?? ''));
  return keys;
}

/**
 * Day cells (src/db/schema/kpi-cells.ts) of the local days, in the tenant's zone, holding recomputed buckets: for
 * a day already complete in that zone, the keys whose buckets changed are merged again from their 15-minute cells;
 * a day not yet complete (new, or cut in another zone) is merged whole, for every key, and marked complete.
 */
async function refreshDays(tx: Tx, tenantId: string, changed: Map<string, Set<number>>): Promise<void> {
  if (changed.size === 0) return;
  const zone = await tx.execute(sql`SELECT settings->>'timeZone' AS tz FROM tenants WHERE id = ${tenantId}`);
  const timeZone = (zone.rows[0] as { tz: string | null } | undefined)?.tz ?? 'UTC';
  const days = new Map<number, { end: number; keys: Set<string> }>();
  for (const [key, buckets] of changed) {
    for (const b of buckets) {
      const day = periodOf(b, 'day', timeZone);
      const d = days.get(day.start) ?? { end: day.end, keys: new Set<string>() };
      d.keys.add(key);
      days.set(day.start, d);
    }
  }
  for (const [start, { end, keys }] of [...days].sort(([a], [b]) => a - b)) {
    const marker = await tx.execute(
      sql`SELECT time_zone FROM kpi_days WHERE tenant_id = ${tenantId} AND day_start = ${start} AND day_end = ${end}`,
    );
    const complete = (marker.rows[0] as { time_zone: string } | undefined)?.time_zone === timeZone;
    const pairs = [...keys].map((k) => k.split('|'));
    const inKeys = complete
      ? sql` AND (queue_id, agent_id) IN (SELECT x->>0, x->>1 FROM jsonb_array_elements(${JSON.stringify(pairs)}::jsonb) x)`
      : sql``;
    if (!complete) {
      // Days cut in another zone that overlap this one are dropped with their cells.
      await tx.execute(sql`
        WITH gone AS (DELETE FROM kpi_days WHERE tenant_id = ${tenantId} AND day_start < ${end} AND day_end > ${start} RETURNING day_start)
        DELETE FROM kpi_day_cells c USING gone WHERE c.tenant_id = ${tenantId} AND c.day_start = gone.day_start`);
    }
    const rows = await tx.execute(sql`
      SELECT queue_id, agent_id, facts, wait_keys, wait_totals FROM kpi_cells
      WHERE tenant_id = ${tenantId} AND bucket_start >= ${start} AND bucket_start < ${end}${inKeys}`);
    const merged = new Map<string, CellFacts[]>();
    for (const r of rows.rows as unknown as (StoredCell & { queue_id: string; agent_id: string })[]) {
      const k = keyOf(r.queue_id, r.agent_id);
      const list = merged.get(k) ?? [];
      list.push(unpackStored(r));
      merged.set(k, list);
    }
    await tx.execute(sql`DELETE FROM kpi_day_cells WHERE tenant_id = ${tenantId} AND day_start = ${start}${inKeys}`);
    const out = [...merged].map(([k, list]) => {
      const [q, a] = k.split('|');
      return { q, a, ...storable(mergeAll(list)) };
    });
    if (out.length > 0) {
      await tx.execute(sql`
        INSERT INTO kpi_day_cells (tenant_id, day_start, queue_id, agent_id, facts, wait_keys, wait_totals)
        SELECT ${tenantId}, ${start}, r.q, r.a, r.f, r.k, r.t
        FROM jsonb_to_recordset(${JSON.stringify(out)}::jsonb) AS r(q text, a text, f jsonb, k int4[], t int4[])
        ORDER BY r.q COLLATE "C", r.a COLLATE "C"`);
    }
    if (!complete) {
      await tx.execute(sql`
        INSERT INTO kpi_days (tenant_id, day_start, day_end, time_zone) VALUES (${tenantId}, ${start}, ${end}, ${timeZone})`);
    }
  }
}

async function insertCells(tx: Tx, tenantId: string, cells: Cell[]): Promise<void> {
  if (cells.length === 0) return;
  const rows = cells.map((c) => ({ b: c.bucketStart, q: c.queueId ?? '', a: c.agentId ?? '', ...storable(c.facts) }));
  await tx.execute(sql`
    INSERT INTO kpi_cells (tenant_id, bucket_start, queue_id, agent_id, facts, wait_keys, wait_totals)
    SELECT ${tenantId}, r.b, r.q, r.a, r.f, r.k, r.t
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(b bigint, q text, a text, f jsonb, k int4[], t int4[])
    ORDER BY r.b, r.q COLLATE "C", r.a COLLATE "C"`);
}

/** A rollup row's facts columns, as the driver gives them. */
export interface StoredCell {
  facts: PackedFacts | string;
  wait_keys: number[];
  wait_totals: number[];
}

/** The full facts of a stored row. */
export function unpackStored(r: StoredCell): CellFacts {
  return unpackCell({
    facts: typeof r.facts === 'string' ? JSON.parse(r.facts) : r.facts,
    waitKeys: r.wait_keys,
    waitTotals: r.wait_totals,
  });
}

/** Facts as the insert statements above take them (`f`, `k`, `t`). */
function storable(facts: CellFacts) {
  const p = packCell(facts);
  return { f: p.facts, k: p.waitKeys, t: p.waitTotals };
}
