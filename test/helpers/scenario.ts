import { expect } from 'vitest';
import type { TestTenant } from '../factories';
import { asTenant } from './db';

/** A deterministic shuffle (LCG-seeded Fisher–Yates): "out of order" that a failure can reproduce. */
export function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * What a provider scenario produced, with ids replaced by readable names: each call's drill-down,
 * each queue's live counters, and the visits and segments rows in Postgres. Two tenants fed the
 * same deliveries in different orders must observe the same. `caller` adds the masked caller.
 */
export async function observeScenario(
  t: TestTenant,
  names: Map<string, string>,
  queueIds: string[],
  calls: Record<string, string>,
  options: { caller?: boolean } = {},
): Promise<{ calls: Record<string, any>; live: Record<string, any>; sql: { visits: unknown[][]; segments: unknown[][] } }> {
  const n = (id: string | null) => (id === null ? null : (names.get(id) ?? id));
  const out: Record<string, unknown> = {};
  for (const [role, id] of Object.entries(calls)) {
    const res = await t.admin.get(`/v1/calls/${id}`);
    expect(res.status, res.text).toBe(200);
    const c = res.body;
    out[role] = {
      direction: c.direction,
      ...(options.caller ? { callerMasked: c.callerMasked } : {}),
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      hangupCause: c.hangupCause,
      endedBy: c.endedBy,
      visits: c.visits.map((v: any) => [n(v.queueId), v.outcome, v.waitMs, n(v.agentId), v.enqueuedAt, v.leftAt]),
      segments: c.segments.map((g: any) => [n(g.agentId), n(g.queueId), g.talkMs, g.holdMs, g.holdCount, g.acwMs, g.endedBy]),
    };
  }
  const live: Record<string, unknown> = {};
  for (const id of queueIds) {
    const body = (await t.admin.get(`/v1/queues/${id}/live`)).body;
    const { date: _d, timeZone: _z, dayStart: _s, metrics: _m, ...today } = body.today;
    live[n(id) as string] = { waiting: body.waiting, ...today };
  }
  const rows = await asTenant(t.id, async (q) => ({
    visits: await q(
      'SELECT interaction_id, queue_id, outcome, wait_ms, agent_id FROM queue_visits ORDER BY interaction_id, enqueued_at',
    ),
    segments: await q('SELECT interaction_id, agent_id, talk_ms, hold_ms FROM agent_segments ORDER BY interaction_id'),
  }));
  return {
    calls: out,
    live,
    sql: {
      visits: rows.visits.map((r) => [r.interaction_id, n(r.queue_id), r.outcome, Number(r.wait_ms), n(r.agent_id)]),
      segments: rows.segments.map((r) => [r.interaction_id, n(r.agent_id), Number(r.talk_ms), Number(r.hold_ms)]),
    },
  };
}
