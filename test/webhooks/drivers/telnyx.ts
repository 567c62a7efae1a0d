import { expect } from 'vitest';
import { bodyOf, queuedCall, type TelnyxStep, telnyxHeaders, telnyxKeyPair } from '../../adapters/telnyx/fixtures';
import { type ApiResponse, call } from '../../helpers/api';
import { T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';
import { createWorld, expectPlannedDay, observeWorld, plannedDay, type WorldKeys } from './world';

/** The provider keys of the queues and agents: the names themselves. */
const KEYS: WorldKeys = { sales: 'sales', billing: 'billing', alice: 'alice', bob: 'bob' };

// Telnyx Call Control webhooks end to end: signed with an Ed25519 key whose public half is the connector's
// credential, posted to the connector's webhook path, read back from Postgres and from the queues' live state.

export async function setup() {
  const keys = await telnyxKeyPair();
  return { ...(await createWorld('telnyx', KEYS, { name: 'Telnyx', credentials: { publicKey: keys.publicKey } })), keys };
}
export type Setup = Awaited<ReturnType<typeof setup>>;

/** Posts a body as Telnyx does: signed now with the connector's key pair (or as `override` says). */
export async function deliver(
  s: Setup,
  body: string,
  override: {
    privateKey?: CryptoKey;
    timestamp?: number;
    headers?: Record<string, string>;
    contentType?: string;
    query?: string;
  } = {},
): Promise<ApiResponse> {
  const signed = await telnyxHeaders(
    override.privateKey ?? s.keys.privateKey,
    body,
    override.timestamp ?? Math.floor(Date.now() / 1000),
  );
  const headers = override.headers ?? { ...signed, 'content-type': override.contentType ?? 'application/json' };
  return call('POST', `${s.connector.webhookPath}${override.query ?? ''}`, { rawBody: body, headers });
}

/** One day's calls: answered with a hold, abandoned, a short abandon, and a transfer from sales to billing. */
export function scenario(run: string) {
  const { ids, calls } = plannedDay(run, T0);
  const steps: TelnyxStep[] = calls.flatMap(({ role, ...call }) => queuedCall({ ...call, session: ids[role] }));
  return { ids, bodies: steps.map(bodyOf) };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
export const observed = (s: Setup, ids: Record<string, string>) => observeWorld(s, ids);

export const iso = (ms: number) => new Date(ms).toISOString();

/** The common day through Telnyx Call Control: every webhook signed with the connector's Ed25519 key. */
export const telnyxDriver: ConformanceDriver<Setup, string> = {
  provider: 'telnyx',
  setup,
  deliver: (s, body) => deliver(s, body),
  day(run) {
    const { ids, bodies } = scenario(run);
    return { calls: ids, deliveries: bodies };
  },
  expectCounts: (counts) => expect(counts.reduce((n, c) => n + (c?.accepted ?? 0), 0)).toBe(10 + 4 + 4 + 10),
  observe: observed,
  waits: { answered: 12_000, moved: 20_000 },
  ingestedBreak: (s) => ({ agentId: s.alice.id, ref: { agentKey: 'alice' }, queueId: s.sales.id }),
  expectDay: (got, ids) =>
    expectPlannedDay(got, ids, T0, {
      ended: { hangupCause: 'normal_clearing', endedBy: 'system' },
      agentEndedBy: 'agent',
      abandonEndedBy: 'customer',
    }),
  again: { twice: (bodies) => bodies.slice(0, 9), seed: 7 },
};
