#!/usr/bin/env node
// npm run bench:ingest — the ingestion path against its baselines, in one run, on one machine:
//   1. signed generic webhooks (signature + validation + TenantDO routing + QueueDO + outbox) vs a bare
//      Worker → Durable Object RPC round trip carrying the same payload, on the same `wrangler dev`, and
//      against the same payload handed through two do-nothing Durable Objects (Worker → one per tenant →
//      one per queue: the ceiling of the webhook path's shape), in interleaved rounds;
//   2. the outbox flush rate (rows/s of flush time, as the QueueDOs report it) vs COPY of the same
//      rows into the same tables, from Node, against the same Postgres;
//   3. a hot queue: events offered at a steady rate (1,000/s) through POST /v1/events for a while, the
//      queue's outbox backlog sampled meanwhile (how far history lags behind), then the time it takes
//      to drain once the load stops.
// The Worker is bench/worker.ts (bench/wrangler.toml): the application plus the baseline's EchoDO.
// Everything runs locally and is torn down at the end. Options: --deliveries N --batch N --concurrency N
// --rounds N --hot-rate EVENTS_PER_S --hot-seconds N
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Webhook } from 'standardwebhooks';
import { root, runBenchmark, startStack } from './lib/stack.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DELIVERIES = arg('deliveries', 1500);
const BATCH = arg('batch', 10);
const CONCURRENCY = arg('concurrency', 16);
const WARMUP = Math.min(100, Math.floor(DELIVERIES / 10));
/** The webhook and its two references run in this many interleaved rounds. */
const ROUNDS = arg('rounds', 3);
const HOT_RATE = arg('hot-rate', 1000);
const HOT_SECONDS = arg('hot-seconds', 30);
/** Events per POST /v1/events of the hot queue (half as many calls: joined, then left). */
const HOT_BATCH = 100;
const HOT_IN_FLIGHT = 8;

