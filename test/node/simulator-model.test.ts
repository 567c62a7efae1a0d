import { describe, expect, it } from 'vitest';
import { catchUpStart, parseDuration, timeMap } from '../../scripts/lib/sim/clock.mjs';
import { modelConfig, simulate } from '../../scripts/lib/sim/model.mjs';
import { parseSimArgs, resolveStart } from '../../scripts/lib/sim/options.mjs';
import { PROFILES, startOfLocalDay } from '../../scripts/lib/sim/profile.mjs';
import { demoTopology } from '../../scripts/lib/sim/topology.mjs';

// The simulator's model (scripts/lib/sim/model.mjs) is pure and seeded: these runs take no time and no
// server. Fixed seeds, so every figure below is the same on every run; the tolerances are what the
// statistics allow for runs of this size, not slack for flakiness.

type Fact = {
  t: number;
  at: number;
  type: string;
  call?: number;
  k: number;
  queue?: number;
  agent?: number;
  visit?: number;
  outcome?: string;
  result?: string;
  state?: string;
  endedBy?: string;
  toQueue?: number;
};

const H = 3_600_000;
const T0 = Date.parse('2026-11-30T00:00:00Z');

function config(o: {
  seed?: string | number;
  hours?: number;
  hourly?: number[];
  staffing?: 'follow' | 'full';
  callsPerHour?: number;
  queues?: number;
  agents?: number;
  handling?: 'lognormal' | 'exponential';
}) {
  const topo = demoTopology({ queues: o.queues ?? 4, agents: o.agents ?? 20 });
  return modelConfig({
    seed: o.seed ?? 1,
    startMs: T0,
    arrivalsUntilMs: (o.hours ?? 8) * H,
    timeZone: 'UTC',
    hourly: o.hourly ?? PROFILES.flat,
    staffing: o.staffing ?? 'full',
    callsPerHour: o.callsPerHour,
    handling: o.handling,
    queues: topo.queues.map((_q: unknown, i: number) => ({
      name: `q${i}`,
      transferTo: topo.queues.length > 1 ? [i % 2 === 0 ? i + 1 : i - 1].filter((j) => j < topo.queues.length) : [],
    })),
    agents: topo.agents.map((a: { name: string; queues: number[] }) => ({ name: a.name, queues: a.queues })),
  });
}

const run = (c: ReturnType<typeof modelConfig>): Fact[] => [...simulate(c)] as Fact[];

