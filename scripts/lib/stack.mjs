// A whole local stack, started the way `npm start` starts it: its own Postgres in a temporary directory, migrated,
// the Neon WebSocket proxy, and `wrangler dev` with a Worker config. The benchmarks (bench/) and the browser test
// (test/browser/) run against it. Everything it starts is pushed onto `cleanup`, to be undone in reverse order by
// the caller.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareLocalDatabase } from './database.mjs';
import { startNeonWsProxy } from './neon-ws-proxy.mjs';
import { freePort, startPostgres } from './postgres.mjs';
import { startWranglerDev, waitForOk } from './wrangler.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const secret = () => randomBytes(24).toString('base64url');

/**
 * @param {{ name: string, config: string, fastPostgres?: boolean, proxyControl?: boolean, cleanup: (() => unknown)[] }} o
 *   `config`: the wrangler config, relative to the repository; `fastPostgres`: fsync off (for generated data, not for
 *   measuring writes); `proxyControl`: the proxy can be switched off (Postgres "unreachable").
 */
export async function startStack({ name, config, fastPostgres = false, proxyControl = false, cleanup }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.chmodSync(dir, 0o755);
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pgServer = await startPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    password: secret(),
    fast: fastPostgres,
  });
  cleanup.push(() => pgServer.stop());
  const { appUrl } = await prepareLocalDatabase({ superUrl: pgServer.url, ownerPassword: secret(), appPassword: secret() });
  const proxy = await startNeonWsProxy({ control: proxyControl });
  cleanup.push(() => proxy.close());
  const port = await freePort();
  const platformToken = `cbp_stack_${randomBytes(16).toString('hex')}`;
  const wrangler = startWranglerDev({
    root,
    port,
    config: path.join(root, config),
    persistTo: path.join(dir, 'wrangler'),
    envFile: path.join(dir, 'wrangler.env'),
    stdio: 'ignore',
    vars: {
      DATABASE_URL: appUrl,
      NEON_WS_PROXY: proxy.address,
      PLATFORM_TOKEN: platformToken,
      PLATFORM_KEYS: `1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'error',
    },
  });
  cleanup.push(() => wrangler.stop());
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health`, wrangler.child, 120_000);
  /** A JSON request to the API; anything but 2xx throws with the answer. */
  const api = async (method, p, body, token) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    base,
    api,
    platformToken,
    /** The application role's connection string (what the Worker connects as: row-level security applies). */
    appUrl,
    /** A superuser's connection string to the application's database (row-level security does not apply). */
    superUrl: pgServer.url.replace(/\/postgres$/, '/callboard'),
    setPostgres: (on) => fetch(`${proxy.controlUrl}?enabled=${on ? 1 : 0}`, { method: 'POST' }),
  };
}
