#!/usr/bin/env node
// `npm run import -- file.csv --tenant tnt_… --key cbk_… [--url http://127.0.0.1:8787] [--create-unknown]`
//
// Streams a CSV in the Callboard import format (docs/imports.md) to `POST /v1/imports` and shows a
// progress bar from `GET /v1/imports/{importId}` (the id is chosen here so it can be followed while the body
// still uploads). Exit code 0: every row imported or unchanged; 1: some rows refused (listed); 2: the
// import failed or could not start.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';

const usage =
  'usage: npm run import -- <file.csv> --tenant <tnt_…> --key <api key> [--url http://127.0.0.1:8787] [--create-unknown] [--id imp_…]';
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string', default: process.env.CALLBOARD_URL ?? 'http://127.0.0.1:8787' },
      'create-unknown': { type: 'boolean', default: false },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = args;
if (values.help || positionals.length !== 1 || !values.key || !values.tenant) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
const file = positionals[0];
// An API key is `cbk_<tenantId>_<secret>`: a key of another tenant would import there, so refuse it here.
if (!values.key.startsWith(`cbk_${values.tenant}_`)) {
  console.error(`The key is not a key of tenant ${values.tenant}.`);
  process.exit(2);
}
let size;
try {
  size = fs.statSync(file).size;
} catch (err) {
  console.error(`Cannot read ${file}: ${err.message}`);
  process.exit(2);
}

const base = values.url.replace(/\/+$/, '');
const id = values.id ?? `imp_cli${randomBytes(12).toString('hex')}`;
const headers = { authorization: `Bearer ${values.key}` };
const query = new URLSearchParams({ id, unknownKeys: values['create-unknown'] ? 'create' : 'reject' });
const tty = process.stderr.isTTY;
const started = Date.now();

function bar(state) {
  const width = 30;
  const done = state.status === 'completed' ? 1 : Math.min(1, (state.bytesRead ?? 0) / Math.max(1, size));
  const filled = Math.round(done * width);
  const secs = (Date.now() - started) / 1000;
  const rate = secs > 0 ? Math.round((state.rowsRead ?? 0) / secs) : 0;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ` +
    `${state.rowsRead ?? 0} rows (${state.rowsImported ?? 0} imported, ${state.rowsUnchanged ?? 0} unchanged, ` +
    `${state.rowsFailed ?? 0} refused) ${secs.toFixed(1)} s, ${rate} rows/s`
  );
}
const show = (state) => {
  if (tty) process.stderr.write(`\r${bar(state)}\x1b[K`);
};

let finished = false;
async function poll() {
  while (!finished) {
    await new Promise((r) => setTimeout(r, 300));
    if (finished) break;
    try {
      const res = await fetch(`${base}/v1/imports/${id}`, { headers });
      if (res.ok && !finished) show(await res.json());
    } catch {
      // The upload's own answer decides; a missed sample is only a stale bar.
    }
  }
}

async function main() {
  const polling = poll();
  let res;
  try {
    res = await fetch(`${base}/v1/imports?${query}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
      body: Readable.toWeb(fs.createReadStream(file, { highWaterMark: 256 * 1024 })),
      duplex: 'half',
    });
  } catch (err) {
    finished = true;
    await polling;
    console.error(`\nCannot reach ${base}: ${err.cause?.message ?? err.message}`);
    return 2;
  }
  finished = true;
  await polling;
  const body = await res.json().catch(() => null);
  if (res.status !== 201 || !body) {
    if (tty) process.stderr.write('\n');
    console.error(`Import ${id} failed: ${res.status} ${body?.code ?? ''} ${body?.detail ?? ''}`);
    for (const e of body?.errors ?? []) console.error(`  ${e.pointer}: ${e.detail}`);
    if (res.status !== 422 && res.status !== 413) return 2;
    // A limit stopped it midway: say what got in.
    const state = await fetch(`${base}/v1/imports/${id}`, { headers }).then((r) => (r.ok ? r.json() : null));
    if (state?.rowsRead > 0) {
      console.error(
        `Before it stopped: ${state.rowsRead} rows read, ${state.rowsImported} imported, ${state.rowsUnchanged} unchanged, ${state.rowsFailed} refused.`,
      );
    }
    return 2;
  }
  if (tty) process.stderr.write(`\r${bar(body)}\x1b[K\n`);
  else console.error(bar(body));
  for (const p of body.problems) console.error(`  row ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.problem}`);
  if (body.problemsTruncated)
    console.error(`  … (${body.rowsFailed} rows refused in all; the first ${body.problems.length} problems shown)`);
  console.log(
    JSON.stringify({
      id: body.id,
      status: body.status,
      rowsRead: body.rowsRead,
      rowsImported: body.rowsImported,
      rowsUnchanged: body.rowsUnchanged,
      rowsFailed: body.rowsFailed,
      seconds: (Date.now() - started) / 1000,
    }),
  );
  return body.rowsFailed > 0 ? 1 : 0;
}

process.exitCode = await main();
