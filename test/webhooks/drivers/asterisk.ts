import { expect } from 'vitest';
import { createAgent, createQueue, createTenant, unique } from '../../factories';
import { T0 } from '../../helpers/ingest';
import { observeScenario } from '../../helpers/scenario';
import { deliverSigned } from '../../helpers/webhooks';
import type { ConformanceDriver } from './driver';

// End to end through POST /v1/webhooks/asterisk/{connectorId}: a forwarder posts queue_log lines
// (text/plain) and AMI events (JSON), signed per Standard Webhooks with the connector's generated secret.

/** Event times: today (UTC) and in the past, each scenario spanning under 5 minutes. */
export const S = Math.max(Math.floor(T0 / 1000) + 1, Math.floor(Date.now() / 1000) - 1200);
export const iso = (offset: number, ms = 0) => new Date((S + offset) * 1000 + ms).toISOString();

let seq = 0;
/** An Asterisk uniqueid: `<epoch>.<channel counter>`. */
export const uniqueid = () => `${S}.${Math.floor(Math.random() * 1e6)}${seq++}`;

/** One queue_log line, `offset` seconds after S. */
export const line = (offset: number, callid: string, queue: string, agent: string, event: string, ...data: (string | number)[]) =>
  [S + offset, callid, queue, agent, event, ...data].join('|');