/** Every call's facts in order must tell a possible story; returns the problems found (none expected). */
function storyProblems(facts: Fact[], { complete = true } = {}): string[] {
  const problems: string[] = [];
  const byCall = new Map<number, Fact[]>();
  let last = Number.NEGATIVE_INFINITY;
  for (const f of facts) {
    if (f.t < last) problems.push(`fact out of time order at ${f.t}`);
    last = f.t;
    if (f.call !== undefined) byCall.set(f.call, [...(byCall.get(f.call) ?? []), f]);
  }
  // Agents: offered only when available and free, connected only after an accepted offer, never two calls.
  const shown = new Map<number, string>();
  const onCall = new Map<number, number>();
  const ringing = new Map<number, number>();
  for (const f of facts) {
    if (f.type === 'agent.state') shown.set(f.agent as number, f.state as string);
    if (f.type === 'agent.offered') {
      const a = f.agent as number;
      if (shown.get(a) !== 'available') problems.push(`call ${f.call}: offered to agent ${a} who is ${shown.get(a)}`);
      if (onCall.has(a) || ringing.has(a)) problems.push(`call ${f.call}: offered to agent ${a} who is busy`);
      ringing.set(a, f.call as number);
    }
    if (f.type === 'agent.offer_ended') ringing.delete(f.agent as number);
    if (f.type === 'agent.connected') onCall.set(f.agent as number, f.call as number);
    if (f.type === 'agent.disconnected') onCall.delete(f.agent as number);
    if (f.type === 'agent.state' && (f.state === 'offline' || f.state === 'away') && onCall.has(f.agent as number))
      problems.push(`agent ${f.agent} went ${f.state} during a call`);
  }

  for (const [n, list] of byCall) {
    const bad = (msg: string) => problems.push(`call ${n}: ${msg} (${list.map((f) => f.type).join(', ')})`);
    let state = 'new';
    let queue: number | undefined;
    let agent: number | undefined;
    let onHold = false;
    let transferTo: number | undefined;
    const wraps = new Map<number, 'started' | 'ended'>();
    for (const f of list) {
      switch (f.type) {
        case 'call.started':
          if (state !== 'new') bad('started twice');
          state = 'ivr';
          break;
        case 'queue.joined':
          if (state !== 'ivr' && state !== 'transferring') bad(`joined while ${state}`);
          if (state === 'transferring' && f.queue !== transferTo) bad('joined another queue than the transfer named');
          state = 'waiting';
          queue = f.queue;
          break;
        case 'agent.offered':
          if (state !== 'waiting') bad(`offered while ${state}`);
          state = 'ringing';
          agent = f.agent;
          break;
        case 'agent.offer_ended':
          if (state !== 'ringing' || f.agent !== agent) bad('offer ended without an offer');
          state = f.result === 'accepted' ? 'accepted' : 'waiting';
          break;
        case 'queue.left':
          if (f.queue !== queue) bad('left another queue');
          if (f.outcome === 'answered') {
            if (state !== 'accepted') bad('answered without an accepted offer');
            state = 'answered';
          } else {
            if (state !== 'waiting') bad(`${f.outcome} while ${state}`);
            state = 'left';
          }
          break;
        case 'agent.connected':
          if (state !== 'answered' || f.agent !== agent) bad('connected without an answer');
          state = 'talking';
          break;
        case 'hold.started':
          if (state !== 'talking' || onHold) bad('hold outside a talk');
          onHold = true;
          break;
        case 'hold.ended':
          if (!onHold) bad('hold ended without a hold');
          onHold = false;
          break;
        case 'transfer':
          if (state !== 'talking' || onHold) bad('transfer outside a talk');
          transferTo = f.toQueue;
          state = 'transferred';
          break;
        case 'agent.disconnected':
          if ((state !== 'talking' && state !== 'transferred') || onHold || f.agent !== agent) bad('hung up outside a talk');
          if ((state === 'transferred') !== (f.endedBy === 'transfer')) bad('a transfer hang-up says otherwise');
          state = state === 'transferred' ? 'transferring' : 'hung up';
          wraps.set(f.agent as number, 'started');
          break;
        case 'wrapup.started':
          if (wraps.get(f.agent as number) !== 'started') bad('wrap-up before a hang-up');
          break;
        case 'wrapup.ended':
          if (wraps.get(f.agent as number) !== 'started') bad('wrap-up ended twice or never started');
          wraps.set(f.agent as number, 'ended');
          break;
        case 'call.ended':
          // A shutdown also ends calls still in the IVR or between two queues.
          if (
            state !== 'hung up' &&
            state !== 'left' &&
            !(f.endedBy === 'system' && (state === 'ivr' || state === 'transferring'))
          )
            bad(`ended while ${state}`);
          state = 'done';
          break;
      }
    }
    if (complete) {
      if (state !== 'done') bad(`never ended (${state})`);
      if ([...wraps.values()].some((w) => w !== 'ended')) bad('a wrap-up never ended');
    }
  }
  return problems;
}

const rate = (facts: Fact[], outcome: string) => {
  const left = facts.filter((f) => f.type === 'queue.left');
  return left.filter((f) => f.outcome === outcome).length / left.length;
};

