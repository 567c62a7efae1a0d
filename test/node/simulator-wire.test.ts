import { Webhook } from 'standardwebhooks';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { timeMap } from '../../scripts/lib/sim/clock.mjs';
import { simulate } from '../../scripts/lib/sim/model.mjs';
import { planSimulation } from '../../scripts/lib/sim/plan.mjs';
import { PROFILES } from '../../scripts/lib/sim/profile.mjs';
import { newCallStats } from '../../scripts/lib/sim/progress.mjs';
import { createWaiter, runFacts } from '../../scripts/lib/sim/runner.mjs';
import { createSender, newSendStats } from '../../scripts/lib/sim/sender.mjs';
import { demoTopology } from '../../scripts/lib/sim/topology.mjs';
import { TWILIO_ACTIVITY_STATES, twilioSid } from '../../scripts/lib/sim/twilio.mjs';
import { genericAdapter } from '../../src/adapters/telephony/generic/generic.adapter';
import { twilioAdapter } from '../../src/adapters/telephony/twilio/twilio.adapter';
import type { AdapterContext, InboundRequest } from '../../src/adapters/telephony/types';
import { EventBatchSchema } from '../../src/domain/events/wire';

// What the simulator puts on the wire: the generic connector's batches and the Twilio connector's forms,
// signed as their senders sign them. The vendors' own libraries judge the signatures (standardwebhooks,
// twilio.validateRequest), and Callboard's adapters — the code the Worker runs — verify and read every
// request, so a mapping the server would refuse fails here, without a server.

const SECRET = `whsec_${Buffer.from('simulator-test-secret-32-bytes!!').toString('base64')}`;
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const PUBLIC = 'https://callboard.example.com';
const BASE = 'http://127.0.0.1:8787';

/** A tenant file for the demo's shape, with made-up ids (no server). */
function tenantFile() {
  const t = demoTopology();
  return {
    tenant: { id: 'tnt_sim', timeZone: 'UTC' },
    apiKey: 'cbk_tnt_sim_x',
    connectors: {
      generic: { id: 'con_tnt_sim_generic', secret: SECRET },
      twilio: { id: 'con_tnt_sim_twilio', authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC },
    },
    queues: t.queues.map((q: { name: string; provider: string; slug: string }, i: number) => ({
      id: `que_${i}`,
      name: q.name,
      provider: q.provider,
      keys: { generic: q.slug, twilio: twilioSid('WQ', q.slug) },
    })),
    agents: t.agents.map((a: { name: string; provider: string; slug: string; queues: number[] }, i: number) => ({
      id: `agt_${i}`,
      name: a.name,
      provider: a.provider,
      queueIds: a.queues.map((j) => `que_${j}`),
      keys: { generic: a.slug, twilio: twilioSid('WK', a.slug) },
    })),
  };
}

const T0 = Date.parse('2026-11-30T08:00:00Z');
type Req = { kind: string; url: string; signedUrl?: string; body: string; headers: () => Record<string, string> };

function plan(seed = 'wire', hours = 3) {
  return planSimulation(tenantFile(), {
    baseUrl: BASE,
    seed,
    startMs: T0,
    arrivalsUntilMs: hours * 3_600_000,
    timeZone: 'UTC',
    hourly: PROFILES.flat,
    staffing: 'full',
  });
}

/** Every request of a run, generic events batched per 200 as the runner does. */
function requests(p: ReturnType<typeof plan>) {
  const out: Req[] = [];
  let batch: unknown[] = [];
  const facts = [...simulate(p.config)] as { type: string; outcome?: string; queue?: number }[];
  for (const fact of facts) {
    const r = p.route(fact);
    batch.push(...r.batch);
    if (batch.length >= 200) {
      out.push(p.batchRequest(batch));
      batch = [];
    }
    out.push(...r.single);
  }
  if (batch.length > 0) out.push(p.batchRequest(batch));
  return { facts, requests: out };
}

const ctx = (credentials: Record<string, string>[], options = {}): AdapterContext =>
  ({ connectorId: 'con', credentials, options, nowMs: Date.now() }) as AdapterContext;

const inbound = (r: Req): InboundRequest => ({
  method: 'POST',
  url: r.signedUrl ?? r.url,
  headers: new Headers(r.headers()),
  rawBody: r.body,
  contentType: r.headers()['Content-Type'] as string,
});

