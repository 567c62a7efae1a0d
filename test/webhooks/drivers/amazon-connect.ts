import { expect } from 'vitest';
import {
  agentArn,
  agentCallRecords,
  type ContactPlan,
  contactEvents,
  firehoseDelivery,
  queueArn,
} from '../../adapters/amazon-connect/fixtures';
import { type ApiResponse, call } from '../../helpers/api';
import { asTenant } from '../../helpers/db';
import { T0 } from '../../helpers/ingest';
import type { ConformanceDriver } from './driver';
import { createWorld, worldNames } from './world';

// Amazon Connect end to end: contact events through an EventBridge API destination (API key header),
// Agent Event Stream records through a Kinesis Data Firehose HTTP endpoint (access key header), both
// to one connector; read back from Postgres and from the queues' live state.

export const SALES = queueArn('5a1e5000-0000-4000-8000-000000000001');
export const BILLING = queueArn('b1111000-0000-4000-8000-000000000002');
export const ALICE = agentArn('a11ce000-0000-4000-8000-000000000003');
export const BOB = agentArn('b0b00000-0000-4000-8000-000000000004');
export const API_KEY = 'eb-api-key-0123456789abcdef';
export const FIREHOSE_KEY = 'firehose-access-key-fedcba9876543210';

export const setup = () =>
  createWorld(
    'amazon-connect',
    { sales: SALES, billing: BILLING, alice: ALICE, bob: BOB },
    { name: 'Amazon Connect', credentials: { apiKey: API_KEY, firehoseAccessKey: FIREHOSE_KEY } },
  );
export type Setup = Awaited<ReturnType<typeof setup>>;

/** A delivery: one EventBridge event for the API destination, or agent records for Firehose. */
export type Delivery =
  | { kind: 'eventbridge'; event: Record<string, unknown> }
  | { kind: 'firehose'; requestId: string; records: unknown[] };

export async function deliver(s: Setup, d: Delivery, headers?: Record<string, string>, rawBody?: string): Promise<ApiResponse> {
  if (d.kind === 'eventbridge') {
    return call('POST', s.connector.webhookPath, {
      rawBody: rawBody ?? JSON.stringify(d.event),
      headers: headers ?? { 'Content-Type': 'application/json; charset=utf-8', 'x-api-key': API_KEY },
    });
  }
  return call('POST', s.connector.webhookPath, {
    rawBody: rawBody ?? JSON.stringify(firehoseDelivery(d.requestId, Date.now(), d.records)),
    headers: headers ?? {
      'Content-Type': 'application/json',
      'X-Amz-Firehose-Protocol-Version': '1.0',
      'X-Amz-Firehose-Request-Id': d.requestId,
      'X-Amz-Firehose-Access-Key': FIREHOSE_KEY,
    },
  });
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const m = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

/** One day's calls: answered with a hold and after-contact work, abandoned, short-abandoned, and moved to billing. */
export function scenario(run: string) {
  const ids = { answered: `${run}-ans`, abandoned: `${run}-abd`, short: `${run}-sht`, transferred: `${run}-trf` };
  const within = (minute: number) => (s: number) => iso(m(minute, s));
  const plans: [ContactPlan, number][] = [
    [
      {
        contactId: ids.answered,
        caller: '+14155550100',
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        agent: { arn: ALICE, connected: 12, acw: { start: 132, end: 162 } },
        disconnected: { at: 132, reason: 'CUSTOMER_DISCONNECT' },
      },
      1,
    ],
    [
      {
        contactId: ids.abandoned,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 47, reason: 'CUSTOMER_DISCONNECT' },
      },
      2,
    ],
    [
      {
        contactId: ids.short,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 5, reason: 'CUSTOMER_DISCONNECT' },
      },
      3,
    ],
    // The customer queue flow's transfer block moves the caller to billing: the waiting contact ends, a new one begins.
    [
      {
        contactId: ids.transferred,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 22, reason: 'CONTACT_FLOW_DISCONNECT' },
      },
      4,
    ],
    [
      {
        contactId: `${ids.transferred}-2`,
        initialContactId: ids.transferred,
        previousContactId: ids.transferred,
        initiationMethod: 'QUEUE_TRANSFER',
        initiated: 22.02,
        queue: { arn: BILLING, enqueued: 22.05 },
        agent: { arn: BOB, connected: 32 },
        disconnected: { at: 122, reason: 'CUSTOMER_DISCONNECT' },
      },
      4,
    ],
  ];
  const deliveries: Delivery[] = plans.flatMap(([plan, minute]) =>
    contactEvents(plan, within(minute)).map((event) => ({ kind: 'eventbridge' as const, event })),
  );
  // Alice's agent events for the answered call: rung, connected, a 15 s hold, the end and 30 s of after-contact work.
  const records = agentCallRecords(
    {
      agent: ALICE,
      contactId: ids.answered,
      queue: { arn: SALES, name: 'Sales', enqueued: 2 },
      available: -60,
      offered: 9,
      connected: 12,
      hold: { start: 40, end: 55 },
      ended: 132,
      cleared: 162,
    },
    within(1),
  );
  deliveries.push(...records.map((r, i) => ({ kind: 'firehose' as const, requestId: `${run}-fh-${i}`, records: [r] })));
  return { ids, deliveries };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
