import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { asTenant } from './helpers/db';
import { pastAt as at, sendEvents, settle } from './helpers/ingest';

type Wire = Record<string, unknown> & { id: string };
type Roles = { queues: [string, string]; agents: [string, string] };

/**
 * The events of a few calls and agent state changes, built for a given tenant's queue and agent ids. They span
 * about an hour from a midnight at least two hours ago (`pastAt`): from `T0`, runs in the first hour of the UTC
 * day had their last events refused as in the future, and the two tenants then agreed on fewer events than sent.
 */
function scenario(seed: { kinds: string[]; waits: number[]; talks: number[] }, r: Roles, run: string): Wire[] {
  const out: Wire[] = [];
  const [qa, qb] = r.queues;
  const [ag1, ag2] = r.agents;
  seed.kinds.forEach((kind, i) => {
    const id = `${run}-call-${i}`;
    const base = i * 1000;
    const wait = seed.waits[i] ?? 10;
    const talk = seed.talks[i] ?? 60;
    const e = (type: string, s: number, extra: Record<string, unknown> = {}) =>
      out.push({ id: `${id}:${type}:${s}`, type, occurredAt: at(base + s), interactionId: id, ...extra });
    e('interaction.started', 0, { direction: 'inbound', caller: `+4206000000${i % 10}` });
    e('queue.joined', 1, { queueId: qa });
    const agent = i % 2 === 0 ? ag1 : ag2;
    if (kind === 'answered' || kind === 'transferred') {
      e('queue.left', 1 + wait, { queueId: qa, attrs: { outcome: 'answered' } });
      e('agent.connected', 1 + wait, { agentId: agent });
      e('hold.started', 5 + wait, { agentId: agent });
      e('hold.ended', 8 + wait, { agentId: agent });
      if (kind === 'transferred') {
        e('transfer', 20 + wait, { agentId: agent, attrs: { kind: 'queue', toQueueId: qb } });
        e('agent.disconnected', 21 + wait, { agentId: agent, attrs: { endedBy: 'transfer' } });
        e('queue.joined', 22 + wait, { queueId: qb });
        e('queue.left', 25 + wait, { queueId: qb, attrs: { outcome: 'abandoned' } });
        e('interaction.ended', 25 + wait);
      } else {
        e('agent.disconnected', 1 + wait + talk, { agentId: agent });
        e('interaction.ended', 1 + wait + talk);
        e('wrapup.started', 1 + wait + talk, { agentId: agent });
        e('wrapup.ended', 31 + wait + talk, { agentId: agent });
        e('call.dispositioned', 40 + wait + talk, { attrs: { resolved: i % 3 !== 0 } });
      }
    } else if (kind === 'abandoned') {
      e('interaction.ended', 1 + wait);
    } else if (kind === 'timeout') {
      e('queue.left', 1 + wait, { queueId: qa, attrs: { outcome: 'timeout' } });
      e('queue.joined', 2 + wait, { queueId: qb });
      e('agent.connected', 9 + wait, { agentId: agent, queueId: qb });
      e('agent.disconnected', 9 + wait + talk, { agentId: agent });
      e('interaction.ended', 9 + wait + talk);
    }
  });
  for (const [agent, name] of [
    [ag1, 'a1'],
    [ag2, 'a2'],
  ] as const) {
    for (const [s, state] of [
      [0, 'available'],
      [1500, 'away'],
      [1700, 'available'],
    ] as const) {
      out.push({ id: `${run}-${name}-${s}`, type: 'agent.state_changed', occurredAt: at(s), agentId: agent, attrs: { state } });
    }
  }
  return out;
}

async function makeTenant() {
  const t = await createTenant();
  const queues: [string, string] = [(await createQueue(t)).id, (await createQueue(t)).id];
  const agents: [string, string] = [
    (await createAgent(t, { queueIds: queues })).id,
    (await createAgent(t, { queueIds: queues })).id,
  ];
  const ingest = await createKey(t, { scopes: ['ingest'], rateLimit: { limit: 10_000, windowSeconds: 60 } });
  return { t, roles: { queues, agents }, ingest };
}

