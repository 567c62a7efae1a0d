import { expect } from 'vitest';
import { type VonageStep, vonageJwt, vonageQueuedCall } from '../../adapters/vonage/fixtures';
import { type ApiResponse, call } from '../../helpers/api';
import { T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';
import { createWorld, expectPlannedDay, observeWorld, plannedDay, type WorldKeys } from './world';

/** The provider keys of the queues and agents: the names themselves. */
const KEYS: WorldKeys = { sales: 'sales', billing: 'billing', alice: 'alice', bob: 'bob' };

// Vonage Voice API callbacks end to end: each signed with a fresh HS256 JWT over the body's SHA-256, as Vonage
// signs every request (a retry too), posted to the connector's webhook path — agents' legs with the
// `?agent=…&call=…` event-URL query of docs/providers/vonage.md — and read back from Postgres and the queues' live state.

export const SECRET = 'vonage-signature-secret-e2e-0123';

export const setup = () => createWorld('vonage', KEYS, { name: 'Vonage', credentials: { signatureSecret: SECRET } });
export type Setup = Awaited<ReturnType<typeof setup>>;

/** Posts a callback as Vonage does: `Authorization: Bearer <JWT>` signed now (or as `override` says). */
export async function deliver(
  s: Setup,
  step: Pick<VonageStep, 'body' | 'query'>,
  override: { secret?: string; iatSeconds?: number; headers?: Record<string, string>; contentType?: string } = {},
): Promise<ApiResponse> {
  const token = await vonageJwt(override.secret ?? SECRET, step.body, {
    iatSeconds: override.iatSeconds ?? Math.floor(Date.now() / 1000),
  });
  const headers = override.headers ?? {
    authorization: `Bearer ${token}`,
    'content-type': override.contentType ?? 'application/json',
  };
  return call('POST', `${s.connector.webhookPath}${step.query}`, { rawBody: step.body, headers });
}

/** One day's calls: answered with a hold, abandoned, a short abandon, and a transfer from sales to billing. */
export function scenario(run: string) {
  const { ids, calls } = plannedDay(run, T0);
  const steps: VonageStep[] = calls.flatMap(({ role, ...call }) => vonageQueuedCall({ ...call, call: ids[role] }));
  return { ids, steps };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
export const observed = (s: Setup, ids: Record<string, string>) => observeWorld(s, ids);

export const iso = (ms: number) => new Date(ms).toISOString();

/** The common day through Vonage: every callback signed with a fresh JWT. */
export const vonageDriver: ConformanceDriver<Setup, VonageStep> = {
  provider: 'vonage',
  setup,
  deliver: (s, step) => deliver(s, step),
  day(run) {
    const { ids, steps } = scenario(run);
    return { calls: ids, deliveries: steps };
  },
  expectCounts: (counts) => expect(counts.reduce((n, c) => n + (c?.accepted ?? 0), 0)).toBe(9 + 3 + 3 + 9),
  observe: observed,
  waits: { answered: 12_000, moved: 20_000 },
  ingestedBreak: (s) => ({ agentId: s.bob.id, ref: { agentKey: 'bob' }, queueId: s.billing.id }),
  expectDay: (got, ids) =>
    expectPlannedDay(got, ids, T0, {
      // Vonage says neither the cause nor who hung up.
      ended: { hangupCause: null, endedBy: null },
      agentEndedBy: null,
    }),
  // started/ringing and failure/completed swap in transit (docs/providers/vonage.md).
  again: { twice: (steps) => steps.slice(0, 9), seed: 11 },
};
