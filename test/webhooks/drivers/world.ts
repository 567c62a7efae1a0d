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
