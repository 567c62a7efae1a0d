import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { bigints, readIntervals, texts } from '../../db/history-reader';
import { AppError } from '../../domain/errors';
import type { FactBranch } from '../../domain/kpi/compute';
import { BUCKET_MS, type Cell, type CellFacts, factsFromRecords } from '../../domain/kpi/facts';
import { type PackedFacts, probedUnpacker, type WaitProbe, waitProbeKeys } from '../../domain/kpi/packed';
import { loadRangeRecords } from './records';

/** Where a KPI request's cells come from: the rollups (default), or the history records themselves. */
export const KPI_SOURCES = ['rollups', 'records'] as const;
export type KpiSource = (typeof KPI_SOURCES)[number];

export interface CellRequest {
  from: number;
  to: number;
  queueIds?: string[];
  agentIds?: string[];
  direction?: 'inbound' | 'outbound';
  byDirection: boolean;
  now: number;
  /** The kinds of cell the request's metrics read (see `CellKey`); the others are not loaded. */
  kinds: CellKinds;
  /**
   * The wait counts the request's metrics read: visits of these outcomes within these thresholds (every
   * threshold of every policy the report applies). Rollups give just those (histograms coarsened to them,
   * exact there); records give full histograms. Undefined: no metric reads a wait histogram.
   */
  waits?: WaitProbe;
  /** The branches of the facts the request's metrics read (`factBranchesFor`); rollup reads leave the others out. */
  branches: readonly FactBranch[];
  /**
   * The zone periods are cut in, when whole days may be read from day cells (periods of a day or longer).
   * Undefined: 15-minute cells only.
   */
  dayZone?: string;
  /**
   * Whether an agent's day cells cannot stand for [start, end): its team or site changed inside it, so its
   * 15-minute cells are read instead, each attributed to the team of its own time. Undefined: never.
   */
  splitsDay?: (agentId: string, start: number, end: number) => boolean;
  /** The most visits and segments read from the records (`maxRangeRecords`, records.ts). */
  maxRecords: number;
}

export interface CellKinds {
  queue: boolean;
  queueAgent: boolean;
  agent: boolean;
  tenant: boolean;
}

/**
 * The cells of [from, to) that pass the queue and agent filters. From the records: every judgement made on the
 * records of the range. From the rollups: day cells for whole days complete in the request's zone (`dayZone`),
 * `kpi_cells` for the rest, except buckets listed dirty (computed from their records), plus state intervals still
 * open, counted up to now (rollups hold closed ones). The same facts either way; a day cell stands at its day's
 * start, which is all a period of a day or longer needs.
 */
export async function loadCells(tx: Tx, tenantId: string, source: KpiSource, r: CellRequest): Promise<Cell[]> {
  if (source === 'records' || r.byDirection || r.direction) {
    return fromRecords(tx, tenantId, r, (max) => {
      const why = source === 'records' ? 'source=records reads' : 'Reports by call direction read';
      return new AppError(
        'invalid',
        'TOO_MANY_RECORDS',
        `${why} the history records of the range, and this one holds more than ${max} visits and segments: use a shorter range, or filter by queue or agent.`,
      );
    });
  }
  const { dirty, days } = await readMarks(tx, tenantId, r);
  const rollups = rollupReader(tx, tenantId, r);
  const cells = await rollups.days(days);
  // The rest of the range: 15-minute cells, outside the dirty buckets.
  for (const gap of gapsOf(r.from, r.to, days)) cells.push(...(await rollups.buckets(gap, dirty.set)));
  cells.push(...(await openIntervals(tx, tenantId, r, dirty.set)));
  // Buckets not recomputed yet are read from their records, within one budget for the whole request.
  let budget = r.maxRecords;
  for (const run of runsOf(dirty.sorted)) {
    const part = await fromRecords(tx, tenantId, { ...r, from: run.from, to: run.to, maxRecords: budget }, rebuilding);
    budget -= part.read;
    for (const c of part) if (dirty.set.has(c.bucketStart)) cells.push(c);
  }
  return cells;
}

/**
 * In one round trip: the dirty buckets of the range, and the days complete in the request's zone that hold
 * none (those whose day cells stand for them).
 */
