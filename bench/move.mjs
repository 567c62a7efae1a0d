#!/usr/bin/env node
// npm run bench:move — moving a tenant to a database of its own (docs/dedicated-databases.md), against its baseline,
// in one run, on one machine:
//   history of one tenant (--calls N, default 50,000: an interaction, a queue visit, 80 % an agent segment and six
//   events each) generated straight into the shared database, then
//     - the baseline: the same rows copied by Postgres itself, table by table, `COPY (SELECT … WHERE tenant_id = …)
//       TO STDOUT` piped into `COPY … FROM STDIN` of another database (from Node, over plain TCP): the floor of any
//       copy between two databases;
//     - the move through the API: PUT /v1/tenants/{id}/database, then GET until it is done (wrangler dev, the
//       TenantDatabaseDO's alarms, Postgres through the Neon WebSocket proxy). Its steps are timed as GET sees
//       them; "writes refused" is from the fence to the switch (reads and ingestion go on meanwhile).
//   Both targets are checked to hold every row before anything is reported.
// Everything runs locally and is torn down at the end. Options: --calls N
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { runMigrations } from '../scripts/lib/database.mjs';
import { runBenchmark, startStack } from './lib/stack.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg('calls', 50_000);
const TABLES = ['tenants', 'queues', 'agents', 'interactions', 'queue_visits', 'agent_segments', 'events'];

const cleanup = [];
const log = (msg) => console.error(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);

async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  cleanup.push(() => client.end());
  return client;
}

const withDatabase = (url, database) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function counts(client, tenantId) {
  const out = {};
  for (const t of TABLES) {
    const where = t === 'tenants' ? 'id = $1' : 'tenant_id = $1';
    out[t] = (await client.query(`SELECT count(*)::int AS n FROM ${t} WHERE ${where}`, [tenantId])).rows[0].n;
  }
  return out;
}

