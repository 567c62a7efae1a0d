#!/usr/bin/env node
// npm run bench:live — how soon an event reaches a live subscriber, against the platform's floor, in one run:
//   1. latency: events posted at RATE events/s across QUEUES queues (one call each: joined then abandoned, through
//      POST /v1/events), SUBSCRIBERS WebSocket connections on GET /v1/live/stream watching every queue; for each
//      event, the time from sending it to each subscriber's first snapshot of its queue that counts it
//      (today's offered reaches its number: each queue's events are sent one after another). The baseline: the
//      same rate of POSTs to a bare Durable Object that sends the body to the same number of hibernatable
//      sockets (bench/worker.ts PushDO) — the floor of "event in, message out" here. Interleaved rounds.
//   2. subscribers per queue: N connections on one queue while it changes 20 times a second (so it pushes its
//      maximum, 4 a second); the pushes each connection got per second, the latency, connections dropped.
// Options: --rate N --queues N --subscribers N --seconds N --rounds N --fanout 100,250,500,1000
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { root, runBenchmark, startStack } from './lib/stack.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RATE = Number(arg('rate', 100));
const QUEUES = Number(arg('queues', 10));
const SUBSCRIBERS = Number(arg('subscribers', 10));
const SECONDS = Number(arg('seconds', 20));
const ROUNDS = Number(arg('rounds', 2));
const FANOUT = String(arg('fanout', '100,250,500,1000')).split(',').map(Number);

const log = (m) => console.log(`[bench] ${m}`);
const cleanup = [];
const percentile = (sorted, p) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (latencies) => {
  const s = [...latencies].sort((a, b) => a - b);
  const r = (v) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? null),
  };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The length of the last message read (the baseline's fan-out sends messages as long as a snapshot). */
let lastLength = 0;

/**
 * What the benchmark reads of a message, without parsing all of it: one Node process reads every subscriber's
 * messages (a thousand connections at 4 pushes a second is 4,000 snapshots a second), and parsing each whole would
 * measure this process, not the server. A snapshot's first `"metrics":{"offered":{"value":N` is today's.
 */
function peek(text) {
  lastLength = text.length;
  if (text.startsWith('{"i":')) return { i: Number(/^\{"i":(\d+)/.exec(text)?.[1]) };
  if (!text.includes('"type":"snapshot"')) return JSON.parse(text);
  const num = (re) => Number(re.exec(text)?.[1]);
  return {
    n: num(/^\{"n":(\d+)/),
    type: 'snapshot',
    queueId: /"queueId":"([^"]+)"/.exec(text)?.[1],
    initial: text.includes('"initial":true'),
    data: { today: { metrics: { offered: { value: num(/"metrics":\{"offered":\{"value":(\d+)/) } } } },
  };
}

/** Opens `n` sockets; each acknowledges every message (the stream's protocol) and hands it to `onMessage`. */
async function openSockets(n, url, headers, onMessage) {
  const sockets = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(50, n - i) },
        (_, j) =>
          new Promise((resolve, reject) => {
            const ws = new WebSocket(url, { headers });
            const index = i + j;
            ws.on('message', (data) => {
              const at = performance.now();
              const m = peek(data.toString());
              // Every message is acknowledged, the baseline's too: the same traffic back to the server either way.
              const n = m.n ?? m.i;
              if (n !== undefined) ws.send(`{"type":"ack","n":${n}}`);
              onMessage(index, m, at);
            });
            ws.once('open', () => resolve(ws));
            ws.once('error', reject);
          }),
      ),
    );
    sockets.push(...batch);
  }
  const closes = [];
  for (const ws of sockets) ws.on('close', (code) => closes.push(code));
  const close = () => {
    for (const ws of sockets) ws.terminate();
  };
  return { sockets, closes, close };
}

/** Sends `total` events at `rate` per second: `send(i)` is awaited per lane (one lane per queue), lanes in parallel. */
async function paced(total, rate, lanes, send) {
  const started = performance.now();
  let failed = 0;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < total; i += lanes) {
        const due = started + (i / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (!(await send(i))) failed++;
      }
    }),
  );
  return { failed, wallMs: performance.now() - started };
}

