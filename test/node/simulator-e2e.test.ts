import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callApi, demoEnabled, demoWallboardLink, ensureDemoTenant } from '../../scripts/lib/demo.mjs';
import { freePort } from '../../scripts/lib/postgres.mjs';
import { startWranglerDev, waitForOk } from '../../scripts/lib/wrangler.mjs';

// End to end, the way `npm start` runs it: `wrangler dev` (against this run's Postgres, through the Neon
// WebSocket proxy the global setup started), the demo tenant made through the API, then
// `scripts/simulate.mjs` as a child process at 300× for 10 simulated minutes of callers (about 5 s),
// and what it sent read back from GET /v1/calls and the queues' live state. Most of the time is wrangler
// starting.

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callboard-sim-e2e-'));
const platformToken = `cbp_e2e_${randomBytes(16).toString('hex')}`;
const demoFile = path.join(dir, 'demo.json');
let base = '';
let stopWrangler: () => Promise<void> = async () => {};

beforeAll(async () => {
  const port = await freePort();
  const wrangler = startWranglerDev({
    root,
    port,
    persistTo: path.join(dir, 'wrangler'),
    envFile: path.join(dir, 'wrangler.env'),
    stdio: 'ignore',
    vars: {
      DATABASE_URL: inject('databaseUrl'),
      NEON_WS_PROXY: inject('neonWsProxy'),
      PLATFORM_TOKEN: platformToken,
      PLATFORM_KEYS: `1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'error',
    },
  });
  stopWrangler = () => wrangler.stop();
  base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health`, wrangler.child, 120_000);
}, 150_000);

afterAll(async () => {
  await stopWrangler();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Summary = {
  start: string;
  calls: { calls: number; offered: number; answered: number; abandoned: number; timedOut: number; otherOutcomes: number };
  requests: { sent: number; ok: number; refused: number; failed: number };
  events: { accepted: number; duplicates: number; rejected: number };
  problems: Record<string, number>;
};

/** Runs `npm run simulate` (the script itself, with the project's Node) and returns its summary line. */
function simulate(args: string[]): Promise<{ code: number | null; summary: Summary; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'simulate.mjs'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, summary: JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), stderr });
      } catch {
        reject(new Error(`no summary (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

type Call = { id: string; visits: { queueId: string; outcome: string | null }[] };

async function allCalls(key: string, from: string): Promise<Call[]> {
  const out: Call[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ from, limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await callApi(base, 'GET', `/v1/calls?${q}`, { token: key });
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

describe('npm run simulate against a running Callboard', () => {
  it('the demo tenant is made once; the simulated calls arrive through both connectors; a resend changes nothing', async () => {
    const demo = await ensureDemoTenant({ baseUrl: base, platformToken, file: demoFile, timeZone: 'UTC' });
    expect(fs.statSync(demoFile).mode & 0o777).toBe(0o600);
    expect(demo.sites).toHaveLength(2);
    expect(demo.teams).toHaveLength(3);
    expect(demo.queues).toHaveLength(4);
    expect(demo.agents).toHaveLength(20);
    expect(Object.keys(demo.connectors).sort()).toEqual(['generic', 'twilio']);
    // Again: nothing new is made, the file is the same.
    expect(await ensureDemoTenant({ baseUrl: base, platformToken, file: demoFile, timeZone: 'UTC' })).toEqual(demo);
    const queues = await callApi(base, 'GET', '/v1/queues', { token: demo.apiKey });
    expect(queues.body.data).toHaveLength(4);
    // The link carries a live token for every queue: the stream opens with it (a 426 to a plain GET, not a 401).
    const link = await demoWallboardLink({ baseUrl: base, demo });
    expect(link).toMatch(new RegExp(`^${base}/wallboard#token=cbl_`));
    const token = decodeURIComponent(link.split('#token=')[1] ?? '');
    expect((await callApi(base, 'GET', `/v1/live/stream?token=${encodeURIComponent(token)}`)).status).toBe(426);

    const args = ['--url', base, '--tenant-file', demoFile, '--speed', '300', '--duration', '10m'];
    const run = await simulate([...args, '--seed', 'e2e', '--profile', 'flat', '--rate', '240']);
    const { summary } = run;
    expect(run.code, run.stderr).toBe(0);
    expect(summary.problems).toEqual({});
    expect(summary.requests.refused + summary.requests.failed).toBe(0);
    expect(summary.events.rejected).toBe(0);
    expect(summary.events.accepted).toBeGreaterThan(200);
    expect(summary.calls.offered).toBeGreaterThan(20);

    // Every call the simulator made is in Postgres (written by the outboxes about a second later), with the
    // outcomes it simulated, whichever connector carried it.
    const from = summary.start;
    const outcomes = (calls: Call[], o: string) => calls.flatMap((c) => c.visits).filter((v) => v.outcome === o).length;
    let calls: Call[] = [];
    for (let i = 0; i < 60; i++) {
      calls = await allCalls(demo.apiKey, from);
      if (
        calls.length >= summary.calls.calls &&
        outcomes(calls, 'answered') === summary.calls.answered &&
        outcomes(calls, 'abandoned') === summary.calls.abandoned
      )
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(calls.length).toBe(summary.calls.calls);
    expect(outcomes(calls, 'answered')).toBe(summary.calls.answered);
    expect(outcomes(calls, 'abandoned')).toBe(summary.calls.abandoned);
    expect(calls.some((c) => c.id.startsWith('sim-e2e-'))).toBe(true); // generic connector
    expect(calls.some((c) => /^CA[0-9a-f]{32}$/.test(c.id))).toBe(true); // Twilio connector
    const live = await Promise.all(
      demo.queues.map((q: { id: string }) => callApi(base, 'GET', `/v1/queues/${q.id}/live`, { token: demo.apiKey })),
    );
    // The run ended: nobody waits, every agent logged out at its end.
    for (const l of live) {
      expect(l.status).toBe(200);
      expect(l.body.waiting).toBe(0);
      expect(l.body.agents.byState.offline).toBe(l.body.agents.list.length);
    }

    // The same seed and start again: the same ids, all duplicates.
    const again = await simulate([...args, '--seed', 'e2e', '--profile', 'flat', '--rate', '240', '--start', summary.start]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.summary.events.accepted).toBe(0);
    expect(again.summary.events.duplicates).toBe(summary.events.accepted);
  }, 120_000);
});

describe('npm start', () => {
  it('runs the demo unless --no-demo or CALLBOARD_DEMO=0', () => {
    expect(demoEnabled([], {})).toBe(true);
    expect(demoEnabled(['--no-demo'], {})).toBe(false);
    for (const off of ['0', 'false', 'off', 'no', ' OFF ']) expect(demoEnabled([], { CALLBOARD_DEMO: off })).toBe(false);
    expect(demoEnabled([], { CALLBOARD_DEMO: '1' })).toBe(true);
  });
});