async function readMarks(tx: Tx, tenantId: string, r: CellRequest) {
  const marks = await tx.execute(sql`
    SELECT 'dirty' AS kind, bucket_start AS a, NULL::bigint AS b FROM kpi_dirty_buckets
    WHERE tenant_id = ${tenantId} AND bucket_start >= ${r.from} AND bucket_start < ${r.to}${
      r.dayZone
        ? sql`
    UNION ALL SELECT 'day', day_start, day_end FROM kpi_days
    WHERE tenant_id = ${tenantId} AND time_zone = ${r.dayZone} AND day_start >= ${r.from} AND day_end <= ${r.to}`
        : sql``
    }`);
  const sorted: number[] = [];
  const marked: { start: number; end: number }[] = [];
  for (const m of marks.rows as { kind: 'dirty' | 'day'; a: string | number; b: string | number | null }[]) {
    if (m.kind === 'dirty') sorted.push(Number(m.a));
    else marked.push({ start: Number(m.a), end: Number(m.b) });
  }
  sorted.sort((a, b) => a - b);
  marked.sort((a, b) => a.start - b.start);
  return {
    dirty: { sorted, set: new Set(sorted) },
    days: marked.filter((d) => !hasBucketIn(sorted, d.start, d.end)),
  };
}

/**
 * Reads rollup rows as cells: only the branches of the facts the metrics read, and of the wait histograms only
 * the running totals at the probe keys, searched in Postgres (src/domain/kpi/packed.ts) — a few integers per row
 * instead of every slot.
 */
function rollupReader(tx: Tx, tenantId: string, r: CellRequest) {
  const probe: WaitProbe = r.waits ?? { outcomes: [], thresholds: [] };
  const unpacker = probedUnpacker(probe);
  const probes = waitProbeKeys(probe).map((k) => `coalesce(wait_totals[width_bucket(${Math.trunc(k)}, wait_keys)], 0)`);
  const branches = r.branches.map((b, i) => ({ b, column: `b${i}` }));
  const columns = sql.raw(
    [...branches.map(({ b, column }) => `facts->'${b}' AS ${column}`), `ARRAY[${probes.join(', ')}]::int4[] AS probed`].join(
      ', ',
    ),
  );
  const filters = sql`${r.queueIds?.length ? sql` AND (queue_id = '' OR queue_id = ANY(${texts(r.queueIds)}))` : sql``}${
    r.agentIds?.length ? sql` AND agent_id = ANY(${texts(r.agentIds)})` : sql``
  } AND (${kindsWhere(r.kinds)})`;
  type Row = { at: string | number; queue_id: string; agent_id: string; probed: number[] } & Record<string, unknown>;
  const cellOf = (x: Row): Cell => {
    const tree: PackedFacts = {};
    for (const { b, column } of branches) {
      const v = x[column];
      if (v !== null && v !== undefined) tree[b] = typeof v === 'string' ? JSON.parse(v) : v;
    }
    // Facts built only if asked for (a cell alone in its row); merged ones are added straight from the row.
    let facts: CellFacts | undefined;
    return {
      bucketStart: Number(x.at),
      queueId: x.queue_id === '' ? null : x.queue_id,
      agentId: x.agent_id === '' ? null : x.agent_id,
      direction: null,
      get facts() {
        facts ??= unpacker.unpack(tree, x.probed);
        return facts;
      },
      addTo: (acc) => unpacker.addTo(acc, tree, x.probed),
    };
  };
  return {
    /** The day cells of these days (one row per key and day, standing at the day's start). */
    async days(days: { start: number; end: number }[]): Promise<Cell[]> {
      if (days.length === 0) return [];
      const rows = await tx.execute(sql`
        SELECT day_start AS at, queue_id, agent_id, ${columns} FROM kpi_day_cells
        WHERE tenant_id = ${tenantId} AND day_start = ANY(${bigints(days.map((d) => d.start))})${filters}`);
      const endOf = new Map(days.map((d) => [d.start, d.end]));
      // An agent moved to another team or site during a day: that day of the agent from its 15-minute cells.
      const cells: Cell[] = [];
      const split = new Map<string, { agentId: string; from: number; to: number }>();
      for (const x of rows.rows as Row[]) {
        const start = Number(x.at);
        const end = endOf.get(start) as number;
        if (x.agent_id !== '' && r.splitsDay?.(x.agent_id, start, end)) {
          split.set(`${x.agent_id}|${start}`, { agentId: x.agent_id, from: start, to: end });
        } else cells.push(cellOf(x));
      }
      if (split.size > 0) {
        const parts = [...split.values()];
        const pieces = await tx.execute(sql`
          SELECT c.bucket_start AS at, c.queue_id, c.agent_id, ${columns}
          FROM kpi_cells c
          JOIN unnest(${texts(parts.map((p) => p.agentId))}, ${bigints(parts.map((p) => p.from))}, ${bigints(parts.map((p) => p.to))})
            AS s(moved_agent, day_from, day_to)
            ON c.agent_id = s.moved_agent AND c.bucket_start >= s.day_from AND c.bucket_start < s.day_to
          WHERE c.tenant_id = ${tenantId}${filters}`);
        for (const x of pieces.rows as Row[]) cells.push(cellOf(x));
      }
      return cells;
    },
    /** The 15-minute cells of a range, but for the dirty buckets. */
    async buckets(range: { from: number; to: number }, dirty: Set<number>): Promise<Cell[]> {
      const rows = await tx.execute(sql`
        SELECT bucket_start AS at, queue_id, agent_id, ${columns} FROM kpi_cells
        WHERE tenant_id = ${tenantId} AND bucket_start >= ${range.from} AND bucket_start < ${range.to}${filters}`);
      return (rows.rows as Row[]).filter((x) => !dirty.has(Number(x.at))).map(cellOf);
    },
  };
}