async function main() {
  const { base, api, platformToken } = await startStack({ name: 'callboard-bench-live', config: 'bench/wrangler.toml', cleanup });
  const wsBase = base.replace(/^http/, 'ws');
  const { apiKey } = await api('POST', '/v1/tenants', { name: 'Live bench' }, platformToken);
  const key = apiKey.key;
  const ingestKey = (
    await api('POST', '/v1/api-keys', { name: 'Load', scopes: ['ingest'], rateLimit: { limit: 100_000, windowSeconds: 1 } }, key)
  ).key;
  const queues = [];
  for (let q = 0; q < Math.max(QUEUES, 1); q++) queues.push((await api('POST', '/v1/queues', { name: `Live ${q}` }, key)).id);
  // Subscribers authenticate with a reader key whose rate limit lets a thousand connections open at once.
  const readKey = (
    await api('POST', '/v1/api-keys', { name: 'Watch', scopes: ['read'], rateLimit: { limit: 100_000, windowSeconds: 1 } }, key)
  ).key;
  const auth = { Authorization: `Bearer ${readKey}` };
  let callSeq = 0;
  /** One call (joined, then abandoned a second later) into a queue; answers whether it was accepted. */
  const postCall = async (queueId) => {
    const id = `c${callSeq++}`;
    const at = Date.now() - 2000;
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({
        events: [
          { id: `${id}:j`, type: 'queue.joined', occurredAt: new Date(at).toISOString(), interactionId: id, queueId },
          {
            id: `${id}:l`,
            type: 'queue.left',
            occurredAt: new Date(at + 1000).toISOString(),
            interactionId: id,
            queueId,
            attrs: { outcome: 'abandoned' },
          },
        ],
      }),
    });
    await res.arrayBuffer();
    return res.ok;
  };

  const offered = new Map(queues.map((q) => [q, 0]));
  const results = { callboard: [], baseline: [] };

  /** Callboard: each subscriber's first snapshot counting the k-th call of a queue, minus when it was sent. */
  async function callboardRound(total) {
    const sentAt = new Map(queues.map((q) => [q, []]));
    const accepted = [];
    const seen = new Map(); // subscriber → queue → highest offered seen
    const latencies = [];
    const { close, closes } = await openSockets(SUBSCRIBERS, `${wsBase}/v1/live/stream`, auth, (s, m, at) => {
      if (m.type !== 'snapshot' || m.initial) return;
      const count = m.data.today.metrics.offered.value - (offered.get(m.queueId) ?? 0);
      const mine = seen.get(s) ?? new Map();
      seen.set(s, mine);
      const before = mine.get(m.queueId) ?? 0;
      const sends = sentAt.get(m.queueId) ?? [];
      for (let k = before; k < Math.min(count, sends.length); k++) latencies.push(at - sends[k]);
      mine.set(m.queueId, Math.max(before, count));
    });
    await sleep(1000);
    const lanes = queues.length;
    const load = await paced(total, RATE, lanes, async (i) => {
      const q = queues[i % lanes];
      const t0 = performance.now();
      sentAt.get(q).push(t0);
      const ok = await postCall(q);
      accepted.push(performance.now() - t0);
      return ok;
    });
    await sleep(1500);
    close();
    for (const q of queues) offered.set(q, (offered.get(q) ?? 0) + (sentAt.get(q)?.length ?? 0));
    return {
      ...load,
      latencies,
      accepted,
      closes: closes.filter((c) => c !== 1005 && c !== 1006).length,
      expected: total * SUBSCRIBERS,
    };
  }

  /** The baseline: the same rate of POSTs to a PushDO with as many sockets. */
  async function baselineRound(total, room) {
    const sentAt = [];
    const accepted = [];
    const latencies = [];
    const { close } = await openSockets(SUBSCRIBERS, `${wsBase}/__bench/push/${room}`, {}, (_s, m, at) => {
      if (m.i !== undefined && sentAt[m.i] !== undefined) latencies.push(at - sentAt[m.i]);
    });
    await sleep(500);
    const load = await paced(total, RATE, Math.max(QUEUES, 1), async (i) => {
      sentAt[i] = performance.now();
      const res = await fetch(`${base}/__bench/push/${room}`, {
        method: 'POST',
        body: JSON.stringify({ i, pad: 'x'.repeat(64) }),
      });
      await res.arrayBuffer();
      accepted.push(performance.now() - sentAt[i]);
      return res.ok;
    });
    await sleep(1000);
    close();
    return { ...load, latencies, accepted, expected: total * SUBSCRIBERS };
  }

  // Warm-up: a few seconds of each.
  log('warm-up');
  await baselineRound(Math.min(RATE * 2, 200), 'warm');
  await callboardRound(Math.min(RATE * 2, 200));

  const total = RATE * SECONDS;
  for (let r = 0; r < ROUNDS; r++) {
    log(`round ${r + 1}/${ROUNDS}: baseline, ${total} pushes to ${SUBSCRIBERS} sockets at ${RATE}/s`);
    results.baseline.push(await baselineRound(total, `room${r}`));
    log(`round ${r + 1}/${ROUNDS}: Callboard, ${total} calls across ${QUEUES} queues at ${RATE}/s to ${SUBSCRIBERS} subscribers`);
    results.callboard.push(await callboardRound(total));
  }
  const merged = (rs) => ({
    ...summary(rs.flatMap((r) => r.latencies)),
    request: summary(rs.flatMap((r) => r.accepted)),
    failedRequests: rs.reduce((n, r) => n + r.failed, 0),
    delivered: rs.reduce((n, r) => n + r.latencies.length, 0),
    expected: rs.reduce((n, r) => n + r.expected, 0),
    achievedRate: Math.round(
      (rs.reduce((n, r) => n + r.expected / SUBSCRIBERS, 0) / rs.reduce((n, r) => n + r.wallMs, 0)) * 1000,
    ),
  });
  const latency = { callboard: merged(results.callboard), baseline: merged(results.baseline) };
  for (const [name, l] of Object.entries(latency)) {
    log(
      `${name}: event → message p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} ms (${l.delivered}/${l.expected} messages); its POST answered p50 ${l.request.p50} p95 ${l.request.p95} ms`,
    );
  }

  // 2. Subscribers one queue sustains at its maximum of 4 pushes a second.
  const fanout = [];
  const hot = (await api('POST', '/v1/queues', { name: 'Fan-out' }, key)).id;
  let hotOffered = 0;
  for (const n of FANOUT) {
    const pushes = new Array(n).fill(0);
    const lat = [];
    const sentAt = [];
    const seen = new Array(n).fill(0);
    const { close, closes } = await openSockets(n, `${wsBase}/v1/live/stream?queues=${hot}`, auth, (s, m, at) => {
      if (m.type !== 'snapshot' || m.initial) return;
      pushes[s] += 1;
      const count = m.data.today.metrics.offered.value - hotOffered;
      for (let k = seen[s]; k < Math.min(count, sentAt.length); k++) lat.push(at - sentAt[k]);
      seen[s] = Math.max(seen[s], count);
    });
    await sleep(1000);
    const seconds = 10;
    const load = await paced(20 * seconds, 20, 1, async () => {
      sentAt.push(performance.now());
      return postCall(hot);
    });
    await sleep(1500);
    close();
    hotOffered += sentAt.length;
    const perSecond = pushes.map((p) => p / (load.wallMs / 1000)).sort((a, b) => a - b);
    const row = {
      subscribers: n,
      pushesPerSecond: {
        min: Math.round(perSecond[0] * 100) / 100,
        median: Math.round(perSecond[Math.floor(n / 2)] * 100) / 100,
      },
      latency: summary(lat),
      dropped: closes.filter((c) => c !== 1005 && c !== 1006 && c !== 1000).length,
      failedRequests: load.failed,
    };
    // The same fan-out from a bare Durable Object: 4 messages a second as long as a snapshot, to as many sockets.
    const size = lastLength;
    const basePushes = new Array(n).fill(0);
    const baseLat = [];
    const baseSent = [];
    const bare = await openSockets(n, `${wsBase}/__bench/push/fan${n}`, {}, (s, m, at) => {
      if (m.i === undefined) return;
      basePushes[s] += 1;
      if (baseSent[m.i] !== undefined) baseLat.push(at - baseSent[m.i]);
    });
    await sleep(1000);
    const baseLoad = await paced(4 * seconds, 4, 1, async (i) => {
      baseSent[i] = performance.now();
      const pad = 'x'.repeat(Math.max(0, size - 20));
      const res = await fetch(`${base}/__bench/push/fan${n}`, { method: 'POST', body: `{"i":${i},"pad":"${pad}"}` });
      await res.arrayBuffer();
      return res.ok;
    });
    await sleep(1500);
    bare.close();
    const basePerSecond = basePushes.map((p) => p / (baseLoad.wallMs / 1000)).sort((a, b) => a - b);
    row.baseline = {
      messageBytes: size,
      pushesPerSecond: {
        min: Math.round(basePerSecond[0] * 100) / 100,
        median: Math.round(basePerSecond[Math.floor(n / 2)] * 100) / 100,
      },
      latency: summary(baseLat),
    };
    fanout.push(row);
    log(
      `fan-out ${n}: pushes/s per connection min ${row.pushesPerSecond.min} median ${row.pushesPerSecond.median}; latency p50 ${row.latency.p50} p95 ${row.latency.p95} ms; dropped ${row.dropped} | bare DO, ${size}-byte messages at 4/s: min ${row.baseline.pushesPerSecond.min}/s, p50 ${row.baseline.latency.p50} p95 ${row.baseline.latency.p95} ms`,
    );
  }

  const out = {
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length },
    options: { rate: RATE, queues: QUEUES, subscribers: SUBSCRIBERS, seconds: SECONDS, rounds: ROUNDS, fanout: FANOUT },
    latency,
    fanout,
  };
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `live-${out.at.replace(/[:.]/g, '').slice(0, 17)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`written ${path.relative(root, file)}`);
}

runBenchmark(main, cleanup);
