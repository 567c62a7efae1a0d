import { expect } from 'vitest';
import { signPlivoV3 } from '../../../src/adapters/telephony/plivo/plivo.signature';
import { type Form, formBody, hangupForm } from '../../adapters/plivo/fixtures';
import { createKey } from '../../factories';
import { type ApiResponse, call } from '../../helpers/api';
import { sendEvents, T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';
import { createWorld, observeWorld, type WorldKeys } from './world';

/** The provider keys of the queues and agents: the names themselves. */
const KEYS: WorldKeys = { sales: 'sales', billing: 'billing', alice: 'alice', bob: 'bob' };

// Plivo voice callbacks end to end: form posts signed with X-Plivo-Signature-V3 over the exact public URL
// (the test Worker is reached at http://callboard.test, the connector's publicBaseUrl), times written in
// the Plivo console's zone. Plivo has no queue, hold, wrap-up or agent-state events: the queue is the
// line the hangup_url is tagged with (?queue=), agent legs are tagged ?agent=&interaction=, and what
// Plivo never reports (a queue-to-queue move, an agent's break) comes through the generic ingest.

export const ZONE = 'America/New_York';
export const TOKEN = 'MAODUMZJY5ZDRMNJBMZJ-e2e-token';
export const FORM = 'application/x-www-form-urlencoded';

export const setup = () =>
  createWorld('plivo', KEYS, {
    name: 'Plivo',
    credentials: { authToken: TOKEN },
    options: { publicBaseUrl: 'http://callboard.test', timeZone: ZONE },
  });
export type Setup = Awaited<ReturnType<typeof setup>>;

/** One Plivo callback: its form and the tags of the URL it was configured with. */
export interface Callback {
  form: Form;
  query: string;
}

let nonces = 0;

/** Posts a callback as Plivo does: signed over the public URL and the form params (or as `override` says). */
export async function deliver(
  s: Setup,
  cb: Callback,
  override: {
    token?: string;
    signedQuery?: string;
    headers?: Record<string, string>;
    rawBody?: string;
    contentType?: string;
  } = {},
): Promise<ApiResponse> {
  const path = `${s.connector.webhookPath}${cb.query}`;
  const nonce = `${Date.now()}${nonces++}`.padEnd(20, '0');
  const signature = await signPlivoV3(override.token ?? TOKEN, {
    method: 'POST',
    url: `http://callboard.test${s.connector.webhookPath}${override.signedQuery ?? cb.query}`,
    params: override.contentType && override.contentType !== FORM ? [] : cb.form,
    nonce,
  });
  const headers = override.headers ?? {
    'Content-Type': override.contentType ?? FORM,
    'X-Plivo-Signature-V3': signature,
    'X-Plivo-Signature-V3-Nonce': nonce,
  };
  return call('POST', path, { rawBody: override.rawBody ?? formBody(cb.form), headers });
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const m = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

/** The customer's leg on a queue line, and the agent leg placed to the agent who took it. */
export function customer(uuid: string, queue: string, start: number, answer: number, end: number, source: string): Callback {
  const form = hangupForm({
    uuid,
    direction: 'inbound',
    from: '14155550100',
    to: '14155550199',
    start,
    answer,
    end,
    source,
    timeZone: ZONE,
  });
  return { form, query: `?queue=${queue}` };
}
export function agentLeg(
  uuid: string,
  o: { agent: string; queue: string; interaction: string; start: number; answer: number | null; end: number; source: string },
): Callback {
  const form = hangupForm({
    uuid,
    direction: 'outbound',
    from: '14155550199',
    to: `sip:${o.agent}@phone.plivo.com`,
    start: o.start,
    answer: o.answer,
    end: o.end,
    source: o.source,
    timeZone: ZONE,
  });
  return { form, query: `?agent=${o.agent}&interaction=${o.interaction}&queue=${o.queue}` };
}

/** One day's calls: answered, abandoned, a short abandon, and one moved from sales to billing. */
export function scenario(run: string) {
  const ids = { answered: `${run}-ans`, abandoned: `${run}-abd`, short: `${run}-sht`, transferred: `${run}-trf` };
  const callbacks: Callback[] = [
    customer(ids.answered, 'sales', m(1), m(1, 2), m(1, 150), 'Answer XML'),
    agentLeg(`${run}-ans-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: ids.answered,
      start: m(1, 9),
      answer: m(1, 14),
      end: m(1, 150),
      source: 'Callee',
    }),
    customer(ids.abandoned, 'sales', m(2), m(2, 2), m(2, 47), 'Caller'),
    // Alice was rung for the abandoned call too, and did not answer in time.
    agentLeg(`${run}-abd-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: ids.abandoned,
      start: m(2, 10),
      answer: null,
      end: m(2, 40),
      source: 'Plivo',
    }),
    customer(ids.short, 'sales', m(3), m(3, 2), m(3, 5), 'Caller'),
    customer(ids.transferred, 'sales', m(4), m(4, 2), m(4, 122), 'Caller'),
    agentLeg(`${run}-trf-b`, {
      agent: 'bob',
      queue: 'billing',
      interaction: ids.transferred,
      start: m(4, 25),
      answer: m(4, 32),
      end: m(4, 122),
      source: 'Plivo',
    }),
  ];
  return { ids, callbacks };
}

/** What Plivo cannot report: the application moved the caller from sales to billing (generic ingest). */
export async function moveToBilling(s: Setup, interactionId: string) {
  const ingest = await createKey(s.t, { scopes: ['ingest'] });
  await sendEvents(ingest.client, [
    {
      id: `${interactionId}:moved`,
      type: 'transfer',
      occurredAt: iso(m(4, 22)),
      interactionId,
      attrs: { kind: 'queue', toQueueId: s.billing.id },
    },
    {
      id: `${interactionId}:billing`,
      type: 'queue.joined',
      occurredAt: iso(m(4, 22) + 50),
      interactionId,
      queueId: s.billing.id,
    },
  ]);
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
export const observed = (s: Setup, ids: Record<string, string>) => observeWorld(s, ids, { caller: true });

/** The common day through Plivo: hangup callbacks signed over the public URL, the move to billing through the generic ingest. */
export const plivoDriver: ConformanceDriver<Setup, Callback> = {
  provider: 'plivo',
  setup,
  deliver: (s, cb) => deliver(s, cb),
  day(run) {
    const { ids, callbacks } = scenario(run);
    return { calls: ids, deliveries: callbacks };
  },
  supplement: (s, ids) => moveToBilling(s, ids.transferred as string),
  // Customer legs: started, joined, ended; answered agent legs: offered, accepted, connected, disconnected.
  expectCounts: (counts) => expect(counts.map((c) => c?.accepted)).toEqual([3, 4, 3, 2, 3, 3, 4]),
  observe: observed,
  waits: { answered: 12_000, moved: 20_000 },
  ingestedBreak: (s) => ({ agentId: s.alice.id, ref: { agentId: s.alice.id }, queueId: s.sales.id }),
  expectDay(got, ids) {
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      callerMasked: '1415*****00',
      startedAt: iso(m(1)),
      endedAt: iso(m(1, 150)),
      hangupCause: 'NORMAL_CLEARING',
      endedBy: 'system',
      // Waited from Plivo answering the line (the queue join) until Alice's leg was answered.
      visits: [['sales', 'answered', 12_000, 'alice', iso(m(1, 2)), iso(m(1, 14))]],
      // Plivo reports neither hold nor wrap-up.
      segments: [['alice', 'sales', 136_000, 0, 0, null, 'agent']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, iso(m(2, 2)), iso(m(2, 47))]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, iso(m(3, 2)), iso(m(3, 5))]] });
    expect(got.calls.transferred).toMatchObject({
      endedAt: iso(m(4, 122)),
      visits: [
        ['sales', 'transferred', 20_000, null, iso(m(4, 2)), iso(m(4, 22))],
        ['billing', 'answered', 9_950, 'bob', iso(m(4, 22) + 50), iso(m(4, 32))],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'system']],
    });
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 136_000, 0],
      [ids.transferred, 'bob', 90_000, 0],
    ]);
  },
  // Plivo's scheme has no timestamp: a replay is a retry.
  again: { twice: (callbacks) => callbacks.slice(0, 4), seed: 11 },
};
