#!/usr/bin/env node
// Builds the Worker exactly as `wrangler deploy` would (dry run, offline) and checks what tests in
// vitest cannot see: that the production bundle builds, stays within Cloudflare's size limit, and
// carries the docs UI and the wallboard page as text modules (the wrangler.toml [[rules]], matched on the import specifier), not as executed JavaScript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'callboard-bundle-'));
try {
  const res = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', out], {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  if (res.status !== 0) {
    console.error(res.stdout, res.stderr);
    throw new Error('wrangler deploy --dry-run failed');
  }
  const files = fs.readdirSync(out);
  const text = (suffix) => files.find((f) => f.endsWith(suffix));
  for (const suffix of ['-swagger-ui-bundle.js', '-swagger-ui.css', '-wallboard.html', '-wallboard.css', '-wallboard.js']) {
    if (!text(suffix)) throw new Error(`the bundle has no text module *${suffix}: check [[rules]] in wrangler.toml`);
  }
  const gzipped = files
    .filter((f) => !f.endsWith('.map') && !f.endsWith('.md'))
    .reduce((sum, f) => sum + gzipSync(fs.readFileSync(path.join(out, f))).length, 0);
  const limit = 3 * 1024 * 1024; // Workers Free plan, compressed
  if (gzipped > limit) throw new Error(`the Worker is ${gzipped} bytes gzipped, over the ${limit} limit`);
  console.log(
    `bundle ok: ${(gzipped / 1024).toFixed(0)} KiB gzipped (limit ${limit / 1024} KiB), docs UI and wallboard as text modules`,
  );
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
