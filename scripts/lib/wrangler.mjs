// `wrangler dev` on loopback with the given vars, without login, metrics or the cf-object fetch (no
// outbound network), run by the project's own Node (wrangler needs >= 22.12).
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * @param {{ root: string, port: number, persistTo: string, vars: Record<string, string>, stdio?: 'inherit' | 'ignore' }} options
 */
export function startWranglerDev({ root, port, persistTo, vars, stdio = 'inherit' }) {
  const args = [
    path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
  ];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', stdio, 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', DO_NOT_TRACK: '1' },
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 0)));
  return {
    child,
    exited,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `url` answers 2xx; fails if the process exits or `timeoutMs` passes. */
export async function waitForOk(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return res.json();
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer ok within ${timeoutMs / 1000} s`);
}