export async function setup() {
  const t = await createTenant();
  const billing = await createQueue(t, { name: unique('Billing'), externalKeys: [{ provider: 'asterisk', key: 'billing' }] });
  const support = await createQueue(t, { name: unique('Support'), externalKeys: [{ provider: 'asterisk', key: 'support' }] });
  const queueIds = [billing.id, support.id];
  // Alice is a member named "Alice" (queue_log writes the member name); Bob a member without a name (his interface).
  const alice = await createAgent(t, { queueIds, externalKeys: [{ provider: 'asterisk', key: 'Alice' }] });
  const bob = await createAgent(t, { queueIds, externalKeys: [{ provider: 'asterisk', key: 'PJSIP/2002' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'pbx1 forwarder', provider: 'asterisk' });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; secret: string; webhookPath: string };
  expect(connector.secret).toMatch(/^whsec_/);
  expect(connector.webhookPath).toBe(`/v1/webhooks/asterisk/${connector.id}`);
  return { t, billing, support, alice, bob, connector };
}

export type Setup = Awaited<ReturnType<typeof setup>>;

export const postLines = (s: Setup, lines: string[], opts: { id?: string } = {}) =>
  deliverSigned(s.connector, `${lines.join('\n')}\n`, { provider: 'asterisk', contentType: 'text/plain', ...opts });
export const postAmi = (s: Setup, events: Record<string, string>[]) =>
  deliverSigned(s.connector, JSON.stringify(events), { provider: 'asterisk', contentType: 'application/json' });

// The forwarders' tests read answers, calls and live state alike.
export { call, live, ok } from './world';

/** What a call's record says, without ids and instants that differ between copies of the same story. */
export const shape = (c: any) => ({
  visits: c.visits.map((v: any) => [v.queueId, v.outcome, v.waitMs, v.agentId]),
  segments: c.segments.map((s: any) => [s.queueId, s.agentId, s.talkMs, s.holdMs, s.holdCount, s.transferred, s.endedBy]),
});

/** An answered call: RONA on Bob, Alice answers after 20 s, holds 15.5 s (AMI), hangs up at 140 s. */
export function answered(callid: string) {
  const agentLeg = uniqueid();
  return {
    lines: [
      line(0, callid, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550100', 1),
      line(9, callid, 'billing', 'PJSIP/2002', 'RINGNOANSWER', 8000),
      line(20, callid, 'billing', 'Alice', 'CONNECT', 20, agentLeg, 3),
      line(140, callid, 'billing', 'Alice', 'COMPLETEAGENT', 20, 120, 1),
    ],
    ami: [
      { Event: 'Hold', Timestamp: `${S + 50}.250000`, Channel: 'PJSIP/2001-0000002b', Uniqueid: agentLeg, Linkedid: callid },
      { Event: 'Unhold', Timestamp: `${S + 65}.750000`, Channel: 'PJSIP/2001-0000002b', Uniqueid: agentLeg, Linkedid: callid },
    ],
  };
}

/** Answered by Alice in billing, blind-transferred to the support queue, answered there by Bob. */
export function transferred(callid: string) {
  return [
    line(0, callid, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550177', 1),
    line(10, callid, 'billing', 'Alice', 'CONNECT', 10, uniqueid(), 2),
    line(70, callid, 'billing', 'Alice', 'BLINDTRANSFER', 601, 'from-internal', 10, 60, 1),
    line(71, callid, 'support', 'NONE', 'ENTERQUEUE', '', '+14155550177', 1),
    line(80, callid, 'support', 'PJSIP/2002', 'CONNECT', 9, uniqueid(), 1),
    line(200, callid, 'support', 'PJSIP/2002', 'COMPLETECALLER', 9, 120, 1),
  ];
}

/** A forwarder's delivery: queue_log lines, or AMI events. */
export type AsteriskDelivery = { lines: string[] } | { ami: Record<string, string>[] };

const deliverAsterisk = (s: Setup, d: AsteriskDelivery) => ('lines' in d ? postLines(s, d.lines) : postAmi(s, d.ami));

/**
 * The common day on Asterisk, one queue_log line or AMI event per delivery: the answered call of
 * `answered` (Alice after 20 s, 15.5 s on hold), abandoned after 45 s, a 3 s short abandon, and a
 * call that times out of billing after 20 s into support, where Bob answers it after 10 s.
 */
function asteriskDay() {
  const ids = { answered: uniqueid(), abandoned: uniqueid(), short: uniqueid(), transferred: uniqueid() };
  const story = answered(ids.answered);
  const lines = [
    ...story.lines,
    line(10, ids.abandoned, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550101', 1),
    line(55, ids.abandoned, 'billing', 'NONE', 'ABANDON', 1, 1, 45),
    line(20, ids.short, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550102', 2),
    line(23, ids.short, 'billing', 'NONE', 'ABANDON', 2, 2, 3),
    line(30, ids.transferred, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550103', 3),
    line(50, ids.transferred, 'billing', 'NONE', 'EXITWITHTIMEOUT', 1, 1, 20),
    line(50, ids.transferred, 'support', 'NONE', 'ENTERQUEUE', '', '+14155550103', 1),
    line(60, ids.transferred, 'support', 'PJSIP/2002', 'CONNECT', 10, uniqueid(), 1),
    line(150, ids.transferred, 'support', 'PJSIP/2002', 'COMPLETECALLER', 10, 90, 1),
  ];
  const deliveries: AsteriskDelivery[] = [...lines.map((l) => ({ lines: [l] })), ...story.ami.map((e) => ({ ami: [e] }))];
  return { calls: ids, deliveries };
}

export const asteriskDriver: ConformanceDriver<Setup, AsteriskDelivery> = {
  provider: 'asterisk',
  queues: ['billing', 'support'],
  setup,
  deliver: deliverAsterisk,
  day: asteriskDay,
  observe: (s, ids) =>
    observeScenario(
      s.t,
      new Map([
        [s.billing.id, 'billing'],
        [s.support.id, 'support'],
        [s.alice.id, 'alice'],
        [s.bob.id, 'bob'],
      ]),
      [s.billing.id, s.support.id],
      ids,
      { caller: true },
    ),
  waits: { answered: 20_000, moved: 20_000, second: 10_000 },
  movedOutcome: 'timeout',
  expectDay(got, calls) {
    // queue_log says neither the direction nor a hang-up cause; who hung up comes from COMPLETEAGENT/COMPLETECALLER.
    const call = (caller: string, from: number, to: number, endedBy: string) => ({
      direction: null,
      callerMasked: `+141******${caller}`,
      startedAt: iso(from),
      endedAt: iso(to),
      hangupCause: null,
      endedBy,
    });
    expect(got.calls).toEqual({
      answered: {
        ...call('00', 0, 140, 'agent'),
        visits: [['billing', 'answered', 20_000, 'alice', iso(0), iso(20)]],
        // Talk: connected 20 s → disconnected 140 s, minus 15.5 s on hold (AMI). queue_log has no wrap-up event.
        segments: [['alice', 'billing', 104_500, 15_500, 1, null, 'agent']],
      },
      abandoned: {
        ...call('01', 10, 55, 'customer'),
        visits: [['billing', 'abandoned', 45_000, null, iso(10), iso(55)]],
        segments: [],
      },
      short: {
        ...call('02', 20, 23, 'customer'),
        visits: [['billing', 'abandoned', 3_000, null, iso(20), iso(23)]],
        segments: [],
      },
      transferred: {
        ...call('03', 30, 150, 'customer'),
        visits: [
          ['billing', 'timeout', 20_000, null, iso(30), iso(50)],
          ['support', 'answered', 10_000, 'bob', iso(50), iso(60)],
        ],
        segments: [['bob', 'support', 90_000, 0, 0, null, 'customer']],
      },
    });
    // Postgres orders segments by interaction id (a uniqueid here).
    const segments = [
      [calls.answered, 'alice', 104_500, 15_500],
      [calls.transferred, 'bob', 90_000, 0],
    ];
    expect(got.sql.segments).toEqual(segments.sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  },
  again: { twice: (deliveries) => deliveries.filter((_, i) => i % 3 === 0), seed: 3 },
};
