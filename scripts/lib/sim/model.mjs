// The contact center the simulator plays (docs/simulator.md, "The model"): a discrete-event simulation,
// pure and seeded. Callers arrive as a Poisson process whose rate follows the local hour (thinning), go
// through a short IVR, join a queue and wait for an agent who serves it; each has a patience and hangs up
// (abandons) if not answered in time, and a queue sends callers who waited too long to voicemail (a
// timeout). An agent is offered the call (rings), talks for a lognormal or exponential time, maybe puts
// the caller on hold, maybe transfers them to another queue, then does after-call work. Agents log in
// and out with a roster that follows the profile, and take breaks.
//
// `simulate(config)` is a generator of provider-neutral facts in time order: the mappers (generic.mjs,
// twilio.mjs) turn them into webhooks, and the clock (clock.mjs) decides when each is sent.
import { localHourFn } from './profile.mjs';
import { createRng } from './random.mjs';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** Per-queue parameters, cycled over the queues (a simulated center has queues of different kinds). */
export const QUEUE_PRESETS = [
  { weight: 4, handleMs: 240 * S, patienceMs: 90 * S },
  { weight: 5, handleMs: 300 * S, patienceMs: 120 * S },
  { weight: 3, handleMs: 180 * S, patienceMs: 60 * S },
  { weight: 2, handleMs: 420 * S, patienceMs: 150 * S },
];

/**
 * A complete model configuration from the few things a run chooses; every number of the model is here.
 * `arrivalsUntilMs`: callers stop arriving then (ms from the start); `endMs`: whatever is still under way
 * then is closed (a finite run must end on time).
 * @param {{
 *   seed: string | number, startMs: number, arrivalsUntilMs?: number, endMs?: number, timeZone?: string,
 *   hourly: number[], staffing?: 'follow' | 'full', callsPerHour?: number, load?: number,
 *   queues: { name: string, transferTo?: number[] }[], agents: { name: string, queues: number[] }[],
 *   handling?: 'lognormal' | 'exponential', patience?: 'exponential' | 'lognormal',
 *   ahtScale?: number, patienceScale?: number,
 * }} o
 */
export function modelConfig(o) {
  const handling = o.handling ?? 'lognormal';
  const patience = o.patience ?? 'exponential';
  const queues = o.queues.map((q, i) => {
    const p = QUEUE_PRESETS[i % QUEUE_PRESETS.length];
    return {
      name: q.name,
      weight: q.weight ?? p.weight,
      ivrMs: [3 * S, 15 * S],
      patience: { dist: patience, mean: p.patienceMs * (o.patienceScale ?? 1), cv: 1 },
      maxWaitMs: 10 * MIN,
      handle: { dist: handling, mean: p.handleMs * (o.ahtScale ?? 1), cv: 0.8 },
      acw: { dist: 'lognormal', mean: 25 * S, cv: 0.6 },
      hold: { p: 0.2, dist: 'lognormal', mean: 40 * S, cv: 0.7 },
      transfer: { p: (q.transferTo ?? []).length > 0 ? 0.06 : 0, to: q.transferTo ?? [] },
    };
  });
  const config = {
    seed: o.seed,
    startMs: o.startMs,
    arrivalsUntilMs: o.arrivalsUntilMs ?? Number.POSITIVE_INFINITY,
    endMs: o.endMs ?? Number.POSITIVE_INFINITY,
    timeZone: o.timeZone ?? 'UTC',
    hourly: o.hourly,
    staffing: o.staffing ?? 'follow',
    minStaffing: 0.15,
    queues,
    agents: o.agents.map((a) => ({ name: a.name, queues: a.queues })),
    ringMs: [2 * S, 7 * S],
    breaks: {
      everyMs: 100 * MIN,
      short: { dist: 'lognormal', mean: 8 * MIN, cv: 0.4 },
      lunchP: 0.15,
      lunch: { dist: 'lognormal', mean: 30 * MIN, cv: 0.2 },
    },
    endedByAgentP: 0.3,
    repeatCallerP: 0.08,
    rosterEveryMs: 15 * MIN,
    loginDelayMaxMs: 3 * MIN,
    callsPerHour: 0,
  };
  config.callsPerHour = o.callsPerHour ?? defaultCallsPerHour(config, o.load ?? 0.8);
  return config;
}

/**
 * The peak arrival rate that keeps the agents rostered at the peak busy at `load` (0..1, default 0.8): agents ×
 * 3600 s / the mean work per call (ring, talk, hold, after-call work), less the time on breaks.
 */