/** Everything a tenant ended up with, ids replaced by their role so two tenants compare. */
async function snapshot(t: TestTenant, roles: Roles) {
  const names = new Map<string, string>([
    [roles.queues[0], 'QA'],
    [roles.queues[1], 'QB'],
    [roles.agents[0], 'A1'],
    [roles.agents[1], 'A2'],
  ]);
  const rename = (v: unknown): unknown => {
    if (typeof v === 'string') return [...names].reduce((s, [id, n]) => s.replaceAll(id, n), v);
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(rename);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rename(x)]));
    return v;
  };
  const db = await asTenant(t.id, async (q) => ({
    interactions: await q(
      `SELECT id, direction, caller_masked, started_at, ended_at, hangup_cause, ended_by, disposition, first_event_at, last_event_at
       FROM interactions ORDER BY id`,
    ),
    visits: await q(
      'SELECT id, interaction_id, queue_id, enqueued_at, left_at, outcome, closed_by, wait_ms, agent_id, answered_at FROM queue_visits ORDER BY id',
    ),
    segments: await q(
      `SELECT id, agent_id, queue_id, visit_id, connected_at, disconnected_at, talk_ms, hold_ms, hold_count, wrapup_started_at,
              wrapup_ended_at, acw_ms, transferred FROM agent_segments ORDER BY id`,
    ),
    intervals: await q('SELECT agent_id, state, started_at, ended_at FROM agent_state_intervals ORDER BY agent_id, started_at'),
    events: await q('SELECT count(*)::int AS n FROM events'),
  }));
  const live = await Promise.all(
    roles.queues.map(async (q) => {
      const l = (await t.admin.get(`/v1/queues/${q}/live`)).body;
      return { waiting: l.waiting, today: l.today, agents: l.agents.byState };
    }),
  );
  return rename({ db, live });
}

describe('exactly-once effect over at-least-once delivery', () => {
  it('three deliveries in random orders and batches end in the same records and counters as one in order (property)', async () => {
    const kinds = fc.constantFrom('answered', 'abandoned', 'transferred', 'timeout', 'waiting');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kinds: fc.array(kinds, { minLength: 2, maxLength: 4 }),
          waits: fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 4, maxLength: 4 }),
          talks: fc.array(fc.integer({ min: 20, max: 400 }), { minLength: 4, maxLength: 4 }),
        }),
        fc.infiniteStream(fc.integer({ min: 0, max: 1_000_000 })),
        fc.integer({ min: 1, max: 7 }),
        async (seed, randoms, batchSize) => {
          const label = `r${run++}-${Date.now().toString(36)}`;
          const inOrder = await makeTenant();
          const chaos = await makeTenant();
          const events = scenario(seed, inOrder.roles, label);
          await sendEvents(inOrder.ingest.client, events);

          const noisy = scenario(seed, chaos.roles, label);
          const tripled = [...noisy, ...noisy, ...noisy];
          const it = randoms[Symbol.iterator]();
          const shuffled = tripled
            .map((e) => ({ e, k: it.next().value as number }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.e);
          const seenInBatch = new Set<string>();
          let batch: Wire[] = [];
          for (const e of shuffled) {
            // A batch may not repeat an id; a repeat starts the next batch.
            if (seenInBatch.has(e.id) || batch.length >= batchSize) {
              await sendEvents(chaos.ingest.client, batch);
              batch = [];
              seenInBatch.clear();
            }
            batch.push(e);
            seenInBatch.add(e.id);
          }
          if (batch.length) await sendEvents(chaos.ingest.client, batch);

          await settle(inOrder.t);
          await settle(chaos.t);
          const expected = await snapshot(inOrder.t, inOrder.roles);
          expect(await snapshot(chaos.t, chaos.roles)).toEqual(expected);
          expect((expected as { db: { events: { n: number }[] } }).db.events[0]?.n).toBe(events.length);
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);
});