const log = (m) => console.log(`[bench] ${m}`);
const cleanup = [];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `n` requests with `concurrency` in flight; returns per-request latencies and the wall time. */
async function load(n, concurrency, request) {
  const latencies = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        const res = await request(i);
        latencies.push(performance.now() - t0);
        if (!res.ok) {
          failed++;
          if (failed <= 3) log(`request ${i} failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
        } else await res.arrayBuffer();
      }
    }),
  );
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    n,
    failed,
    wallMs,
    latencies,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: (n / wallMs) * 1000,
  };
}

/** Several rounds of one load as one: requests over summed wall time, percentiles over all latencies. */
function combine(results) {
  const n = results.reduce((a, r) => a + r.n, 0);
  const wallMs = results.reduce((a, r) => a + r.wallMs, 0);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  return {
    n,
    failed,
    wallMs,
    latencies,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: (n / wallMs) * 1000,
  };
}

async function main() {
  const {
    base,
    api: json,
    platformToken,
    superUrl,
    setPostgres,
  } = await startStack({
    name: 'callboard-bench',
    config: 'bench/wrangler.toml',
    proxyControl: true,
    cleanup,
  });
  const { tenant, apiKey } = await json('POST', '/v1/tenants', { name: 'Bench' }, platformToken);
  const key = apiKey.key;
  const queue = await json(
    'POST',
    '/v1/queues',
    { name: 'Bench queue', externalKeys: [{ provider: 'generic', key: 'bench' }] },
    key,
  );
  const drainQueue = await json(
    'POST',
    '/v1/queues',
    { name: 'Drain queue', externalKeys: [{ provider: 'generic', key: 'drain' }] },
    key,
  );
  const hotQueue = await json('POST', '/v1/queues', { name: 'Hot queue' }, key);
  // The hot queue's client posts more often than a key's default rate limit allows.
  const hotKey = (
    await json('POST', '/v1/api-keys', { name: 'Hot', scopes: ['ingest'], rateLimit: { limit: 100_000, windowSeconds: 1 } }, key)
  ).key;
  const connector = await json('POST', '/v1/connectors', { name: 'Bench', provider: 'generic' }, key);
  const webhook = new Webhook(connector.secret);

  // One delivery = BATCH events of one queue visit per interaction: joins, then leaves.
  const t0 = Date.now() - 3600_000;
  const body = (i, queueKey = 'bench') => {
    const events = [];
    for (let j = 0; j < BATCH; j++) {
      const call = `${queueKey}-${i}-${Math.floor(j / 2)}`;
      const s = t0 + i * 1000 + j * 10;
      events.push(
        j % 2 === 0
          ? {
              id: `${call}:join`,
              type: 'queue.joined',
              occurredAt: new Date(s).toISOString(),
              interactionId: call,
              queueKey,
            }
          : {
              id: `${call}:left`,
              type: 'queue.left',
              occurredAt: new Date(s).toISOString(),
              interactionId: call,
              queueKey,
              attrs: { outcome: 'abandoned' },
            },
      );
    }
    return JSON.stringify({ events });
  };
  const bodies = Array.from({ length: DELIVERIES + WARMUP }, (_, i) => body(i));
  const signedPost = (i, payload = bodies[i]) => {
    const id = `msg_${i}_${payload.length}`;
    const now = new Date();
    return fetch(`${base}/v1/webhooks/generic/${connector.id}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, now, payload),
      },
      body: payload,
    });
  };
  const rpcPost = (i) => fetch(`${base}/__bench/rpc/${tenant.id}/${queue.id}`, { method: 'POST', body: bodies[i] });
  const rpc2Post = (i) => fetch(`${base}/__bench/rpc2/${tenant.id}/${queue.id}`, { method: 'POST', body: bodies[i] });

  log(`warm-up (${WARMUP} each)`);
  await load(WARMUP, CONCURRENCY, (i) => rpcPost(DELIVERIES + i));
  await load(WARMUP, CONCURRENCY, (i) => rpc2Post(DELIVERIES + i));
  await load(WARMUP, CONCURRENCY, (i) => signedPost(DELIVERIES + i));
  // The three run in interleaved rounds, so a drift of the shared machine's speed during the run
  // weighs on each alike instead of on whichever ran last.
  log(
    `webhook vs RPC: ${DELIVERIES} each (signed deliveries × ${BATCH} events; one-hop and two-hop RPC), concurrency ${CONCURRENCY}, ${ROUNDS} rounds`,
  );
  const rounds = { rpc: [], rpc2: [], hook: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const from = Math.floor((DELIVERIES * r) / ROUNDS);
    const n = Math.floor((DELIVERIES * (r + 1)) / ROUNDS) - from;
    rounds.rpc.push(await load(n, CONCURRENCY, (i) => rpcPost(from + i)));
    rounds.rpc2.push(await load(n, CONCURRENCY, (i) => rpc2Post(from + i)));
    rounds.hook.push(await load(n, CONCURRENCY, (i) => signedPost(from + i)));
  }
  const rpc = combine(rounds.rpc);
  const rpc2 = combine(rounds.rpc2);
  const hook = combine(rounds.hook);

  const waitDrained = async (queueId) => {
    for (let i = 0; ; i++) {
      const live = await json('GET', `/v1/queues/${queueId}/live`, undefined, key);
      if (live.outbox.backlog === 0) return live;
      if (i > 1500) throw new Error(`outbox did not drain: ${JSON.stringify(live.outbox)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  log('waiting for the outbox to drain');
  const live = await waitDrained(queue.id);
  const flushRows = live.outbox.flushedRows;
  const flushRate = (flushRows / live.outbox.flushMs) * 1000;

  // The flush on its own: the same load into a second queue while Postgres is unreachable, then the
  // backlog drains with nothing else running (failed attempts and backoff waits are not counted).
  log(`drain: ${DELIVERIES} deliveries into another queue with Postgres unreachable, then drained`);
  await setPostgres(false);
  const drainBodies = Array.from({ length: DELIVERIES }, (_, i) => body(i, 'drain'));
  const probe = await (await signedPost(DELIVERIES * 2, drainBodies[0])).json();
  if (probe.accepted + probe.duplicates !== BATCH) throw new Error(`drain deliveries are not accepted: ${JSON.stringify(probe)}`);
  const offline = await load(DELIVERIES, CONCURRENCY, (i) => signedPost(i, drainBodies[i]));
  await setPostgres(true);
  const drained = await waitDrained(drainQueue.id);
  const drainRate = (drained.outbox.flushedRows / drained.outbox.flushMs) * 1000;
  // COPY of the same rows (the tenant's events and visits as the flush wrote them) into the same tables.
  const su = new pg.Client({ connectionString: superUrl });
  await su.connect();
  const events = (await su.query('SELECT * FROM events WHERE tenant_id = $1 AND queue_id = $2', [tenant.id, queue.id])).rows;
  const visits = (await su.query('SELECT * FROM queue_visits WHERE tenant_id = $1 AND queue_id = $2', [tenant.id, queue.id]))
    .rows;
  const interactions = (
    await su.query(
      'SELECT * FROM interactions i WHERE tenant_id = $1 AND EXISTS (SELECT 1 FROM queue_visits v WHERE v.tenant_id = i.tenant_id AND v.interaction_id = i.id AND v.queue_id = $2)',
      [tenant.id, queue.id],
    )
  ).rows;
  const csv = (v) =>
    v === null || v === undefined
      ? '\\N'
      : (v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(
          /[\\\t\n]/g,
          (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n' })[c],
        );
  const copy = async (table, rows) => {
    if (rows.length === 0) return 0;
    const cols = Object.keys(rows[0]);
    const lines = rows.map((r) => `${cols.map((c) => csv(c === 'id' ? `copy-${r[c]}` : r[c])).join('\t')}\n`);
    const t = performance.now();
    await pipeline(Readable.from(lines), su.query(copyFrom(`COPY ${table} (${cols.join(',')}) FROM STDIN`)));
    return performance.now() - t;
  };
  await su.query('BEGIN');
  const copyMs =
    (await copy('interactions', interactions)) + (await copy('queue_visits', visits)) + (await copy('events', events));
  await su.query('ROLLBACK');
  await su.end();
  const copyRows = interactions.length + visits.length + events.length;
  const copyRate = (copyRows / copyMs) * 1000;

  // A hot queue: HOT_RATE events/s offered for HOT_SECONDS (paced, at most HOT_IN_FLIGHT requests in
  // flight), the outbox backlog sampled twice a second, then the time to drain once the load stops.
  log(`hot queue: ${HOT_RATE} events/s offered for ${HOT_SECONDS} s through POST /v1/events (${HOT_BATCH} per request)`);
  const hot = await hotLoad({ base, key, hotKey, queueId: hotQueue.id, t0 });

  const result = {
    at: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    deliveries: DELIVERIES,
    eventsPerDelivery: BATCH,
    concurrency: CONCURRENCY,
    webhook: {
      deliveriesPerSec: hook.rps,
      eventsPerSec: hook.rps * BATCH,
      p50Ms: hook.p50,
      p99Ms: hook.p99,
      failed: hook.failed,
    },
    bareRpc: { requestsPerSec: rpc.rps, p50Ms: rpc.p50, p99Ms: rpc.p99, failed: rpc.failed },
    twoHopRpc: { requestsPerSec: rpc2.rps, p50Ms: rpc2.p50, p99Ms: rpc2.p99, failed: rpc2.failed },
    rounds: ROUNDS,
    throughputRatio: hook.rps / rpc.rps,
    twoHopToRpcRatio: rpc2.rps / rpc.rps,
    webhookToTwoHopRatio: hook.rps / rpc2.rps,
    p50Ratio: hook.p50 / rpc.p50,
    flushUnderLoad: { rows: flushRows, ms: live.outbox.flushMs, rowsPerSec: flushRate },
    flushDrain: {
      rows: drained.outbox.flushedRows,
      ms: drained.outbox.flushMs,
      rowsPerSec: drainRate,
      ingestWhileOffline: { deliveriesPerSec: offline.rps, failed: offline.failed },
    },
    copy: { rows: copyRows, ms: copyMs, rowsPerSec: copyRate },
    hotQueue: hot,
    flushToCopyRatio: flushRate / copyRate,
    drainToCopyRatio: drainRate / copyRate,
  };
  const f = (n, d = 1) => n.toFixed(d);
  console.log(`
Ingestion benchmark (${result.machine}; ${DELIVERIES} deliveries × ${BATCH} events, concurrency ${CONCURRENCY}, wrangler dev)
  signed webhook      ${f(hook.rps)} deliveries/s = ${f(hook.rps * BATCH)} events/s   p50 ${f(hook.p50)} ms   p99 ${f(hook.p99)} ms   failed ${hook.failed}
  bare Worker→DO RPC  ${f(rpc.rps)} requests/s                    p50 ${f(rpc.p50)} ms   p99 ${f(rpc.p99)} ms   failed ${rpc.failed}
  two-hop RPC         ${f(rpc2.rps)} requests/s                    p50 ${f(rpc2.p50)} ms   p99 ${f(rpc2.p99)} ms   failed ${rpc2.failed}
  ratio               webhook/RPC throughput ${f(result.throughputRatio, 2)}, p50 latency ×${f(result.p50Ratio, 2)}
                      (two-hop/RPC ${f(result.twoHopToRpcRatio, 2)}: the ceiling of a design through two Durable Objects; webhook/two-hop ${f(result.webhookToTwoHopRatio, 2)})
  outbox flush        under load: ${flushRows} rows in ${live.outbox.flushMs} ms of flushing = ${f(flushRate)} rows/s
                      draining alone: ${drained.outbox.flushedRows} rows in ${drained.outbox.flushMs} ms = ${f(drainRate)} rows/s
                      (ingest kept going with Postgres unreachable: ${f(offline.rps)} deliveries/s, ${offline.failed} failed)
  COPY same rows      ${copyRows} rows in ${f(copyMs)} ms = ${f(copyRate)} rows/s
  ratio               flush/COPY under load ${f(result.flushToCopyRatio, 3)}, draining ${f(result.drainToCopyRatio, 3)}
  hot queue           offered ${HOT_RATE} events/s for ${HOT_SECONDS} s: ingested ${f(hot.eventsPerSec)} events/s (${hot.failed} failed)
                      outbox backlog during the load: median ${hot.backlogMedian}, max ${hot.backlogMax}, at the end ${hot.backlogAtEnd} rows
                      (history ${f(hot.lagSecondsAtEnd)} s behind); drained ${f(hot.drainAfterMs / 1000)} s after the load stopped
                      flush ${hot.flushedRows} rows in ${hot.flushMs} ms of flushing = ${f(hot.flushRowsPerSec)} rows/s (${f(hot.flushRowsPerSec / copyRate, 3)} of COPY)
`);
  const out = path.join(root, 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `ingest-${result.at.slice(0, 19).replaceAll(':', '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`written to ${path.relative(root, file)}`);
}

/** The hot-queue phase (see main). */
async function hotLoad({ base, key, hotKey, queueId, t0 }) {
  const get = async (p) => {
    const res = await fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const before = (await get(`/v1/queues/${queueId}/live`)).outbox;
  const requests = Math.ceil((HOT_RATE * HOT_SECONDS) / HOT_BATCH);
  const interval = (HOT_BATCH / HOT_RATE) * 1000;
  const post = (k) => {
    const events = [];
    for (let j = 0; j < HOT_BATCH; j += 2) {
      const call = `hot-${k}-${j / 2}`;
      const s = t0 + k * 1000 + j * 10;
      events.push({
        id: `${call}:join`,
        type: 'queue.joined',
        occurredAt: new Date(s).toISOString(),
        interactionId: call,
        queueId,
      });
      events.push({
        id: `${call}:left`,
        type: 'queue.left',
        occurredAt: new Date(s + 5000).toISOString(),
        interactionId: call,
        queueId,
        attrs: { outcome: 'abandoned' },
      });
    }
    return fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${hotKey}` },
      body: JSON.stringify({ events }),
    });
  };
  const samples = [];
  let running = true;
  const started = performance.now();
  const sampler = (async () => {
    while (running) {
      const o = (await get(`/v1/queues/${queueId}/live`)).outbox;
      samples.push({ s: (performance.now() - started) / 1000, backlog: o.backlog });
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: HOT_IN_FLIGHT }, async () => {
      while (next < requests) {
        const k = next++;
        const due = started + k * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const res = await post(k);
        if (!res.ok) {
          failed++;
          if (failed <= 3) log(`hot request ${k} failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
        } else await res.arrayBuffer();
      }
    }),
  );
  const loadMs = performance.now() - started;
  running = false;
  await sampler;
  const atEnd = (await get(`/v1/queues/${queueId}/live`)).outbox;
  const stopped = performance.now();
  let after = atEnd;
  for (let i = 0; after.backlog > 0; i++) {
    if (i > 3000) throw new Error(`hot queue did not drain: ${JSON.stringify(after)}`);
    await new Promise((r) => setTimeout(r, 100));
    after = (await get(`/v1/queues/${queueId}/live`)).outbox;
  }
  const drainAfterMs = performance.now() - stopped;
  const eventsPerSec = (((requests - failed) * HOT_BATCH) / loadMs) * 1000;
  // Outbox rows per event offered (the event, its visit and its interaction): turns a backlog into seconds.
  const rowsPerEvent = (after.flushedRows - before.flushedRows) / ((requests - failed) * HOT_BATCH);
  const sorted = samples.map((x) => x.backlog).sort((a, b) => a - b);
  return {
    offeredEventsPerSec: HOT_RATE,
    seconds: HOT_SECONDS,
    eventsPerRequest: HOT_BATCH,
    eventsPerSec,
    failed,
    backlogMedian: percentile(sorted, 50) ?? 0,
    backlogMax: sorted.at(-1) ?? 0,
    backlogAtEnd: atEnd.backlog,
    lagSecondsAtEnd: atEnd.backlog / rowsPerEvent / eventsPerSec,
    drainAfterMs,
    flushedRows: after.flushedRows - before.flushedRows,
    flushMs: after.flushMs - before.flushMs,
    flushRowsPerSec: ((after.flushedRows - before.flushedRows) / (after.flushMs - before.flushMs)) * 1000,
    rowsPerEvent,
    backlogSamples: samples.map((x) => [Number(x.s.toFixed(1)), x.backlog]),
  };
}

runBenchmark(main, cleanup);