async function main() {
  const { api, appUrl, superUrl, platformToken } = await startStack({
    name: 'callboard-bench-move',
    config: 'wrangler.toml',
    fastPostgres: true,
    cleanup,
  });
  const { tenant, apiKey } = await api('POST', '/v1/tenants', { name: 'Move bench' }, platformToken);
  const queue = await api('POST', '/v1/queues', { name: 'Sales' }, apiKey.key);
  const agent = await api('POST', '/v1/agents', { name: 'Ada', queueIds: [queue.id] }, apiKey.key);

  // Two empty databases on the same server: one for the baseline, one for the move (migrated by the move itself).
  const su = await connect(withDatabase(superUrl, 'postgres'));
  for (const db of ['bench_copy', 'bench_move']) await su.query(`CREATE DATABASE ${db}`);
  await runMigrations(withDatabase(superUrl, 'bench_copy'));

  log(`generating ${CALLS.toLocaleString('en')} calls`);
  const shared = await connect(superUrl);
  const t0 = performance.now();
  await shared.query('SELECT setseed(0.42)');
  await shared.query(
    `CREATE TEMP TABLE g AS SELECT n, now() - interval '30 days' + n * interval '50 seconds' AS at,
            (random() < 0.8) AS answered FROM generate_series(1, $1) n`,
    [CALLS],
  );
  const tid = tenant.id;
  await shared.query(
    `INSERT INTO interactions (tenant_id, id, direction, caller_hash, caller_masked, started_at, ended_at, ended_by,
                               first_event_at, last_event_at)
     SELECT $1, 'i' || n, 'inbound', md5(n::text), '+1 212 ••• ••' || lpad((n % 100)::text, 2, '0'), at,
            at + interval '5 minutes', 'customer', at, at + interval '5 minutes' FROM g`,
    [tid],
  );
  await shared.query(
    `INSERT INTO queue_visits (tenant_id, id, interaction_id, queue_id, enqueued_at, enqueued_at_source, left_at, outcome,
                               closed_by, wait_ms, agent_id, answered_at, version)
     SELECT $1, 'v' || n, 'i' || n, $2, at, 'provider', at + interval '20 seconds',
            CASE WHEN answered THEN 'answered' ELSE 'abandoned' END, 'event', 20000,
            CASE WHEN answered THEN $3 END, CASE WHEN answered THEN at + interval '20 seconds' END, 1 FROM g`,
    [tid, queue.id, agent.id],
  );
  await shared.query(
    `INSERT INTO agent_segments (tenant_id, id, interaction_id, agent_id, queue_id, visit_id, connected_at, disconnected_at,
                                 talk_ms, hold_ms, hold_count, acw_ms, transferred, ended_by, version)
     SELECT $1, 's' || n, 'i' || n, $3, $2, 'v' || n, at + interval '20 seconds', at + interval '5 minutes', 280000, 0, 0,
            0, false, 'customer', 1 FROM g WHERE answered`,
    [tid, queue.id, agent.id],
  );
  await shared.query(
    `INSERT INTO events (tenant_id, id, type, provider, occurred_at, occurred_at_source, received_at, interaction_id,
                         queue_id, agent_id, attrs)
     SELECT $1, 'i' || n || ':' || k, (ARRAY['interaction.started','queue.joined','queue.left','agent.connected',
            'agent.disconnected','interaction.ended'])[k], 'generic', at + k * interval '1 second', 'provider',
            at + k * interval '1 second', 'i' || n, $2, $3,
            jsonb_build_object('outcome', 'answered', 'note', repeat('x', 120), 'k', k)
     FROM g CROSS JOIN generate_series(1, 6) k`,
    [tid, queue.id, agent.id],
  );
  await shared.query('DROP TABLE g');
  await shared.query('ANALYZE');
  const before = await counts(shared, tid);
  const rows = Object.values(before).reduce((a, b) => a + b, 0);
  log(
    `generated ${rows.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(before)}`,
  );

  // The baseline: Postgres's own COPY, table by table, parents first.
  const copyTarget = await connect(withDatabase(superUrl, 'bench_copy'));
  const c0 = performance.now();
  for (const t of TABLES) {
    const where = t === 'tenants' ? `id = ${shared.escapeLiteral(tid)}` : `tenant_id = ${shared.escapeLiteral(tid)}`;
    const out = shared.query(copyStreams.to(`COPY (SELECT * FROM ${t} WHERE ${where}) TO STDOUT`));
    const into = copyTarget.query(copyStreams.from(`COPY ${t} FROM STDIN`));
    await pipeline(out, into);
  }
  const copyMs = performance.now() - c0;
  const copied = await counts(copyTarget, tid);
  if (JSON.stringify(copied) !== JSON.stringify(before)) throw new Error(`COPY baseline lost rows: ${JSON.stringify(copied)}`);
  log(`COPY baseline: ${(copyMs / 1000).toFixed(2)} s`);

  // The move through the API.
  const target = withDatabase(appUrl, 'bench_move');
  const m0 = performance.now();
  await api(
    'PUT',
    `/v1/tenants/${tid}/database`,
    { databaseUrl: target, migrationUrl: withDatabase(superUrl, 'bench_move') },
    platformToken,
  );
  const seen = {};
  let status;
  for (;;) {
    status = await api('GET', `/v1/tenants/${tid}/database`, undefined, platformToken);
    const step = status.operation.step;
    seen[step] ??= performance.now() - m0;
    if (step === 'done' || step === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const moveMs = performance.now() - m0;
  if (status.operation.step !== 'done') throw new Error(`the move failed: ${JSON.stringify(status.operation.error)}`);
  const moved = await counts(await connect(withDatabase(superUrl, 'bench_move')), tid);
  if (JSON.stringify(moved) !== JSON.stringify(before)) throw new Error(`the move lost rows: ${JSON.stringify(moved)}`);
  const left = await counts(shared, tid);
  const steps = Object.entries(seen)
    .map(([step, ms]) => `${step} at ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  const fenced = (seen.purge ?? seen.done) - (seen.copy ?? seen.fence ?? 0);
  const copyStep = (seen.verify ?? seen.switch) - (seen.copy ?? 0);

  console.log(`\nbench:move — ${rows.toLocaleString('en')} rows of one tenant (${CALLS.toLocaleString('en')} calls)`);
  console.log(
    `  COPY baseline (Postgres to Postgres, Node)   ${(copyMs / 1000).toFixed(2)} s   ${Math.round(rows / (copyMs / 1000)).toLocaleString('en')} rows/s`,
  );
  console.log(`  move through the API, whole (migrate → done) ${(moveMs / 1000).toFixed(2)} s`);
  console.log(
    `    of which the copy step                     ${(copyStep / 1000).toFixed(2)} s   ${Math.round(rows / (copyStep / 1000)).toLocaleString('en')} rows/s   (${(copyMs / copyStep).toFixed(2)} of COPY)`,
  );
  console.log(`    writes refused (fence → switch)            ${(fenced / 1000).toFixed(2)} s`);
  console.log(`  steps as GET saw them: ${steps}`);
  console.log(`  every row in the new database: yes; left in the shared one: ${JSON.stringify(left)}`);
}

runBenchmark(main, cleanup);
