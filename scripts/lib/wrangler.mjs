// `wrangler dev` on loopback with the given vars, without login, metrics or the cf-object fetch (no
// outbound network), run by the project's own Node (wrangler needs >= 22.12).
//
// The vars (database URL with its password, platform token and keys) never go on wrangler's command
// line, where any user of the machine could read them in `ps`: they are written to an env file only
// the owner can read (mode 0600) and passed with `--env-file`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The env file's text: one `NAME='value'` per line. Single quotes keep the value literal in dotenv;
 * values that could break out of them (a quote, a newline) or that dotenv-expand would rewrite (`$`)
 * are refused rather than mangled.
 * @param {Record<string, string>} vars
 */
export function envFileText(vars) {
  const lines = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
    if (/['\r\n$\\]/.test(value)) throw new Error(`${name} holds a character the env file cannot carry literally`);
    lines.push(`${name}='${value}'`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the vars to `file`, readable by the owner only (also when the file already existed with a
 * wider mode: it is replaced, not rewritten in place).
 * @param {string} file
 * @param {Record<string, string>} vars
 */
export function writeEnvFile(file, vars) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, envFileText(vars), { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

/**
 * wrangler's arguments: names of files and ports only, never a secret value.
 * @param {{ root: string, port: number, persistTo: string, envFile: string, config?: string }} options
 */
export function wranglerDevArgs({ root, port, persistTo, envFile, config }) {
  return [
    path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    ...(config ? ['--config', config] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    persistTo,
    '--env-file',
    envFile,
    '--show-interactive-dev-session=false',
  ];
}

/**
 * @param {{ root: string, port: number, persistTo: string, envFile: string, vars: Record<string, string>, stdio?: 'inherit' | 'ignore' | number, config?: string, detached?: boolean }} options
 *   `stdio`: where wrangler's standard output (its request log and the Worker's logs) goes: the terminal, nowhere,
 *   or an open file descriptor; its errors always reach the terminal. `detached`: in a process group of its own, so
 *   a Ctrl-C in the terminal does not reach it and the caller stops it when it is ready (`stop()`, or when the
 *   caller exits).
 */
export function startWranglerDev({ root, port, persistTo, envFile, vars, stdio = 'inherit', config, detached = false }) {
  writeEnvFile(envFile, vars);
  const child = spawn(process.execPath, wranglerDevArgs({ root, port, persistTo, envFile, config }), {
    cwd: root,
    detached,
    stdio: ['ignore', stdio, 'inherit'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      DO_NOT_TRACK: '1',
      // The env file is read only while these hold; neither may be switched off or widened from outside.
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true',
      CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
    },
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 0)));
  const killOnExit = () => child.kill('SIGINT');
  if (detached) process.once('exit', killOnExit);
  return {
    child,
    exited,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', killOnExit);
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