export async function observed(s: Setup, ids: Record<string, string>) {
  const names = worldNames(s);
  const n = (id: string | null) => (id === null ? null : (names.get(id) ?? id));
  const calls: Record<string, unknown> = {};
  for (const [role, id] of Object.entries(ids)) {
    const res = await s.t.admin.get(`/v1/calls/${id}`);
    expect(res.status, res.text).toBe(200);
    const c = res.body;
    calls[role] = {
      direction: c.direction,
      callerMasked: c.callerMasked,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      hangupCause: c.hangupCause,
      endedBy: c.endedBy,
      visits: c.visits.map((v: any) => [n(v.queueId), v.outcome, v.waitMs, n(v.agentId), v.enqueuedAt, v.leftAt]),
      segments: c.segments.map((g: any) => [n(g.agentId), n(g.queueId), g.talkMs, g.holdMs, g.holdCount, g.acwMs, g.endedBy]),
    };
  }
  const live: Record<string, unknown> = {};
  for (const q of [s.sales, s.billing]) {
    const body = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
    const { date: _d, timeZone: _z, dayStart: _s, metrics: _m, ...today } = body.today;
    live[n(q.id) as string] = { waiting: body.waiting, ...today };
  }
  const rows = await asTenant(s.t.id, async (q) => ({
    visits: await q(
      'SELECT interaction_id, queue_id, outcome, wait_ms, agent_id FROM queue_visits ORDER BY interaction_id, enqueued_at',
    ),
    segments: await q(
      'SELECT interaction_id, agent_id, talk_ms, hold_ms, hold_count, acw_ms FROM agent_segments ORDER BY interaction_id',
    ),
    interactions: await q('SELECT id, ended_by, hangup_cause FROM interactions ORDER BY id'),
  }));
  const sql = {
    visits: rows.visits.map((r) => [r.interaction_id, n(r.queue_id), r.outcome, Number(r.wait_ms), n(r.agent_id)]),
    segments: rows.segments.map((r) => [
      r.interaction_id,
      n(r.agent_id),
      Number(r.talk_ms),
      Number(r.hold_ms),
      Number(r.hold_count),
      r.acw_ms === null ? null : Number(r.acw_ms),
    ]),
    interactions: rows.interactions.map((r) => [r.id, r.ended_by, r.hangup_cause]),
  };
  return { calls, live, sql };
}

/** The common day through Amazon Connect: contact events via EventBridge, Alice's agent events via Firehose. */
export const amazonConnectDriver: ConformanceDriver<Setup, Delivery> = {
  provider: 'amazon-connect',
  setup,
  deliver: (s, d) => deliver(s, d),
  day(run) {
    const { ids, deliveries } = scenario(run);
    return { calls: ids, deliveries };
  },
  firstAnswer(res, d) {
    if (d.kind === 'firehose') {
      // Firehose counts a delivery done only when its request id comes back.
      expect(res.headers.get('Content-Type')).toContain('application/json');
      expect(res.body).toEqual({ requestId: d.requestId, timestamp: expect.any(Number) });
    } else expect(res.body.rejected, res.text).toBe(0);
  },
  counts: (res, d) => (d.kind === 'eventbridge' ? res.body : null),
  observe: observed,
  waits: { answered: 10_000, moved: 20_020 },
  expectDay(got, ids) {
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      callerMasked: '+141******00',
      startedAt: iso(m(1)),
      endedAt: iso(m(1, 132)),
      hangupCause: 'customer_disconnect',
      endedBy: 'customer',
      visits: [['sales', 'answered', 10_000, 'alice', iso(m(1, 2)), iso(m(1, 12))]],
      // Talk is connected → disconnected minus the hold (from the agent events); ACW from COMPLETED and the agent events.
      segments: [['alice', 'sales', 105_000, 15_000, 1, 30_000, 'customer']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, iso(m(2, 2)), iso(m(2, 47))]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, iso(m(3, 2)), iso(m(3, 5))]] });
    expect(got.calls.transferred).toMatchObject({
      startedAt: iso(m(4)),
      endedAt: iso(m(4, 122)),
      visits: [
        ['sales', 'transferred', 20_020, null, iso(m(4, 2)), iso(m(4, 22.02))],
        ['billing', 'answered', 9_950, 'bob', iso(m(4, 22.05)), iso(m(4, 32))],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'customer']],
    });
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 105_000, 15_000, 1, 30_000],
      [ids.transferred, 'bob', 90_000, 0, 0, null],
    ]);
    expect(got.sql.interactions).toEqual([
      [ids.abandoned, 'customer', 'customer_disconnect'],
      [ids.answered, 'customer', 'customer_disconnect'],
      [ids.short, 'customer', 'customer_disconnect'],
      [ids.transferred, 'customer', 'customer_disconnect'],
    ]);
  },
  // "Events are not ordered", and EventBridge retries.
  again: { twice: (deliveries) => deliveries.slice(0, 12), seed: 5 },
};
