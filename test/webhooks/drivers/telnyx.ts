import { expect } from 'vitest';
import { bodyOf, queuedCall, type TelnyxStep, telnyxHeaders, telnyxKeyPair } from '../../adapters/telnyx/fixtures';
import { type ApiResponse, call } from '../../helpers/api';
import { T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';
import { createWorld, observeWorld, plannedDay, type WorldKeys } from './world';

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
  expectDay(got, ids) {
    const m = (minutes: number, seconds: number) => iso(T0 + minutes * 60_000 + seconds * 1000);
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      startedAt: m(1, 0),
      endedAt: m(1, 164),
      hangupCause: 'normal_clearing',
      endedBy: 'system',
      visits: [['sales', 'answered', 12_000, 'alice', m(1, 2), m(1, 14)]],
      // Talk is connected → disconnected minus the 15 s hold; Telnyx reports no wrap-up.
      segments: [['alice', 'sales', 135_000, 15_000, 1, null, 'agent']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, m(2, 2), m(2, 47)]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, m(3, 2), m(3, 5)]], segments: [] });
    expect(got.calls.transferred).toMatchObject({
      visits: [
        ['sales', 'transferred', 20_000, null, m(4, 2), m(4, 22)],
        ['billing', 'answered', 9_950, 'bob', iso(T0 + 4 * 60_000 + 22_050), m(4, 32)],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'agent']],
    });
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 135_000, 15_000],
      [ids.transferred, 'bob', 90_000, 0],
    ]);
  },
  again: { twice: (bodies) => bodies.slice(0, 9), seed: 7 },
};