export function defaultCallsPerHour(config, load) {
  const total = config.queues.reduce((a, q) => a + q.weight, 0);
  let workMs = 0;
  for (const q of config.queues) {
    const ring = (config.ringMs[0] + config.ringMs[1]) / 2;
    workMs += (q.weight / total) * (ring + q.handle.mean + q.hold.p * q.hold.mean + q.acw.mean);
  }
  const b = config.breaks;
  const onBreak = ((1 - b.lunchP) * b.short.mean + b.lunchP * b.lunch.mean) / (b.everyMs + b.short.mean);
  return Math.max(1, Math.round((load * config.agents.length * (1 - onBreak) * H) / workMs));
}

/** A binary min-heap of scheduled actions ordered by time, then by when they were scheduled. */
class Agenda {
  items = [];
  seq = 0;
  push(t, action) {
    const item = { t, seq: this.seq++, action };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (Agenda.before(a[p], a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && Agenda.before(a[l], a[m])) m = l;
        if (r < a.length && Agenda.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.items.length;
  }
  static before(x, y) {
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * The order agents are rostered in: agents with the same queues take turns, so the few on duty at night
 * still cover every queue.
 */
function rosterOrder(agents) {
  const groups = new Map();
  for (const a of agents) {
    const key = [...a.queues].sort().join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(a);
  }
  const lists = [...groups.values()];
  const out = [];
  for (let i = 0; out.length < agents.length; i++) for (const l of lists) if (l[i]) out.push(l[i]);
  return out;
}

/**
 * Runs the model; yields facts in time order. Each fact has `t` (ms since the start), `at` (epoch ms),
 * `type`, and per type: `call` (the call's number), `k` (the fact's index within its call, or within its
 * agent's state changes), `queue` (every fact of a call names the queue it is in or heading to), `agent`
 * (indexes), `visit` (the call's queue visit, 1-based), `caller`.
 *
 * Types: `call.started`, `queue.joined`, `agent.offered`, `agent.offer_ended` (result accepted or canceled),
 * `queue.left` (outcome answered, abandoned or timeout), `agent.connected`, `hold.started`, `hold.ended`,
 * `transfer` (toQueue), `agent.disconnected` (endedBy), `wrapup.started`, `wrapup.ended`, `call.ended`
 * (endedBy), `agent.state` (state, reason). With a finite `arrivalsUntilMs` it ends once the last call and its
 * wrap-up are done, or at `endMs` (closing what is left, as `shutdown` does), whichever comes first; either
 * way its agents log out at the end.
 *
 * The generator also has `peek()` (the offset of the next action, without running it), `step()` (runs
 * it: its facts, or null at the end) and `shutdown(t)`: the facts that close everything still under way at
 * offset t (a run stopped before its end): waiting callers leave with outcome `unknown`, talks end
 * (`endedBy: system`), wrap-ups end, agents log out. After it the model makes nothing more.
 */
export function simulate(config) {
  const agenda = new Agenda();
  const out = [];
  const hourOf = localHourFn(config.timeZone);
  const arrivals = createRng(config.seed, 'arrivals');
  const peakPerMs = config.callsPerHour / H;
  const queues = config.queues.map((q, i) => ({ ...q, i, waiting: [] }));
  const agents = config.agents.map((a, i) => ({
    i,
    name: a.name,
    queues: a.queues,
    state: 'offline',
    shown: null,
    idleSince: 0,
    onDuty: false,
    pendingBreak: false,
    pendingLogout: false,
    breakToken: 0,
    wrap: null,
    k: 0,
    rng: createRng(config.seed, `agent:${i}`),
  }));
  const order = rosterOrder(agents);
  const recentCallers = [];
  const calls = new Map();
  let callCount = 0;
  let active = 0;
  let arrivalsDone = false;
  let now = 0;

  const emit = (fact) => out.push({ t: now, at: config.startMs + now, ...fact });
  const callFact = (call, type, extra = {}) => emit({ type, call: call.n, k: call.k++, caller: call.caller, ...extra });
  const show = (agent, state, reason) => {
    if (agent.shown === state && !reason) return;
    agent.shown = state;
    emit({ type: 'agent.state', agent: agent.i, k: agent.k++, state, ...(reason ? { reason } : {}) });
  };
  const at = (dt, action) => agenda.push(Math.round(now + dt), action);

  // ---- agents ----------------------------------------------------------------------------------
  const becomeIdle = (agent) => {
    agent.state = 'idle';
    agent.idleSince = now;
    show(agent, 'available');
    offerNextCall(agent);
  };
  const logout = (agent) => {
    agent.state = 'offline';
    agent.pendingLogout = false;
    agent.pendingBreak = false;
    agent.breakToken++;
    show(agent, 'offline');
  };
  const planBreak = (agent) => {
    const token = ++agent.breakToken;
    at(agent.rng.exponential(config.breaks.everyMs), { kind: 'breakDue', agent, token });
  };
  const startBreak = (agent) => {
    agent.pendingBreak = false;
    const lunch = agent.rng.chance(config.breaks.lunchP);
    const length = clamp(agent.rng.draw(lunch ? config.breaks.lunch : config.breaks.short), MIN, 2 * H);
    agent.state = 'away';
    show(agent, 'away', lunch ? 'Lunch' : 'Break');
    at(length, { kind: 'breakEnd', agent });
  };
  /** After a call's work or a break: log out, take the break that fell due, or take the next call. */
  const freeAgent = (agent) => {
    if (agent.pendingLogout || !agent.onDuty) logout(agent);
    else if (agent.pendingBreak) startBreak(agent);
    else becomeIdle(agent);
  };

  // ---- calls -----------------------------------------------------------------------------------
  const idleAgentFor = (q) => {
    let best = null;
    for (const a of agents) {
      if (a.state !== 'idle' || !a.queues.includes(q)) continue;
      if (!best || a.idleSince < best.idleSince) best = a;
    }
    return best;
  };
  const offer = (call, agent) => {
    call.state = 'ringing';
    call.agent = agent;
    agent.state = 'ringing';
    agent.call = call;
    call.offers++;
    callFact(call, 'agent.offered', { queue: call.queue, agent: agent.i, visit: call.visit, offer: call.offers });
    at(call.rng.uniform(config.ringMs[0], config.ringMs[1]), { kind: 'answer', call, visit: call.visit });
  };
  function offerNextCall(agent) {
    let best = null;
    for (const q of agent.queues) {
      const head = queues[q]?.waiting[0];
      if (head && (!best || head.joinedT < best.joinedT || (head.joinedT === best.joinedT && head.n < best.n))) best = head;
    }
    if (!best) return;
    queues[best.queue].waiting.shift();
    offer(best, agent);
  }
  const leaveWaiting = (call) => {
    const list = queues[call.queue].waiting;
    const i = list.indexOf(call);
    if (i >= 0) list.splice(i, 1);
  };
  const endCall = (call, endedBy) => {
    callFact(call, 'call.ended', { endedBy, startedT: call.startedT, queue: call.queue, visit: call.visit });
    call.state = 'done';
    calls.delete(call.n);
    active--;
  };

  const actions = {
    arrival() {
      if (now >= config.arrivalsUntilMs) {
        arrivalsDone = true;
        return;
      }
      const accept = arrivals.next() < (config.hourly[hourOf(config.startMs + now)] ?? 0);
      const queue = arrivals.weighted(queues.map((q) => q.weight));
      at(arrivals.exponential(1 / peakPerMs), { kind: 'arrival' });
      if (!accept) return;
      const n = ++callCount;
      const rng = createRng(config.seed, `call:${n}`);
      let caller;
      if (recentCallers.length > 0 && rng.chance(config.repeatCallerP)) caller = recentCallers[rng.int(recentCallers.length)];
      else caller = `+1555${String(rng.int(1e7)).padStart(7, '0')}`;
      recentCallers.push(caller);
      if (recentCallers.length > 500) recentCallers.shift();
      const call = { n, rng, caller, k: 0, startedT: now, queue, visit: 0, offers: 0, transfers: 0, state: 'ivr', agent: null };
      active++;
      calls.set(n, call);
      callFact(call, 'call.started', { queue });
      const q = queues[queue];
      at(rng.uniform(q.ivrMs[0], q.ivrMs[1]), { kind: 'join', call, queue });
    },
    join({ call, queue }) {
      const q = queues[queue];
      call.queue = queue;
      call.visit++;
      call.joinedT = now;
      call.state = 'waiting';
      call.agent = null;
      callFact(call, 'queue.joined', { queue, visit: call.visit });
      const patience = call.rng.draw(q.patience);
      if (patience < q.maxWaitMs) at(patience, { kind: 'patience', call, visit: call.visit });
      else at(q.maxWaitMs, { kind: 'maxWait', call, visit: call.visit });
      const agent = idleAgentFor(queue);
      if (agent) offer(call, agent);
      else q.waiting.push(call);
    },
    patience({ call, visit }) {
      if (call.visit !== visit || (call.state !== 'waiting' && call.state !== 'ringing')) return;
      const base = { queue: call.queue, visit, joinedT: call.joinedT };
      if (call.state === 'ringing') {
        const agent = call.agent;
        callFact(call, 'agent.offer_ended', { ...base, agent: agent.i, result: 'canceled', offer: call.offers });
        agent.call = null;
        callFact(call, 'queue.left', { ...base, outcome: 'abandoned' });
        endCall(call, 'customer');
        freeAgent(agent);
        return;
      }
      leaveWaiting(call);
      callFact(call, 'queue.left', { ...base, outcome: 'abandoned' });
      endCall(call, 'customer');
    },
    maxWait({ call, visit }) {
      // Being rung already: the offer goes on.
      if (call.visit !== visit || call.state !== 'waiting') return;
      leaveWaiting(call);
      callFact(call, 'queue.left', { queue: call.queue, visit, joinedT: call.joinedT, outcome: 'timeout' });
      endCall(call, 'system');
    },
    answer({ call, visit }) {
      if (call.visit !== visit || call.state !== 'ringing') return;
      const agent = call.agent;
      const q = queues[call.queue];
      const base = { queue: call.queue, visit, joinedT: call.joinedT, agent: agent.i };
      callFact(call, 'agent.offer_ended', { ...base, result: 'accepted', offer: call.offers });
      callFact(call, 'queue.left', { ...base, outcome: 'answered' });
      callFact(call, 'agent.connected', base);
      call.state = 'talking';
      agent.state = 'busy';
      show(agent, 'busy');
      // Talk (without hold), then one hold somewhere in the middle, at least 3 s from either end.
      const talk = clamp(call.rng.draw(q.handle), 10 * S, 2 * H);
      let holdMs = 0;
      if (call.rng.chance(q.hold.p)) {
        holdMs = Math.round(clamp(call.rng.draw(q.hold), 5 * S, 10 * MIN));
        const before = clamp(talk * call.rng.uniform(0.2, 0.6), 3 * S, talk - 3 * S);
        at(before, { kind: 'hold', call, agent, what: 'hold.started' });
        at(before + holdMs, { kind: 'hold', call, agent, what: 'hold.ended' });
      }
      const targets = q.transfer.to;
      const transferTo =
        call.transfers === 0 && targets.length > 0 && call.rng.chance(q.transfer.p)
          ? targets[call.rng.int(targets.length)]
          : null;
      at(talk + holdMs, { kind: 'hangUp', call, agent, transferTo });
    },
    hold({ call, agent, what }) {
      call.onHold = what === 'hold.started';
      callFact(call, what, { queue: call.queue, visit: call.visit, agent: agent.i });
    },
    hangUp({ call, agent, transferTo }) {
      const q = queues[call.queue];
      const base = { queue: call.queue, visit: call.visit, agent: agent.i };
      if (transferTo !== null) {
        callFact(call, 'transfer', { ...base, toQueue: transferTo });
        callFact(call, 'agent.disconnected', { ...base, endedBy: 'transfer' });
        call.transfers++;
        call.state = 'transferring';
        at(S, { kind: 'join', call, queue: transferTo });
      } else {
        const endedBy = call.rng.chance(config.endedByAgentP) ? 'agent' : 'customer';
        callFact(call, 'agent.disconnected', { ...base, endedBy });
        endCall(call, endedBy);
      }
      callFact(call, 'wrapup.started', base);
      agent.state = 'wrapup';
      agent.call = null;
      agent.wrap = { call, base };
      show(agent, 'wrapup');
      at(clamp(agent.rng.draw(q.acw), S, 15 * MIN), { kind: 'wrapUpEnd', call, agent, base });
    },
    wrapUpEnd({ call, agent, base }) {
      agent.wrap = null;
      callFact(call, 'wrapup.ended', base);
      freeAgent(agent);
    },
    breakDue({ agent, token }) {
      if (token !== agent.breakToken || agent.state === 'offline') return;
      if (agent.state === 'idle') startBreak(agent);
      else agent.pendingBreak = true;
    },
    breakEnd({ agent }) {
      if (agent.state !== 'away') return;
      freeAgent(agent);
      if (agent.state !== 'offline') planBreak(agent);
    },
    roster() {
      const n = agents.length;
      // Rostered for the busier of this hour and the next, with some headroom: agents log in before the peak.
      const demand = Math.max(
        config.hourly[hourOf(config.startMs + now)] ?? 0,
        config.hourly[hourOf(config.startMs + now + H)] ?? 0,
      );
      const share = config.staffing === 'full' ? 1 : Math.max(config.minStaffing, 1.1 * demand);
      const onDuty = Math.min(n, Math.ceil(n * share));
      order.forEach((agent, position) => {
        const should = position < onDuty;
        if (should && !agent.onDuty) {
          agent.onDuty = true;
          agent.pendingLogout = false;
          if (agent.state === 'offline') {
            if (now === 0) actions.login({ agent });
            else at(agent.rng.uniform(0, config.loginDelayMaxMs), { kind: 'login', agent });
          }
        } else if (!should && agent.onDuty) {
          agent.onDuty = false;
          if (agent.state === 'idle') logout(agent);
          else if (agent.state !== 'offline') agent.pendingLogout = true;
        } else if (!should && now === 0) {
          show(agent, 'offline');
        }
      });
      at(config.rosterEveryMs, { kind: 'roster' });
    },
    login({ agent }) {
      if (!agent.onDuty || agent.state !== 'offline') return;
      becomeIdle(agent);
      planBreak(agent);
    },
  };

  agenda.push(0, { kind: 'roster' });
  if (peakPerMs > 0) agenda.push(Math.round(arrivals.exponential(1 / peakPerMs)), { kind: 'arrival' });
  else arrivalsDone = true;

  let closed = false;
  let started = false;
  // A finite run is over when callers stopped arriving and the last call and the last wrap-up are done.
  const finished = () => started && arrivalsDone && active === 0 && !agents.some((a) => a.wrap);
  const over = () => closed || agenda.size === 0;
  /**
   * Runs the next action: its facts (possibly none: a timer that found nothing to do), or null at the end.
   * One action at a time, so a caller that waits for `peek()`'s instant first never runs the model ahead
   * of its clock.
   */
  function step() {
    if (out.length > 0) return out.splice(0);
    if (over()) return null;
    // The end: agents log out (and at `endMs`, what is still under way is closed).
    if (finished()) closeAll(now);
    else if (agenda.items[0].t >= config.endMs) closeAll(config.endMs);
    else {
      const { t, action } = agenda.pop();
      now = t;
      started = true;
      actions[action.kind](action);
    }
    return out.splice(0);
  }
  function* run() {
    for (;;) {
      const facts = step();
      if (facts === null) return;
      yield* facts;
    }
  }
  /** The offset of the next action (which may make no fact), or null at the end. */
  function peek() {
    if (out.length > 0) return out[0].t;
    if (over()) return null;
    if (finished()) return now;
    return Math.min(agenda.items[0].t, config.endMs);
  }

  /** The facts that close everything under way at `atOffset` go out; the model stops. */
  function closeAll(atOffset) {
    closed = true;
    now = Math.max(now, Math.round(atOffset));
    for (const call of [...calls.values()]) {
      const base = { queue: call.queue, visit: call.visit, joinedT: call.joinedT };
      const agent = call.agent;
      if (call.state === 'ringing') {
        callFact(call, 'agent.offer_ended', { ...base, agent: agent.i, result: 'canceled', offer: call.offers });
        agent.call = null;
      }
      if (call.state === 'ringing' || call.state === 'waiting') {
        leaveWaiting(call);
        callFact(call, 'queue.left', { ...base, outcome: 'unknown' });
      }
      if (call.state === 'talking') {
        const at = { ...base, agent: agent.i };
        if (call.onHold) callFact(call, 'hold.ended', at);
        callFact(call, 'agent.disconnected', { ...at, endedBy: 'system' });
        callFact(call, 'wrapup.started', at);
        callFact(call, 'wrapup.ended', at);
      }
      endCall(call, 'system');
    }
    for (const agent of agents) {
      if (agent.wrap) callFact(agent.wrap.call, 'wrapup.ended', agent.wrap.base);
      agent.wrap = null;
      if (agent.state !== 'offline') logout(agent);
    }
  }
  function shutdown(atOffset) {
    closeAll(atOffset);
    return out.splice(0);
  }

  return Object.assign(run(), { shutdown, peek, step });
}
