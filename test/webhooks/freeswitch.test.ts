import { describe, expect, it } from 'vitest';
import { expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { settle } from '../helpers/ingest';
import { deliverSigned } from '../helpers/webhooks';
import {
  answered,
  at,
  bridged,
  call,
  caller,
  type Fs,
  fsEvent,
  intervalsOf,
  iso,
  live,
  member,
  ok,
  post,
  setup,
  shape,
} from './drivers/freeswitch';

// End to end through POST /v1/webhooks/freeswitch/{connectorId}: an ESL forwarder posts mod_callcenter
// events (and CHANNEL_HOLD/UNHOLD) as JSON, signed per Standard Webhooks with the connector's secret.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/freeswitch.ts).
describe('POST /v1/webhooks/freeswitch/{connectorId}', () => {
  it('an answered call with a failed offer and a hold (mod_callcenter reports no wrap-up)', async () => {
    const s = await setup();
    const session = crypto.randomUUID();
    const res = ok(await post(s, answered(session)));
    // 12 events: a Receiving state change is ignored; the others give 14 normalized events.
    expect(res).toMatchObject({ accepted: 14, duplicates: 0, rejected: 0 });
    await settle(s.t);
    const c = await call(s.t, session);
    expect(c).toMatchObject({
      direction: 'inbound',
      startedAt: iso(0),
      endedAt: iso(150),
      hangupCause: 'NORMAL_CLEARING',
      callerMasked: '+141******00',
    });
    expect(c.visits).toEqual([
      expect.objectContaining({
        queueId: s.support.id,
        outcome: 'answered',
        closedBy: 'event',
        waitMs: 25_000,
        agentId: s.alice.id,
      }),
    ]);
    expect(c.segments).toEqual([
      expect.objectContaining({
        agentId: s.alice.id,
        connectedAt: iso(25),
        disconnectedAt: iso(150),
        talkMs: 105_000,
        holdMs: 20_000,
        holdCount: 1,
        acwMs: null,
        transferred: false,
      }),
    ]);
    expect(c.events.filter((e: any) => e.type === 'agent.offer_ended').map((e: any) => [e.agentId, e.attrs])).toEqual([
      [s.bob.id, { result: 'timeout', ringMs: 15_000 }],
      [s.alice.id, { result: 'accepted', ringMs: 5_000 }],
    ]);
    expect(await intervalsOf(s.t, s.alice.id)).toEqual([
      ['busy', null, iso(25), iso(150)],
      ['available', null, iso(150), null],
    ]);
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 1, answered: 1 });
  });

  it('an abandoned call (the caller hangs up: BREAK_OUT) and a short abandon', async () => {
    const s = await setup();
    const [long, short] = [crypto.randomUUID(), crypto.randomUUID()];
    const ml = member(long, 'support@default');
    const ms = member(short, 'support@default');
    const cancel = (o: number, m: Fs, j: number, reason: string) =>
      fsEvent(o, {
        ...caller(m['CC-Member-Session-UUID'] as string, 'hangup'),
        'CC-Action': 'member-queue-end',
        'CC-Member-Leaving-Time': at(o),
        'CC-Member-Joined-Time': at(j),
        'CC-Cause': 'Cancel',
        'CC-Cancel-Reason': reason,
        ...m,
      });
    ok(
      await post(s, [
        fsEvent(0, { ...caller(long, 'answered'), 'CC-Action': 'member-queue-start', ...ml }),
        fsEvent(10, { ...caller(short, 'answered'), 'CC-Action': 'member-queue-start', ...ms }),
        cancel(12, ms, 10, 'NONE'),
        cancel(40, ml, 0, 'BREAK_OUT'),
      ]),
    );
    await settle(s.t);
    const threshold = (await s.t.admin.get('/v1/settings')).body.serviceLevel.shortAbandonSeconds as number;
    const visits = await asTenant(s.t.id, (q) =>
      q('SELECT interaction_id, outcome, wait_ms::int AS wait_ms FROM queue_visits WHERE queue_id = $1 ORDER BY wait_ms', [
        s.support.id,
      ]),
    );
    expect(visits).toEqual([
      { interaction_id: short, outcome: 'abandoned', wait_ms: 2000 },
      { interaction_id: long, outcome: 'abandoned', wait_ms: 40_000 },
    ]);
    expect(visits[0].wait_ms).toBeLessThanOrEqual(threshold * 1000);
    expect(visits[1].wait_ms).toBeGreaterThan(threshold * 1000);
    expect(await call(s.t, long)).toMatchObject({ endedAt: iso(40), endedBy: 'customer' });
    expect(await live(s.t, s.support.id)).toMatchObject({ waiting: 0, today: { offered: 2, abandoned: 2 } });
  });

  it('a transfer to another queue: the same session gets a new member uuid there', async () => {
    const s = await setup();
    const session = crypto.randomUUID();
    const first = bridged(member(session, 'support@default'), '1000@default', crypto.randomUUID(), {
      j: 0,
      o: 5,
      b: 10,
      e: 70,
      hangup: false,
    });
    const second = bridged(member(session, 'sales@default'), '1001@default', crypto.randomUUID(), {
      j: 71,
      o: 75,
      b: 80,
      e: 200,
      hangup: true,
    });
    ok(await post(s, [...first, ...second]));
    await settle(s.t);
    const c = await call(s.t, session);
    expect(shape(c)).toEqual({
      visits: [
        [s.support.id, 'answered', 10_000, s.alice.id],
        [s.sales.id, 'answered', 9_000, s.bob.id],
      ],
      segments: [
        [s.support.id, s.alice.id, 60_000, 0, 0, false],
        [s.sales.id, s.bob.id, 120_000, 0, 0, false],
      ],
    });
    expect(c.endedAt).toBe(iso(200));
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 1, answered: 1 });
    expect((await live(s.t, s.sales.id)).today).toMatchObject({ offered: 1, answered: 1 });
  });

  it('an agent going on break and back (agent-status-change)', async () => {
    const s = await setup();
    const status = (o: number, value: string) =>
      fsEvent(o, { 'CC-Agent': '1001@default', 'CC-Action': 'agent-status-change', 'CC-Agent-Status': value });
    ok(await post(s, [status(0, 'Available'), status(30, 'On Break')]));
    for (const q of [s.support.id, s.sales.id]) {
      expect((await live(s.t, q)).agents.list).toEqual([
        { agentId: s.bob.id, state: 'away', reason: 'On Break', since: iso(30), timeInStateMs: expect.any(Number) },
      ]);
    }
    ok(await post(s, [status(250, 'Available'), status(280, 'Logged Out')]));
    await settle(s.t);
    expect(await intervalsOf(s.t, s.bob.id)).toEqual([
      ['available', null, iso(0), iso(30)],
      ['away', 'On Break', iso(30), iso(250)],
      ['available', null, iso(250), iso(280)],
      ['offline', null, iso(280), null],
    ]);
  });

  it('duplicates and reordered deliveries give the same call', async () => {
    const s = await setup();
    const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const storyA = answered(a);
    ok(await post(s, storyA));
    // The forwarder retries the whole batch: nothing new.
    expect(ok(await post(s, storyA))).toMatchObject({ accepted: 0, duplicates: 14 });
    // The same story for b, one event per delivery in reverse; for c, one batch in a shuffled order.
    for (const e of [...answered(b)].reverse()) expect(ok(await post(s, [e])).rejected).toBe(0);
    const storyC = answered(c);
    ok(
      await post(
        s,
        storyC.map((_, i) => storyC[(i * 5) % storyC.length] as Fs),
      ),
    );
    await settle(s.t);
    const [ca, cb, cc] = [await call(s.t, a), await call(s.t, b), await call(s.t, c)];
    expect(shape(ca)).toEqual({
      visits: [[s.support.id, 'answered', 25_000, s.alice.id]],
      segments: [[s.support.id, s.alice.id, 105_000, 20_000, 1, false]],
    });
    expect(shape(cb)).toEqual(shape(ca));
    expect(shape(cc)).toEqual(shape(ca));
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 3, answered: 3 });
  });

  it('accepts unknown and irrelevant events, listing them as ignored in the delivery log', async () => {
    const s = await setup();
    const res = ok(
      await post(s, [
        fsEvent(0, {
          'CC-Queue': 'support@default',
          'CC-Action': 'members-count',
          'CC-Count': '0',
          'CC-Selection': 'Single-Queue',
        }),
        fsEvent(1, {}, 'HEARTBEAT'),
        fsEvent(2, { 'CC-Agent': '1000@default', 'CC-Action': 'agent-status-change', 'CC-Agent-Status': 'Available' }),
      ]),
    );
    expect(res).toMatchObject({ accepted: 1, rejected: 0 });
    await settle(s.t);
    const deliveries = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data;
    expect(deliveries).toEqual([
      expect.objectContaining({
        outcome: 'accepted',
        verified: true,
        events: 1,
        ignored: [
          { what: 'callcenter::info members-count (event 0)', reason: expect.any(String) },
          { what: 'HEARTBEAT (event 1)', reason: 'not a call-center event Callboard maps' },
        ],
      }),
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const body = JSON.stringify(answered(crypto.randomUUID()).slice(0, 1));
    const fs = { provider: 'freeswitch' };
    expectProblem(await deliverSigned(s.connector, '[{"Event-Name": "CUSTOM"', fs), 400, 'MALFORMED_JSON');
    expectProblem(
      await deliverSigned(s.connector, 'Event-Name: CUSTOM\n', { ...fs, contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const noName = expectProblem(
      await deliverSigned(s.connector, '[{"CC-Action": "member-queue-start"}]', fs),
      422,
      'VALIDATION_FAILED',
    );
    expect(noName.errors?.map((e) => e.pointer)).toEqual(['/0/Event-Name']);
    const other = await setup();
    expectProblem(await deliverSigned(s.connector, body, { ...fs, secret: other.connector.secret }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliverSigned(s.connector, body, { ...fs, signature: null }), 401, 'SIGNATURE_MISSING');
    expectProblem(
      await deliverSigned(s.connector, body, { ...fs, timestamp: new Date(Date.now() + 6 * 60_000) }),
      401,
      'SIGNATURE_EXPIRED',
    );
    expect((await live(s.t, s.support.id)).today.offered).toBe(0);
  });
});