describe('the simulator on the wire', () => {
  it('signs generic batches as Standard Webhooks does, with valid events and ids that repeat on a resend', async () => {
    const { requests: all } = requests(plan());
    const generic = all.filter((r) => r.kind === 'generic');
    expect(generic.length).toBeGreaterThan(10);
    const ids = new Set<string>();
    for (const r of generic) {
      const headers = r.headers();
      expect(() => new Webhook(SECRET).verify(r.body, headers)).not.toThrow();
      expect(await genericAdapter.verify(inbound(r), ctx([{ secret: SECRET }]))).toMatchObject({ ok: true });
      const parsed = EventBatchSchema.safeParse(JSON.parse(r.body));
      expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 2))).toBe(true);
      for (const e of parsed.data?.events ?? []) {
        expect(ids.has(e.id), e.id).toBe(false);
        ids.add(e.id);
      }
    }
    // Another secret does not verify.
    const other = `whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`;
    expect(() =>
      new Webhook(other).verify(generic[0]?.body as string, generic[0]?.headers() as Record<string, string>),
    ).toThrow();
    // The same run again: the same ids (a resend is all duplicates); another seed: other ids.
    const again = requests(plan()).requests.filter((r) => r.kind === 'generic');
    expect(again.map((r) => r.body)).toEqual(generic.map((r) => r.body));
    const otherSeed = requests(plan('other')).requests.filter((r) => r.kind === 'generic');
    expect(JSON.parse(otherSeed[0]?.body as string).events[0].id).not.toBe(JSON.parse(generic[0]?.body as string).events[0].id);
  });

  it('signs Twilio forms that twilio.validateRequest accepts, and that the Twilio adapter reads as the calls simulated', async () => {
    const p = plan();
    const { facts, requests: all } = requests(p);
    const forms = all.filter((r) => r.kind === 'twilio');
    expect(forms.length).toBeGreaterThan(100);
    const c = ctx([{ authToken: AUTH_TOKEN }], { activityStates: TWILIO_ACTIVITY_STATES });
    const outcomes: Record<string, number> = {};
    const states: Record<string, number> = {};
    const eventIds = new Set<string>();
    for (const r of forms) {
      const headers = r.headers();
      const params = Object.fromEntries(new URLSearchParams(r.body));
      expect(twilio.validateRequest(AUTH_TOKEN, headers['X-Twilio-Signature'] as string, r.signedUrl as string, params)).toBe(
        true,
      );
      expect(twilio.validateRequest('f'.repeat(32), headers['X-Twilio-Signature'] as string, r.signedUrl as string, params)).toBe(
        false,
      );
      const req = inbound(r);
      expect(await twilioAdapter.verify(req, c)).toMatchObject({ ok: true });
      const { events, ignored } = await twilioAdapter.normalize(req, c);
      expect(ignored, r.body).toEqual([]);
      expect(events.length).toBeGreaterThan(0);
      // As the Worker checks them (receive-delivery.ts): without the instant's source, against the wire schema.
      const wire = events.map(({ occurredAtSource: _source, ...e }) => e);
      const parsed = EventBatchSchema.safeParse({ events: wire });
      expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 2))).toBe(true);
      for (const e of events) {
        expect(eventIds.has(e.id), e.id).toBe(false);
        eventIds.add(e.id);
        const attrs = (e.attrs ?? {}) as { outcome?: string; state?: string };
        if (e.type === 'queue.left') outcomes[`${attrs.outcome}`] = (outcomes[`${attrs.outcome}`] ?? 0) + 1;
        if (e.type === 'agent.state_changed') states[`${attrs.state}`] = (states[`${attrs.state}`] ?? 0) + 1;
      }
    }
    // What the adapter reads is what the model did in the Twilio queues and with the Twilio site's agents.
    const twilioQueue = (f: { queue?: number }) => p.queueProvider[f.queue as number] === 'twilio';
    const left = facts.filter((f) => f.type === 'queue.left' && twilioQueue(f));
    const count = (o: string) => left.filter((f) => f.outcome === o).length;
    expect(outcomes).toEqual(
      Object.fromEntries(['answered', 'abandoned', 'timeout'].filter((o) => count(o) > 0).map((o) => [o, count(o)] as const)),
    );
    expect(outcomes.answered).toBeGreaterThan(50);
    expect(outcomes.abandoned).toBeGreaterThan(0);
    // Breaks are away; everyone logs out at the end of the run.
    expect(Object.keys(states).sort()).toEqual(['available', 'away', 'busy', 'offline', 'wrapup']);
  });
});