/** State intervals still open, counted up to now (rollups hold closed ones), outside the dirty buckets (those count them from their records). */
async function openIntervals(tx: Tx, tenantId: string, r: CellRequest, dirty: Set<number>): Promise<Cell[]> {
  if (!r.kinds.agent) return [];
  const open = await readIntervals(
    tx,
    tenantId,
    sql`x.ended_at IS NULL AND x.started_at < ${new Date(r.to)}${r.agentIds?.length ? sql` AND x.agent_id = ANY(${texts(r.agentIds)})` : sql``}`,
  );
  return factsFromRecords(
    { intervals: open },
    { asOf: r.now, cells: { queue: false, queueAgent: false, agent: true, tenant: false } },
  ).filter((c) => c.bucketStart >= r.from && c.bucketStart < r.to && !dirty.has(c.bucketStart));
}

/** What a range whose rollups are not recomputed yet answers when it holds more records than a request may read. */
const rebuilding = () =>
  new AppError(
    'unavailable',
    'KPI_ROLLUPS_REBUILDING',
    'Part of this range is being recomputed into rollups (after a migration or an import straight into Postgres) and holds more records than one request reads: retry later, ask for a shorter range, or recompute it now with POST /v1/kpis/rollups/rebuild.',
    { retryAfterSeconds: 60 },
  );

async function fromRecords(
  tx: Tx,
  tenantId: string,
  r: CellRequest,
  tooMany: (max: number) => Error,
): Promise<Cell[] & { read: number }> {
  const records = await loadRangeRecords(tx, tenantId, r.from, r.to, { ...r, budget: { max: r.maxRecords, tooMany } });
  const queues = r.queueIds?.length ? new Set(r.queueIds) : null;
  const agents = r.agentIds?.length ? new Set(r.agentIds) : null;
  const cells = factsFromRecords(records, { asOf: r.now, splitByDirection: r.byDirection, cells: r.kinds }).filter(
    (c) =>
      c.bucketStart >= r.from &&
      c.bucketStart < r.to &&
      (!queues || c.queueId === null || queues.has(c.queueId)) &&
      (!agents || (c.agentId !== null && agents.has(c.agentId))),
  );
  return Object.assign(cells, { read: records.visits.length + records.segments.length });
}

/** The rows of `kpi_cells` of these kinds ('' is "none" in its key columns). */
function kindsWhere(k: CellKinds) {
  const parts = [
    k.queue ? sql`(queue_id <> '' AND agent_id = '')` : null,
    k.queueAgent ? sql`(queue_id <> '' AND agent_id <> '')` : null,
    k.agent ? sql`(queue_id = '' AND agent_id <> '')` : null,
    k.tenant ? sql`(queue_id = '' AND agent_id = '')` : null,
  ].filter((x) => x !== null);
  return parts.length > 0 ? sql.join(parts, sql` OR `) : sql`false`;
}

/** [from, to) without the given days (sorted, inside it), as ranges. */
function gapsOf(from: number, to: number, days: { start: number; end: number }[]): { from: number; to: number }[] {
  const gaps: { from: number; to: number }[] = [];
  let at = from;
  for (const d of days) {
    if (d.start > at) gaps.push({ from: at, to: d.start });
    at = Math.max(at, d.end);
  }
  if (at < to) gaps.push({ from: at, to });
  return gaps;
}

/** Whether a sorted list holds a bucket in [start, end) (binary search: after the migration every bucket may be dirty). */
function hasBucketIn(sorted: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as number) < end;
}

/** Runs of buckets closer than this are read in one range (fewer statements; the clean buckets between are dropped). */
const RUN_GAP_MS = 24 * 3_600_000;

/** Sorted buckets as ranges to read: a run goes on across gaps shorter than {@link RUN_GAP_MS}. */
function runsOf(buckets: number[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  for (const b of buckets) {
    const last = runs.at(-1);
    if (last && b - last.to < RUN_GAP_MS) last.to = b + BUCKET_MS;
    else runs.push({ from: b, to: b + BUCKET_MS });
  }
  return runs;
}