describe('the simulation model', () => {
  it('is deterministic: the same seed gives the same facts, another seed others', () => {
    const a = run(config({ seed: 42, hours: 2 }));
    const b = run(config({ seed: 42, hours: 2 }));
    const c = run(config({ seed: 43, hours: 2 }));
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c.map((f) => [f.t, f.type])).not.toEqual(a.map((f) => [f.t, f.type]));
  });

  it('tells a possible story for every call and agent, and ends once the last call is done', () => {
    for (const seed of [1, 2, 3]) {
      const facts = run(config({ seed, hours: 6, hourly: PROFILES.office, staffing: 'follow', handling: 'exponential' }));
      expect(storyProblems(facts)).toEqual([]);
      const types = new Set(facts.map((f) => f.type));
      for (const t of ['hold.started', 'transfer', 'wrapup.ended', 'agent.state'])
        expect(types, `seed ${seed} has ${t}`).toContain(t);
      const states = new Set(facts.filter((f) => f.type === 'agent.state').map((f) => `${f.state}`));
      expect([...states].sort()).toEqual(['available', 'away', 'busy', 'offline', 'wrapup']);
    }
    // The check itself catches a broken story: a wrap-up that never ends, a leave before its join.
    const facts = run(config({ seed: 1, hours: 1 }));
    const wrapEnd = facts.findIndex((f) => f.type === 'wrapup.ended');
    expect(storyProblems(facts.filter((_, i) => i !== wrapEnd)).join()).toMatch(/wrap-up never ended/);
    const join = facts.findIndex((f) => f.type === 'queue.joined');
    const leave = facts.findIndex((f) => f.type === 'queue.left' && f.call === facts[join]?.call);
    const swapped = [...facts];
    [swapped[join], swapped[leave]] = [swapped[leave] as Fact, swapped[join] as Fact];
    expect(storyProblems(swapped.map((f, i) => ({ ...f, t: facts[i]?.t as number }))).length).toBeGreaterThan(0);
  });

  it('has Poisson arrivals: mean gap 1/λ and a coefficient of variation of 1', () => {
    const facts = run(config({ seed: 7, hours: 10, callsPerHour: 600, queues: 1, agents: 60 }));
    const starts = facts.filter((f) => f.type === 'call.started').map((f) => f.t);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
    expect(starts.length).toBeGreaterThan(5500);
    // 1/λ = 6 s; the standard error of the mean of ~6,000 exponential gaps is ~1.3 %.
    expect(Math.abs(mean - 6000) / 6000).toBeLessThan(0.04);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('follows the intraday profile: arrivals per local hour as the profile says', () => {
    const days = 5;
    const facts = run(config({ seed: 3, hours: days * 24, callsPerHour: 300, hourly: PROFILES.office, queues: 1, agents: 60 }));
    const perHour = Array.from({ length: 24 }, () => 0);
    for (const f of facts)
      if (f.type === 'call.started') perHour[new Date(f.at).getUTCHours()] = (perHour[new Date(f.at).getUTCHours()] ?? 0) + 1;
    PROFILES.office.forEach((share: number, hour: number) => {
      const expected = days * 300 * share;
      // Poisson counts: within 4 standard deviations.
      expect(Math.abs((perHour[hour] as number) - expected), `hour ${hour}`).toBeLessThan(4 * Math.sqrt(expected) + 1);
    });
    expect(perHour[10]).toBeGreaterThan(20 * (perHour[3] as number));
  });

  it('draws handling times with the configured mean, lognormal or exponential', () => {
    for (const handling of ['lognormal', 'exponential'] as const) {
      const c = config({ seed: 11, hours: 12, callsPerHour: 200, queues: 1, agents: 40, handling });
      const facts = run(c);
      const connected = new Map<number, number>();
      const talks: number[] = [];
      let held = 0;
      const holdStart = new Map<number, number>();
      for (const f of facts) {
        if (f.type === 'agent.connected') connected.set(f.call as number, f.t);
        if (f.type === 'hold.started') holdStart.set(f.call as number, f.t);
        if (f.type === 'hold.ended') held += f.t - (holdStart.get(f.call as number) as number);
        if (f.type === 'agent.disconnected') talks.push(f.t - (connected.get(f.call as number) as number));
      }
      const mean = (talks.reduce((a, b) => a + b, 0) - held) / talks.length;
      const configured = c.queues[0]?.handle.mean as number;
      expect(talks.length).toBeGreaterThan(2000);
      expect(Math.abs(mean - configured) / configured, handling).toBeLessThan(0.05);
    }
  });

  it('abandons more when fewer agents take the same calls', () => {
    const abandons = [20, 14, 10].map((agents) =>
      rate(run(config({ seed: 5, hours: 8, callsPerHour: 180, agents })), 'abandoned'),
    );
    expect(abandons[0]).toBeLessThan(abandons[1] as number);
    expect(abandons[1]).toBeLessThan(abandons[2] as number);
    expect(abandons[2]).toBeGreaterThan(2 * (abandons[0] as number));
    // The same callers in each run: only the staffing differs.
    const callers = (agents: number) =>
      run(config({ seed: 5, hours: 1, callsPerHour: 180, agents }))
        .filter((f) => f.type === 'call.started')
        .map((f) => f.t);
    expect(callers(10)).toEqual(callers(20));
  });

  it('ends on time: what is under way at the end is closed', () => {
    const c = { ...config({ seed: 4, hours: 1, callsPerHour: 400 }), endMs: 3_600_000 + 30_000 };
    const facts = run(c);
    expect((facts.at(-1) as Fact).t).toBe(c.endMs);
    expect(facts.every((f) => f.t <= c.endMs)).toBe(true);
    expect(storyProblems(facts)).toEqual([]);
    expect(facts.some((f) => f.t === c.endMs && f.type === 'call.ended' && f.endedBy === 'system')).toBe(true);
  });

  it('runs one action at a time after saying when it is, and closes everything on shutdown', () => {
    const model = simulate(config({ seed: 9, callsPerHour: 400 }));
    const facts: Fact[] = [];
    let empty = 0;
    while (facts.length < 3000) {
      const t = model.peek() as number;
      const made = model.step() as Fact[];
      if (made.length === 0) empty++;
      // Every fact of one action is at the instant peek named: nothing runs ahead of it.
      for (const f of made) expect(f.t).toBe(t);
      facts.push(...made);
    }
    expect(empty).toBeGreaterThan(0); // timers that found nothing to do make no fact, and are still one step
    const at = (facts.at(-1) as Fact).t + 1234;
    const closing = model.shutdown(at) as Fact[];
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.every((f) => f.t === at)).toBe(true);
    const all = [...facts, ...closing];
    expect(storyProblems(all)).toEqual([]);
    const lastState = new Map<number, string>();
    for (const f of all) if (f.type === 'agent.state') lastState.set(f.agent as number, f.state as string);
    expect(new Set(lastState.values())).toEqual(new Set(['offline']));
    expect(closing.some((f) => f.type === 'queue.left' && f.outcome === 'unknown')).toBe(true);
    expect(model.peek()).toBeNull();
    expect(model.step()).toBeNull();
    expect(model.next().done).toBe(true);
  });
});

