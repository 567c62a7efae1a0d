// `npm run simulate` options (docs/simulator.md, "Options"): parsed and checked here, without side effects.
import { parseArgs } from 'node:util';
import { catchUpStart, DRAIN_RESERVE_MS, parseDuration } from './clock.mjs';
import { parseProfile, startOfLocalDay } from './profile.mjs';

export const USAGE = `usage: npm run simulate -- [options]

  --url URL               Callboard to post to (default http://127.0.0.1:8787, or CALLBOARD_URL)
  --tenant-file FILE      tenant, keys, connectors, queues and agents (default .data/demo.json, written by npm start)
  --setup                 create the tenant file's tenant first if it does not exist (platform token from
                          --platform-token T, PLATFORM_TOKEN or .data/local.json); --queues/--agents say how many
  --speed N               simulated seconds per real second (default 1)
  --duration D            simulated time in which callers arrive: 90s, 15m, 2h, 1h30m (default: forever at
                          speed 1, else 1h); the clock starts that far in the past so it ends at now
  --live                  after catching up with real time, go on at 1× (callers keep arriving)
  --start T               where the simulated clock starts: an ISO instant, now, today (local midnight), -2h
  --seed S                random seed (default 1); ids are derived from it and the start
  --queues N, --agents N  simulate the first N queues / agents of the tenant file
  --profile P             office, demo, flat, or 24 comma-separated hourly weights (default office)
  --time-zone Z           the zone the profile's hours (and --start today) are read in (default: the tenant's)
  --rate R                calls per hour at the profile's peak (default: what keeps agents ~80 % busy)
  --handling D            lognormal (default) or exponential handling times
  --aht-scale X           multiply the handling times (default 1; npm start's demo uses 0.5)
  --patience D            exponential (default) or lognormal patience
  --provider P            mixed (default: each queue and agent through its own connector), generic or twilio
  --replay FILE           replay a CSV in the import format (docs/imports.md) instead, through POST /v1/events;
                          --start original keeps its own times and ids (the same events an import makes)
  --key K                 the API key of a replay (default CALLBOARD_KEY, or the tenant file's)
  --concurrency N         requests in flight at most (default 4)
  --progress-every D      progress line period when not on a terminal (default 10s)
  --dry-run               print the requests as JSON lines instead of sending them, as fast as possible
`;

/**
 * The run's options from its arguments; throws an Error whose message says what is wrong.
 * @param {string[]} argv
 * @param {{ nowMs: number, env?: Record<string, string | undefined>, localTimeZone?: string }} ctx
 */
export function parseSimArgs(argv, { nowMs, env = {}, localTimeZone = 'UTC' }) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      url: { type: 'string' },
      'tenant-file': { type: 'string' },
      setup: { type: 'boolean', default: false },
      'platform-token': { type: 'string' },
      speed: { type: 'string', default: '1' },
      duration: { type: 'string' },
      live: { type: 'boolean', default: false },
      start: { type: 'string' },
      seed: { type: 'string', default: '1' },
      queues: { type: 'string' },
      agents: { type: 'string' },
      profile: { type: 'string', default: 'office' },
      rate: { type: 'string' },
      'time-zone': { type: 'string' },
      handling: { type: 'string', default: 'lognormal' },
      'aht-scale': { type: 'string', default: '1' },
      patience: { type: 'string', default: 'exponential' },
      provider: { type: 'string', default: 'mixed' },
      replay: { type: 'string' },
      key: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      'progress-every': { type: 'string', default: '10s' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument: ${positionals[0]}`);
  const number = (name, value, { min = 0, integer = false } = {}) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new Error(`--${name}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${value}'`);
    }
    return n;
  };
  const oneOf = (name, value, allowed) => {
    if (!allowed.includes(value)) throw new Error(`--${name}: one of ${allowed.join(', ')}`);
    return value;
  };

  const speed = number('speed', values.speed, { min: 0.001 });
  const live = values.live || (speed === 1 && values.duration === undefined && !values.replay);
  let durationMs;
  if (values.duration !== undefined) durationMs = parseDuration(values.duration);
  else durationMs = speed === 1 ? Number.POSITIVE_INFINITY : 3_600_000;
  if (!live && !Number.isFinite(durationMs) && speed > 1 && !values.replay) {
    throw new Error('--duration: a run faster than real time needs a finite duration (it ends at now), or --live');
  }

  return {
    help: values.help,
    url: (values.url ?? env.CALLBOARD_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
    tenantFile: values['tenant-file'],
    setup: values.setup,
    platformToken: values['platform-token'] ?? env.PLATFORM_TOKEN,
    speed,
    durationMs,
    live,
    start: values.start,
    seed: values.seed,
    queues: values.queues === undefined ? undefined : number('queues', values.queues, { min: 1, integer: true }),
    agents: values.agents === undefined ? undefined : number('agents', values.agents, { min: 1, integer: true }),
    profile: parseProfile(values.profile),
    rate: values.rate === undefined ? undefined : number('rate', values.rate),
    timeZone: values['time-zone'] ?? undefined,
    localTimeZone,
    handling: oneOf('handling', values.handling, ['lognormal', 'exponential']),
    ahtScale: number('aht-scale', values['aht-scale'], { min: 0.01 }),
    patience: oneOf('patience', values.patience, ['exponential', 'lognormal']),
    provider: oneOf('provider', values.provider, ['mixed', 'generic', 'twilio']),
    replay: values.replay,
    key: values.key ?? env.CALLBOARD_KEY,
    concurrency: number('concurrency', values.concurrency, { min: 1, integer: true }),
    progressEveryMs: parseDuration(values['progress-every']),
    dryRun: values['dry-run'],
    nowMs,
  };
}

/**
 * Where the simulated clock starts: `--start` (an ISO instant, `now`, `today` = local midnight, or an
 * offset such as `-2h`), else so that the run reaches real time when its callers stop arriving (plus a
 * reserve for the last calls to end), or at once when it is live from the start.
 * @param {{ start?: string, speed: number, durationMs: number, live: boolean, nowMs: number }} o
 * @param {string} timeZone the zone `today` is cut in
 * @param {number} [spanMs] a replay's own span (first to last event), instead of the duration
 */
export function resolveStart(o, timeZone, spanMs) {
  const { start, speed, nowMs } = o;
  if (start === undefined) {
    const catchUpMs = spanMs ?? (o.live ? o.durationMs : o.durationMs + DRAIN_RESERVE_MS);
    return catchUpStart({ realStartMs: nowMs, speed, catchUpMs: Number.isFinite(catchUpMs) ? catchUpMs : 0 });
  }
  if (start === 'now') return nowMs;
  if (start === 'today') return startOfLocalDay(nowMs, timeZone);
  if (/^[-+]/.test(start)) return nowMs + (start.startsWith('-') ? -1 : 1) * parseDuration(start.slice(1));
  const ms = Date.parse(start);
  if (!/\d{4}-\d{2}-\d{2}T/.test(start) || !Number.isFinite(ms)) {
    throw new Error(`--start: an ISO instant with a time (2026-11-30T08:00:00+01:00), now, today or -2h; got '${start}'`);
  }
  return ms;
}
