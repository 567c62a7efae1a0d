#!/usr/bin/env node
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// npm run bench:history — the KPI engine against its baselines, in one run, on one machine:
//   history of one tenant (20 queues, 200 agents, one year; --visits N, default 10,000,000) generated straight into
//   Postgres, rollups rebuilt by the API (POST /v1/kpis/rollups/rebuild), then a month-by-day report of all queues
//   (offered, answered, abandoned, short abandons, service level, ASA), with the tenant's policy and with an
//   arbitrary threshold, timed as:
//     - Callboard's query: the KPI service itself (bench/lib/kpi-service.ts, bundled from src/) called from Node —
//       every statement the API runs for the report, in a tenant transaction, with its merging and maths;
//     - a naive aggregate over the raw visits (the same figures by one SQL statement over queue_visits);
//     - reading the rollup rows alone (the day cells the report stands on, whole, by one SELECT: the floor of any
//       use of them);
//     - the API end to end (GET /v1/kpis through wrangler dev; Postgres through the Neon WebSocket proxy).
//   The first three run from Node, as the application role with the tenant set (row-level security applies, as
//   to the Worker), over plain TCP. The API's and the service's numbers are checked against the naive aggregate
//   before anything is timed.
// Everything runs locally and is torn down at the end. Options: --visits N --repeat N
import { build } from 'esbuild';
import pg from 'pg';
import { root, runBenchmark, startStack } from './lib/stack.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const VISITS = arg('visits', 10_000_000);
const REPEAT = arg('repeat', 7);
const WARMUP = 5;
const QUEUES = 20;
const AGENTS = 200;
const YEAR_START = Date.UTC(2025, 10, 1);
const YEAR_END = Date.UTC(2026, 10, 1);
const MONTH = { from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' };
const ARBITRARY_T = 37;

const cleanup = [];
const log = (msg) => console.error(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const t0 = performance.now();
  const out = await fn();
  return { ms: performance.now() - t0, out };
}

async function main() {
  const { api, appUrl, superUrl, platformToken } = await startStack({
    name: 'callboard-bench-history',
    config: 'wrangler.toml',
    fastPostgres: true,
    cleanup,
  });

  const { tenant, apiKey } = await api('POST', '/v1/tenants', { name: 'History bench' }, platformToken);
  const key = apiKey.key;
  const queueIds = [];
  for (let i = 0; i < QUEUES; i++) queueIds.push((await api('POST', '/v1/queues', { name: `Queue ${i + 1}` }, key)).id);
  const agentIds = [];
  for (let i = 0; i < AGENTS; i++) agentIds.push((await api('POST', '/v1/agents', { name: `Agent ${i + 1}` }, key)).id);

  // Straight into Postgres, as a superuser (row-level security does not apply): one year of visits, evenly
  // spread, 80 % answered (with an agent segment), 15 % abandoned, 5 % timed out; waits and talk exponential.
  const su = new pg.Client({ connectionString: superUrl });
  await su.connect();
  cleanup.push(() => su.end());
  log(`generating ${VISITS.toLocaleString('en')} visits (${QUEUES} queues, ${AGENTS} agents, one year)`);
  const gen = await timed(async () => {
    await su.query('SELECT setseed(0.42)');
    await su.query(
      // (The queue and agent ids are parameters of the inserts below, not columns: 200 ids on each of 10 M rows
      // once made this table larger than all the rest.)
      `CREATE TEMP TABLE g AS
       SELECT n,
              to_timestamp(($2::float8 + (n - 1) * ($3::float8 - $2::float8) / $1 + random() * 1000) / 1000) AS enq,
              CASE WHEN random() < 0.80 THEN 'answered' WHEN random() < 0.75 THEN 'abandoned' ELSE 'timeout' END AS outcome,
              least(3600000, (-ln(1 - random()) * 30000))::bigint AS wait,
              (-ln(1 - random()) * 240000)::bigint + 5000 AS talk
       FROM generate_series(1, $1) n`,
      [VISITS, YEAR_START, YEAR_END],
    );
    await su.query(
      `INSERT INTO queue_visits (tenant_id, id, interaction_id, queue_id, enqueued_at, enqueued_at_source, left_at, outcome,
                                 closed_by, wait_ms, agent_id, answered_at, version)
       SELECT $1, 'v' || n, 'i' || n, ($2::text[])[1 + n % ${QUEUES}], enq, 'provider', enq + wait * interval '1 ms', outcome, 'event', wait,
              CASE WHEN outcome = 'answered' THEN ($3::text[])[1 + (n * 7) % ${AGENTS}] END,
              CASE WHEN outcome = 'answered' THEN enq + wait * interval '1 ms' END, 1
       FROM g`,
      [tenant.id, queueIds, agentIds],
    );
    await su.query(
      `INSERT INTO agent_segments (tenant_id, id, interaction_id, agent_id, queue_id, visit_id, connected_at, disconnected_at, talk_ms,
                                   hold_ms, hold_count, wrapup_started_at, wrapup_ended_at, acw_ms, transferred, ended_by, version)
       SELECT $1, 's' || n, 'i' || n, ($3::text[])[1 + (n * 7) % ${AGENTS}], ($2::text[])[1 + n % ${QUEUES}], 'v' || n,
              enq + wait * interval '1 ms', enq + (wait + talk) * interval '1 ms', talk, 0, 0,
              enq + (wait + talk) * interval '1 ms', enq + (wait + talk + 30000) * interval '1 ms', 30000, false, 'customer', 1
       FROM g WHERE outcome = 'answered'`,
      [tenant.id, queueIds, agentIds],
    );
    await su.query('DROP TABLE g');
    await su.query('ANALYZE queue_visits; ANALYZE agent_segments');
  });
  log(`generated in ${(gen.ms / 1000).toFixed(0)} s; rebuilding rollups through the API`);

  const rebuild = await timed(async () => {
    let r = await api(
      'POST',
      '/v1/kpis/rollups/rebuild',
      { from: new Date(YEAR_START).toISOString(), to: new Date(YEAR_END).toISOString(), maxBuckets: 200 },
      key,
    );
    let calls = 1;
    while (r.dirtyLeft > 0) {
      r = await api('POST', '/v1/kpis/rollups/rebuild', { maxBuckets: 200 }, key);
      calls++;
      if (calls % 20 === 0) log(`  ${r.dirtyLeft} buckets left`);
    }
    return calls;
  });
  await su.query('ANALYZE kpi_cells');
  const cells = (
    await su.query(
      `SELECT count(*)::int AS n,
              sum(pg_column_size(facts) + pg_column_size(wait_keys) + pg_column_size(wait_totals))::bigint AS bytes,
              (SELECT count(*)::int FROM kpi_day_cells WHERE tenant_id = $1) AS days
       FROM kpi_cells WHERE tenant_id = $1`,
      [tenant.id],
    )
  ).rows[0];
  log(
    `rollups rebuilt in ${(rebuild.ms / 1000).toFixed(0)} s (${rebuild.out} requests; ${cells.n} cells, ${(Number(cells.bytes) / 1e6).toFixed(0)} MB of facts)`,
  );

  // Where the disk goes: the largest relations with their indexes and TOAST, and the whole database.
  const storage = (
    await su.query(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'm') ORDER BY 2 DESC LIMIT 8`,
    )
  ).rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  const databaseBytes = Number((await su.query('SELECT pg_database_size(current_database())::bigint AS b')).rows[0].b);
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  log(`storage: database ${mb(databaseBytes)}; ${storage.map((x) => `${x.name} ${mb(x.bytes)}`).join(', ')}`);

  const kpiParams = (threshold) => ({
    metrics: 'offered,answered,abandoned,shortAbandons,serviceLevel,asa',
    ...MONTH,
    interval: 'day',
    groupBy: 'queue',
    ...(threshold === undefined ? {} : { 'serviceLevel.thresholdSeconds': String(threshold) }),
  });
  const kpiPath = (threshold) => `/v1/kpis?${new URLSearchParams(kpiParams(threshold))}`;
  const naive = (threshold) =>
    app.query(
      `SELECT date_trunc('day', enqueued_at AT TIME ZONE 'UTC') AS day, queue_id, count(*)::int AS offered,
              count(*) FILTER (WHERE outcome = 'answered')::int AS answered,
              count(*) FILTER (WHERE outcome = 'abandoned')::int AS abandoned,
              count(*) FILTER (WHERE outcome = 'abandoned' AND wait_ms <= 5000)::int AS short,
              count(*) FILTER (WHERE outcome = 'answered' AND wait_ms <= $4 * 1000)::int AS met,
              count(*) FILTER (WHERE outcome IN ('timeout', 'no_agents', 'exit_key', 'transferred', 'rejected_full'))::int AS flowed,
              avg(wait_ms) FILTER (WHERE outcome = 'answered') AS asa
       FROM queue_visits WHERE tenant_id = $1 AND enqueued_at >= $2 AND enqueued_at < $3
       GROUP BY 1, 2`,
      [tenant.id, MONTH.from, MONTH.to, threshold],
    );
  // The rows the API reads for this report: the month's day cells of the queues (the tenant's zone is UTC).
  const rollupRows = () =>
    app.query(
      `SELECT day_start, queue_id, agent_id, facts, wait_keys, wait_totals FROM kpi_day_cells
       WHERE tenant_id = $1 AND day_start >= $2 AND day_start < $3 AND queue_id <> '' AND agent_id = ''`,
      [tenant.id, Date.parse(MONTH.from), Date.parse(MONTH.to)],
    );
  // The part of those rows the service reads (src/services/kpis/cell-source.ts): the facts branch its metrics read
  // and the running totals at the policy's thresholds (answered and abandoned within T and within the 5 s short
  // abandon threshold; keys are outcome code × 4096 + seconds, src/domain/kpi/packed.ts) — the floor of its read.
  const projectedRows = (threshold) => {
    const probes = [0, 1].flatMap((code) => [5, threshold].sort((a, b) => a - b).map((t) => code * 4096 + t));
    return app.query(
      `SELECT day_start, queue_id, agent_id, facts->'visits' AS b0,
              ARRAY[${probes.map((k) => `coalesce(wait_totals[width_bucket(${k}, wait_keys)], 0)`).join(', ')}]::int4[] AS probed
       FROM kpi_day_cells
       WHERE tenant_id = $1 AND day_start >= $2 AND day_start < $3 AND queue_id <> '' AND agent_id = ''`,
      [tenant.id, Date.parse(MONTH.from), Date.parse(MONTH.to)],
    );
  };

  // The KPI service, bundled from the sources as wrangler bundles them, on a pool of the application role.
  // Inside the checkout, so its imports (pg) resolve from node_modules.
  const bundle = path.join(root, 'node_modules', '.cache', 'callboard-bench', `kpi-service-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(root, 'bench', 'lib', 'kpi-service.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['pg'],
    outfile: bundle,
    logLevel: 'error',
  });
  cleanup.push(() => fs.rmSync(bundle, { force: true }));
  const { kpiService } = await import(bundle);
  const pool = new pg.Pool({ connectionString: appUrl, max: 2 });
  cleanup.push(() => pool.end());
  const service = kpiService(pool, tenant.id);
  // The baselines on one connection of the same role, with the tenant set for the session.
  const app = new pg.Client({ connectionString: appUrl });
  await app.connect();
  cleanup.push(() => app.end());
  await app.query("SELECT set_config('app.tenant_id', $1, false)", [tenant.id]);

  // The API's numbers against the naive aggregate, both thresholds, before timing anything.
  for (const threshold of [20, ARBITRARY_T]) {
    const report = await api('GET', kpiPath(threshold === 20 ? undefined : threshold), undefined, key);
    const direct = await service(kpiParams(threshold === 20 ? undefined : threshold));
    if (JSON.stringify(direct.rows) !== JSON.stringify(report.rows)) throw new Error('the service and the API disagree');
    const rows = (await naive(threshold)).rows;
    const byKey = new Map(
      rows.map((r) => [`${new Date(`${r.day.toISOString().slice(0, 10)}T00:00:00Z`).toISOString()}|${r.queue_id}`, r]),
    );
    let checked = 0;
    for (const row of report.rows) {
      const n = byKey.get(`${row.start}|${row.group.queueId}`);
      const m = row.metrics;
      const want = n ?? { offered: 0, answered: 0, abandoned: 0, short: 0, met: 0, flowed: 0 };
      const denominator = want.answered + want.abandoned - want.short + want.flowed;
      if (
        m.offered.value !== want.offered ||
        m.answered.value !== want.answered ||
        m.abandoned.value !== want.abandoned ||
        m.shortAbandons.value !== want.short ||
        m.serviceLevel.numerator !== want.met ||
        m.serviceLevel.denominator !== denominator
      ) {
        throw new Error(`API and naive aggregate disagree at ${row.start} ${row.group.queueId}: ${JSON.stringify({ m, want })}`);
      }
      checked++;
    }
    log(`threshold ${threshold} s: ${checked} rows of the API and the service agree with the naive aggregate`);
  }

  const measure = async (name, fn) => {
    for (let i = 0; i < WARMUP; i++) await fn(); // JIT, caches and pools warm, for every contender alike
    const times = [];
    for (let i = 0; i < REPEAT; i++) times.push((await timed(fn)).ms);
    log(`${name}: median ${median(times).toFixed(1)} ms`);
    return median(times);
  };
  // The floor of any API request: one KPI of one empty day (auth, a tenant transaction, the same route).
  const floorMs = await measure('API floor (one metric, one empty day)', () =>
    api(
      'GET',
      `/v1/kpis?${new URLSearchParams({ metrics: 'offered', from: '2027-01-01T00:00:00Z', to: '2027-01-02T00:00:00Z' })}`,
      undefined,
      key,
    ),
  );
  const results = {};
  for (const [label, threshold] of [
    ['policy', undefined],
    ['arbitrary', ARBITRARY_T],
  ]) {
    results[label] = {
      queryMs: await measure(`Callboard's query, ${label}`, () => service(kpiParams(threshold))),
      apiMs: await measure(`API, ${label}`, () => api('GET', kpiPath(threshold), undefined, key)),
      naiveMs: await measure(`naive aggregate, ${label}`, () => naive(threshold ?? 20)),
      rollupRowsMs: await measure(`rollup rows alone, ${label}`, () => rollupRows()),
      projectedRowsMs: await measure(`the service's part of the rows alone, ${label}`, () => projectedRows(threshold ?? 20)),
    };
  }
  // Other shapes a contact center asks for, the same month (no goal; the service and the API only).
  const shapes = [
    ['month by hour, total', { metrics: 'offered,serviceLevel,asa,aht', ...MONTH, interval: 'hour' }],
    ['month by hour, all queues', { metrics: 'offered,serviceLevel,asa', ...MONTH, interval: 'hour', groupBy: 'queue' }],
    ['month by day, all agents', { metrics: 'handled,agentAht,avgTalkTime', ...MONTH, interval: 'day', groupBy: 'agent' }],
    ['month total by agent', { metrics: 'handled,agentAht,serviceLevel', ...MONTH, interval: 'total', groupBy: 'agent' }],
    [
      'one day by 15 minutes, all agents',
      {
        metrics: 'handled,agentAht',
        from: '2026-06-10T00:00:00Z',
        to: '2026-06-11T00:00:00Z',
        interval: '15m',
        groupBy: 'agent',
      },
    ],
  ];
  const others = [];
  for (const [name, params] of shapes) {
    const rows = (await service(params)).rows.length;
    others.push({
      name,
      rows,
      queryMs: await measure(`Callboard's query, ${name}`, () => service(params)),
      apiMs: await measure(`API, ${name}`, () => api('GET', `/v1/kpis?${new URLSearchParams(params)}`, undefined, key)),
    });
  }
  const result = {
    at: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, node ${process.version}`,
    visits: VISITS,
    queues: QUEUES,
    agents: AGENTS,
    generateSeconds: gen.ms / 1000,
    rebuildSeconds: rebuild.ms / 1000,
    cells: cells.n,
    dayCells: cells.days,
    factsBytes: Number(cells.bytes),
    databaseBytes,
    storage,
    report: 'one month by day for all queues (20 × 30 rows)',
    apiFloorMs: floorMs,
    results,
    others,
  };
  const out = path.join(root, 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `history-${result.at.slice(0, 19).replaceAll(':', '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const f = (n) => n.toFixed(1);
  const line = (label) => {
    const r = results[label];
    return `  ${label.padEnd(10)} Callboard's query ${f(r.queryMs)} ms | naive ${f(r.naiveMs)} ms (naive/query ${(r.naiveMs / r.queryMs).toFixed(1)}, goal ≥ 50) | rollup rows alone ${f(r.rollupRowsMs)} ms (query/rows ${(r.queryMs / r.rollupRowsMs).toFixed(2)}, goal ≤ 2) | the service's part of them ${f(r.projectedRowsMs)} ms (query/part ${(r.queryMs / r.projectedRowsMs).toFixed(2)}) | API end to end ${f(r.apiMs)} ms`;
  };
  console.log(`
History benchmark (${result.machine}; ${VISITS.toLocaleString('en')} visits, ${QUEUES} queues, ${AGENTS} agents, one year)
  generated in ${f(result.generateSeconds)} s; rollups rebuilt in ${f(result.rebuildSeconds)} s (${cells.n} cells)
  API floor (one metric of one empty day) ${f(floorMs)} ms
  month by day, all queues:
${line('policy')}
${line('arbitrary')}
  other shapes of the same month (Callboard's query | API end to end):
${others.map((o) => `  ${o.name.padEnd(34)} ${String(o.rows).padStart(6)} rows  ${f(o.queryMs)} ms | ${f(o.apiMs)} ms`).join('\n')}
[bench] written to ${path.relative(root, file)}`);
}

runBenchmark(main, cleanup);