describe('the simulated clock', () => {
  it('never sends a fact before it happened; at 1× facts happen now', () => {
    const real = Date.parse('2026-11-30T12:00:00Z');
    const live = timeMap({ realStartMs: real, speed: 1, startMs: real });
    expect(live.dueAt(90_000)).toBe(real + 90_000);
    expect(live.occurredAt(90_000)).toBe(real + 90_000);

    // 60×, ending at now after 2 h of simulated time: starts 1 h 58 min in the past.
    const startMs = catchUpStart({ realStartMs: real, speed: 60, catchUpMs: 2 * H });
    expect(startMs).toBe(real - 2 * H + 2 * 60_000);
    const fast = timeMap({ realStartMs: real, speed: 60, startMs });
    for (const t of [0, 1, 60_000, H, 2 * H - 1, 2 * H, 2 * H + 1, 3 * H]) {
      expect(fast.dueAt(t)).toBeGreaterThanOrEqual(fast.occurredAt(t));
      expect(fast.offsetAt(fast.dueAt(t))).toBeCloseTo(t, 1);
    }
    expect(fast.dueAt(H)).toBe(real + 60_000); // an hour of simulated time in a real minute
    expect(fast.dueAt(2 * H)).toBe(fast.occurredAt(2 * H)); // caught up: now
    expect(fast.dueAt(3 * H)).toBe(fast.occurredAt(3 * H)); // then 1×
  });

  it('reads durations and starts', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseDuration('2 hours')).toThrow(/not a duration/);

    const nowMs = Date.parse('2026-11-30T15:30:00Z');
    const o = { speed: 60, durationMs: 2 * H, live: true, nowMs };
    expect(resolveStart({ ...o, start: 'today' }, 'Europe/Prague')).toBe(Date.parse('2026-11-29T23:00:00Z'));
    expect(startOfLocalDay(nowMs, 'America/New_York')).toBe(Date.parse('2026-11-30T05:00:00Z'));
    expect(resolveStart({ ...o, start: '-2h' }, 'UTC')).toBe(nowMs - 2 * H);
    expect(resolveStart({ ...o, start: '2026-11-30T08:00:00+01:00' }, 'UTC')).toBe(Date.parse('2026-11-30T07:00:00Z'));
    // Live: catches up after the duration; not live: after the duration and the reserve for the last calls.
    expect(resolveStart(o, 'UTC')).toBe(catchUpStart({ realStartMs: nowMs, speed: 60, catchUpMs: 2 * H }));
    expect(resolveStart({ ...o, live: false }, 'UTC')).toBeLessThan(resolveStart(o, 'UTC'));
    expect(() => resolveStart({ ...o, start: 'yesterday' }, 'UTC')).toThrow(/--start/);
  });

  it('checks the options', () => {
    const ctx = { nowMs: Date.parse('2026-11-30T15:30:00Z') };
    const plain = parseSimArgs([], ctx);
    expect(plain).toMatchObject({ speed: 1, live: true, url: 'http://127.0.0.1:8787', provider: 'mixed', seed: '1' });
    expect(plain.durationMs).toBe(Number.POSITIVE_INFINITY);
    expect(parseSimArgs(['--speed', '60'], ctx)).toMatchObject({ live: false, durationMs: H });
    expect(parseSimArgs(['--speed', '1', '--duration', '10m'], ctx)).toMatchObject({ live: false, durationMs: 600_000 });
    expect(() => parseSimArgs(['--speed', '60', '--duration', 'inf'], ctx)).toThrow(/finite duration/);
    expect(parseSimArgs(['--speed', '60', '--duration', 'inf', '--live'], ctx).live).toBe(true);
    expect(() => parseSimArgs(['--provider', 'vonage'], ctx)).toThrow(/--provider/);
    expect(() => parseSimArgs(['--agents', '0'], ctx)).toThrow(/--agents/);
    expect(() => parseSimArgs(['--nope'], ctx)).toThrow();
    expect(parseSimArgs(['--url', 'http://x:1/'], { ...ctx, env: { CALLBOARD_URL: 'http://y' } }).url).toBe('http://x:1');
  });
});