describe('sending', () => {
  const req = (i: number): Req => ({ kind: 'generic', url: `http://x/${i}`, body: '{}', headers: () => ({}) });

  it('retries network errors, 5xx and 429, counts other 4xx without retrying, and keeps at most N in flight', async () => {
    const stats = newSendStats();
    const attempts = new Map<string, number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = async (url: string) => {
      const n = (attempts.get(url) ?? 0) + 1;
      attempts.set(url, n);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (url.endsWith('/1') && n < 3) return new Response('{"code":"SERVICE_UNAVAILABLE"}', { status: 503 });
      if (url.endsWith('/2') && n < 2) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      if (url.endsWith('/3')) return new Response('{"code":"VALIDATION_FAILED"}', { status: 422 });
      if (url.endsWith('/4')) return new Response('', { status: 503 });
      return new Response(JSON.stringify({ accepted: 2, duplicates: 1, rejected: 0 }), { status: 200 });
    };
    const sender = createSender({
      stats,
      concurrency: 3,
      maxAttempts: 4,
      fetch: fetch as typeof globalThis.fetch,
      sleep: async () => {},
    });
    for (let i = 0; i < 12; i++) await sender.send(req(i));
    await sender.drain();
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(attempts.get('http://x/1')).toBe(3);
    expect(attempts.get('http://x/2')).toBe(2);
    expect(attempts.get('http://x/3')).toBe(1);
    expect(attempts.get('http://x/4')).toBe(4);
    expect(stats).toMatchObject({ requests: 12, ok: 10, refused: 1, failed: 1, retries: 6, inFlight: 0, retrying: 0 });
    expect(stats.accepted).toBe(20);
    expect(stats.duplicates).toBe(10);
    expect(stats.problems).toEqual({ 'generic 422 VALIDATION_FAILED': 1, 'generic 503': 1 });
  });

  it('never sends a fact before it happened (a clock driven by the test)', async () => {
    const p = plan('clock', 2);
    let fakeNow = T0;
    const waiter = {
      stopped: false,
      async until(due: number) {
        fakeNow = Math.max(fakeNow, due);
      },
      stop() {},
    };
    const early: string[] = [];
    let sent = 0;
    const loop = runFacts({
      facts: simulate(p.config),
      clock: timeMap({ realStartMs: T0, speed: 1, startMs: T0 }),
      route: (fact: { at: number; type: string }) => {
        sent++;
        if (fact.at > fakeNow) early.push(`${fact.type} at ${fact.at - fakeNow} ms ahead`);
        return p.route(fact);
      },
      batchRequest: p.batchRequest,
      sender: { async send() {}, async drain() {}, stop() {} } as never,
      calls: newCallStats(),
      waiter: waiter as never,
      now: () => fakeNow,
    });
    await loop.done;
    expect(sent).toBeGreaterThan(1000);
    expect(early).toEqual([]);
  });

  it('batches generic events due together, and closes every call when stopped', async () => {
    const p = plan('stop', 8);
    const facts = simulate(p.config);
    const sent: Req[] = [];
    const waiter = createWaiter();
    const sender = {
      async send(r: Req) {
        sent.push(r);
        if (sent.length === 400) waiter.stop();
      },
      async drain() {},
      stop() {},
    };
    const calls = newCallStats();
    const loop = runFacts({
      facts,
      clock: timeMap({ realStartMs: T0, speed: 1, startMs: T0 }),
      route: p.route,
      batchRequest: p.batchRequest,
      sender: sender as never,
      calls,
      waiter,
      immediate: true,
      batchMax: 50,
    });
    await loop.done;
    const events = sent.filter((r) => r.kind === 'generic').flatMap((r) => JSON.parse(r.body).events);
    expect(
      Math.max(...sent.filter((r) => r.kind === 'generic').map((r) => JSON.parse(r.body).events.length)),
    ).toBeLessThanOrEqual(50);
    // Every generic call that started also ended (the stop closed the rest), and every agent is offline.
    const started = new Set(events.filter((e) => e.type === 'interaction.started').map((e) => e.interactionId));
    const ended = new Set(events.filter((e) => e.type === 'interaction.ended').map((e) => e.interactionId));
    expect(started.size).toBeGreaterThan(10);
    expect([...started].filter((id) => !ended.has(id))).toEqual([]);
    const last = new Map<string, string>();
    for (const e of events.filter((x) => x.type === 'agent.state_changed')) last.set(e.agentKey, e.attrs.state);
    expect(new Set(last.values())).toEqual(new Set(['offline']));
    expect(calls.waiting).toBe(0);
  });
});
