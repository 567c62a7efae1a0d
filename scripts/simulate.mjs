#!/usr/bin/env node
// `npm run simulate -- [options]` (docs/simulator.md): a simulated contact center posting signed webhooks
// to a running Callboard — the generic connector (Standard Webhooks) and a Twilio connector
// (X-Twilio-Signature) — or a CSV in the import format replayed through POST /v1/events. A client of the
// public API only. `--help` lists the options.
//
// Exit code 0: everything sent was taken; 1: some requests or events were refused, or requests failed for
// good; 2: it could not start (options, tenant file, setup).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoTenant, readTenantFile } from './lib/demo.mjs';
import { DRAIN_RESERVE_MS, timeMap } from './lib/sim/clock.mjs';
import { runTag } from './lib/sim/generic.mjs';
import { simulate } from './lib/sim/model.mjs';
import { parseSimArgs, resolveStart, USAGE } from './lib/sim/options.mjs';
import { planSimulation } from './lib/sim/plan.mjs';
import { newCallStats, progressLine, shortDuration, startProgress } from './lib/sim/progress.mjs';
import { importMapping, moveFacts, readImportFile, replayFacts } from './lib/sim/replay.mjs';
import { eventsRequest } from './lib/sim/requests.mjs';
import { createWaiter, runFacts } from './lib/sim/runner.mjs';
import { createSender, newSendStats } from './lib/sim/sender.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// On a terminal the progress line may be showing: write over it (it is redrawn).
const say = (msg) => process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}[simulate] ${msg}\n`);
const fail = (msg) => {
  say(msg);
  process.exit(2);
};

let opts;
try {
  opts = parseSimArgs(process.argv.slice(2), {
    nowMs: Date.now(),
    env: process.env,
    localTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
} catch (err) {
  process.stderr.write(`${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const tenantFile = path.resolve(opts.tenantFile ?? path.join(root, '.data', 'demo.json'));

async function loadTenant() {
  if (opts.setup) {
    let token = opts.platformToken;
    const local = path.join(root, '.data', 'local.json');
    if (!token && fs.existsSync(local)) token = JSON.parse(fs.readFileSync(local, 'utf8')).platformToken;
    if (!token)
      fail('--setup needs the platform token: --platform-token, PLATFORM_TOKEN, or .data/local.json (npm start makes it)');
    return ensureDemoTenant({
      baseUrl: opts.url,
      platformToken: token,
      file: tenantFile,
      timeZone: opts.timeZone ?? opts.localTimeZone,
      queues: opts.queues,
      agents: opts.agents,
      log: say,
    });
  }
  const tenant = readTenantFile(tenantFile);
  if (!tenant) {
    fail(
      `no tenant file at ${tenantFile}: run \`npm start\` (it makes the demo tenant and .data/demo.json), ` +
        'or add --setup to make one with the platform token, or name one with --tenant-file',
    );
  }
  return tenant;
}

/** The simulated center: its plan (plan.mjs) and how to describe the run. */
function simulation(tenant, nowMs) {
  const timeZone = opts.timeZone ?? tenant.tenant?.timeZone ?? opts.localTimeZone;
  const startMs = resolveStart(opts, timeZone);
  let plan;
  try {
    plan = planSimulation(tenant, {
      baseUrl: opts.url,
      seed: opts.seed,
      startMs,
      arrivalsUntilMs: opts.live ? Number.POSITIVE_INFINITY : opts.durationMs,
      // A finite run ends on time: what is still under way a reserve after the last caller is closed.
      endMs: opts.live ? Number.POSITIVE_INFINITY : opts.durationMs + DRAIN_RESERVE_MS,
      timeZone,
      hourly: opts.profile.hourly,
      staffing: opts.profile.staffing,
      callsPerHour: opts.rate,
      handling: opts.handling,
      patience: opts.patience,
      ahtScale: opts.ahtScale,
      queues: opts.queues,
      agents: opts.agents,
      provider: opts.provider,
    });
  } catch (err) {
    fail(err.message);
  }
  return {
    facts: simulate(plan.config),
    clock: timeMap({ realStartMs: nowMs, speed: opts.speed, startMs }),
    timeZone,
    tag: plan.tag,
    ids: `sim-${plan.tag}-…`,
    endT: plan.config.endMs,
    route: plan.route,
    batchRequest: plan.batchRequest,
    describe: () =>
      `${plan.queues.length} queues, ${plan.agents.length} agents, ${plan.config.callsPerHour} calls/h at the peak ` +
      `(profile ${opts.profile.name}, ${plan.config.staffing} staffing, ${timeZone}), ` +
      `${opts.provider === 'mixed' ? 'generic + Twilio' : opts.provider}`,
  };
}

/** The replayed file: its events on the clock, through POST /v1/events. */
async function replay(tenant, nowMs) {
  const key = opts.key ?? tenant.apiKey;
  if (!key) fail('--replay posts to /v1/events: it needs an API key (--key, CALLBOARD_KEY, or the tenant file)');
  const original = opts.start === 'original';
  const m = await importMapping();
  const { rows, problems } = await readImportFile(opts.replay, original ? nowMs : Number.POSITIVE_INFINITY);
  if (problems.length > 0) {
    say(`${problems.length} rows refused by the import format (not replayed), e.g.:`);
    for (const p of problems.slice(0, 5)) say(`  line ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.problem}`);
  }
  if (rows.length === 0) fail(`${opts.replay}: no row to replay`);
  const base = replayFacts(rows, m);
  const firstMs = base[0].at;
  const spanMs = base.at(-1).t;
  const timeZone = opts.timeZone ?? tenant.tenant?.timeZone ?? opts.localTimeZone;
  const startMs = original ? firstMs : resolveStart(opts, timeZone, spanMs);
  const tag = runTag(opts.seed, startMs);
  const facts = original ? base : moveFacts(base, { shiftMs: startMs - firstMs, tag, prefix: m.IMPORT_EVENT_PREFIX });
  return {
    facts,
    clock: timeMap({ realStartMs: nowMs, speed: opts.speed, startMs }),
    timeZone,
    tag: original ? null : tag,
    ids: original ? `${m.IMPORT_EVENT_PREFIX}<rowKey>:… (as the import makes them)` : `sim-${tag}:<rowKey>:…`,
    endT: spanMs,
    route: (fact) => ({ batch: [fact.event], single: [] }),
    batchRequest: (events) => eventsRequest({ baseUrl: opts.url, key, events }),
    describe: () =>
      `${rows.length} rows of ${path.basename(opts.replay)}, ${facts.length} events over ${shortDuration(spanMs)}` +
      (original ? ' at their own times' : ''),
  };
}

async function main() {
  const tenant = await loadTenant();
  // The real instant the clock starts from (after a --setup that may have taken a while).
  opts.nowMs = Date.now();
  const nowMs = opts.nowMs;
  const run = opts.replay ? await replay(tenant, nowMs) : simulation(tenant, nowMs);
  const { clock } = run;
  // Where the clock meets real time (simulated offset), and whether the run gets there.
  const meetsAt = clock.speed > 1 && clock.startMs < nowMs ? (nowMs - clock.startMs) / (1 - 1 / clock.speed) : 0;
  const meets = meetsAt > 0 && meetsAt <= run.endT + 1000;
  say(`tenant ${tenant.tenant?.id ?? '?'} at ${opts.url}: ${run.describe()}`);
  say(
    `clock starts ${new Date(clock.startMs).toISOString()} at ${opts.speed}×` +
      (meets ? `, reaches now in ${shortDuration(meetsAt / clock.speed)}${opts.live ? ', then goes on at 1×' : ''}` : '') +
      (Number.isFinite(run.endT) ? `, ends in ${shortDuration(clock.dueAt(run.endT) - nowMs)}` : '') +
      `; seed ${opts.seed}, ids ${run.ids}` +
      (!Number.isFinite(run.endT) ? '; Ctrl-C stops' : ''),
  );

  const calls = newCallStats();
  const send = newSendStats();
  const waiter = createWaiter();
  const sender = opts.dryRun
    ? {
        async send(req) {
          send.requests++;
          process.stdout.write(`${JSON.stringify({ url: req.url, headers: req.headers(), body: req.body })}\n`);
        },
        async drain() {},
        stop() {},
      }
    : createSender({ stats: send, concurrency: opts.concurrency });
  const loop = runFacts({
    facts: run.facts,
    clock,
    route: run.route,
    batchRequest: run.batchRequest,
    sender,
    calls,
    waiter,
    immediate: opts.dryRun,
  });
  const render = (done = false, compact = false) =>
    progressLine({
      calls,
      send,
      clockMs: loop.clockMs(),
      nowMs: Date.now(),
      speed: opts.speed,
      timeZone: run.timeZone,
      done,
      compact,
    });
  const progress = opts.dryRun ? null : startProgress({ stream: process.stderr, render, everyMs: opts.progressEveryMs });

  let signals = 0;
  const stop = (signal) => {
    signals++;
    if (signals > 1) process.exit(130);
    say(`${signal}: finishing the requests in flight (again to quit at once)`);
    waiter.stop();
    // Requests still retrying get one more attempt at most.
    setTimeout(() => sender.stop(), 2000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Whoever started us went away (npm start killed hard): stop too, rather than post to nobody for ever.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && signals === 0) stop('parent gone');
  }, 1000).unref();

  await loop.done;
  progress?.finish();
  const summary = {
    tenant: tenant.tenant?.id ?? null,
    tag: run.tag,
    seed: opts.seed,
    start: new Date(clock.startMs).toISOString(),
    speed: opts.speed,
    calls,
    requests: { sent: send.requests, ok: send.ok, refused: send.refused, failed: send.failed, retries: send.retries },
    events: { accepted: send.accepted, duplicates: send.duplicates, rejected: send.rejected },
    problems: send.problems,
    stopped: waiter.stopped,
  };
  if (!opts.dryRun) process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(send.refused + send.failed + send.rejected > 0 ? 1 : 0);
}

main().catch((err) => {
  say(err.stack ?? String(err));
  process.exit(2);
});
