import { expect } from 'vitest';
import { createAgent, createQueue, createTenant, type TestTenant } from '../../factories';
import type { ApiResponse } from '../../helpers/api';
import { observeScenario } from '../../helpers/scenario';

/** Each queue's provider key, and each agent's. */
export interface WorldKeys {
  sales: string;
  billing: string;
  alice: string;
  bob: string;
}

/**
 * The tenant every provider's day runs in: the sales and billing queues, Alice (both) and Bob
 * (billing) under the provider's keys, and the provider's connector, whose webhook path and stored
 * credential names are checked.
 */
export async function createWorld(
  provider: string,
  keys: WorldKeys,
  connector: { name: string; credentials: Record<string, string>; options?: Record<string, unknown> },
) {
  const t = await createTenant();
  const key = (k: string) => ({ externalKeys: [{ provider, key: k }] });
  const sales = await createQueue(t, key(keys.sales));
  const billing = await createQueue(t, key(keys.billing));
  const alice = await createAgent(t, { queueIds: [sales.id, billing.id], ...key(keys.alice) });
  const bob = await createAgent(t, { queueIds: [billing.id], ...key(keys.bob) });
  const res = await t.admin.post('/v1/connectors', { ...connector, provider });
  expect(res.status, res.text).toBe(201);
  const created = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(created.webhookPath).toBe(`/v1/webhooks/${provider}/${created.id}`);
  expect([...created.credentials].sort()).toEqual(Object.keys(connector.credentials).sort());
  return { t, sales, billing, alice, bob, connector: created };
}
export type World = Awaited<ReturnType<typeof createWorld>>;

/** Callboard's ids in a world by the names the expectations use. */
export const worldNames = (w: World) =>
  new Map([
    [w.sales.id, 'sales'],
    [w.billing.id, 'billing'],
    [w.alice.id, 'alice'],
    [w.bob.id, 'bob'],
  ]);

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by names. */
export const observeWorld = (w: World, ids: Record<string, string>, options: { caller?: boolean } = {}) =>
  observeScenario(w.t, worldNames(w), [w.sales.id, w.billing.id], ids, options);

/** One call of the common day, as the queued-call fixtures take it (seconds after its minute). */
export interface PlannedCall {
  role: 'answered' | 'abandoned' | 'short' | 'transferred';
  queue: string;
  agent: string | null;
  t0: number;
  answerAfter: number;
  talk?: number;
  hold?: [number, number];
  transferTo?: string;
}

/**
 * The common day, for providers whose fixtures take a queued call: answered by Alice after 12 s with
 * a 15 s hold, abandoned after 45 s, a 3 s short abandon, and one moved to billing after 20 s and
 * answered there by Bob.
 */
export function plannedDay(run: string, t0: number): { ids: Record<PlannedCall['role'], string>; calls: PlannedCall[] } {
  const at = (minutes: number) => t0 + minutes * 60_000;
  const ids = {
    answered: `${run}-answered`,
    abandoned: `${run}-abandoned`,
    short: `${run}-short`,
    transferred: `${run}-transferred`,
  };
  return {
    ids,
    calls: [
      { role: 'answered', queue: 'sales', agent: 'alice', t0: at(1), answerAfter: 12, talk: 150, hold: [40, 55] },
      { role: 'abandoned', queue: 'sales', agent: null, t0: at(2), answerAfter: 45 },
      { role: 'short', queue: 'sales', agent: null, t0: at(3), answerAfter: 3 },
      { role: 'transferred', queue: 'sales', agent: 'bob', t0: at(4), answerAfter: 20, talk: 90, transferTo: 'billing' },
    ],
  };
}

/** A 200 ingest answer, read. */
export function ok(res: ApiResponse) {
  expect(res.status, res.text).toBe(200);
  return res.body as {
    results: { id: string; status: string; reason?: string }[];
    accepted: number;
    duplicates: number;
    rejected: number;
  };
}

/** A call's record (`GET /v1/calls/{id}`), which must exist. */
export async function call(t: TestTenant, id: string) {
  const res = await t.admin.get(`/v1/calls/${encodeURIComponent(id)}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** A queue's live state. */
export const live = async (t: TestTenant, queueId: string) => (await t.admin.get(`/v1/queues/${queueId}/live`)).body;

/**
 * What the planned day becomes, for the providers whose fixtures play it second by second (Telnyx,
 * Vonage): each call's visits and segments, and the segments' rows. `ended` is what the provider says
 * of the answered call's end, `agentEndedBy` who ended the agents' talk, `abandonEndedBy` who ended an
 * abandoned call (null: not said).
 */
export function expectPlannedDay(
  got: any,
  ids: Record<string, string>,
  t0: number,
  o: {
    ended: { hangupCause: string | null; endedBy: string | null };
    agentEndedBy: string | null;
    abandonEndedBy?: string;
  },
) {
  const m = (minutes: number, seconds: number) => new Date(t0 + minutes * 60_000 + seconds * 1000).toISOString();
  expect(got.calls.answered).toEqual({
    direction: 'inbound',
    startedAt: m(1, 0),
    endedAt: m(1, 164),
    ...o.ended,
    visits: [['sales', 'answered', 12_000, 'alice', m(1, 2), m(1, 14)]],
    // Talk is connected → disconnected minus the 15 s hold; neither provider reports wrap-up.
    segments: [['alice', 'sales', 135_000, 15_000, 1, null, o.agentEndedBy]],
  });
  expect(got.calls.abandoned).toMatchObject({
    ...(o.abandonEndedBy ? { endedBy: o.abandonEndedBy } : {}),
    visits: [['sales', 'abandoned', 45_000, null, m(2, 2), m(2, 47)]],
    segments: [],
  });
  expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, m(3, 2), m(3, 5)]], segments: [] });
  expect(got.calls.transferred).toMatchObject({
    visits: [
      ['sales', 'transferred', 20_000, null, m(4, 2), m(4, 22)],
      ['billing', 'answered', 9_950, 'bob', m(4, 22.05), m(4, 32)],
    ],
    segments: [['bob', 'billing', 90_000, 0, 0, null, o.agentEndedBy]],
  });
  expect(got.sql.segments).toEqual([
    [ids.answered, 'alice', 135_000, 15_000],
    [ids.transferred, 'bob', 90_000, 0],
  ]);
}
