import { describe, expect, it } from 'vitest';
import { createAgent } from '../factories';
import { expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { settle } from '../helpers/ingest';
import { deliverSigned } from '../helpers/webhooks';
import { answered, call, iso, line, live, ok, postAmi, postLines, setup, shape, transferred, uniqueid } from './drivers/asterisk';

// End to end through POST /v1/webhooks/asterisk/{connectorId}: a forwarder posts queue_log lines
// (text/plain) and AMI events (JSON), signed per Standard Webhooks with the connector's generated secret.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/asterisk.ts).
describe('POST /v1/webhooks/asterisk/{connectorId}', () => {
  it('an answered call: wait and talk from queue_log, hold from AMI, wrap-up by the pause convention', async () => {
    const s = await setup();
    const id = uniqueid();
    const story = answered(id);
    const res = ok(await postLines(s, [...story.lines, line(140, 'NONE', 'billing', 'Alice', 'PAUSE', 'Wrap-up')]));
    expect(res).toMatchObject({ accepted: 9, duplicates: 0, rejected: 0 });
    expect(ok(await postAmi(s, story.ami))).toMatchObject({ accepted: 2, rejected: 0 });
    ok(await postLines(s, [line(170, 'NONE', 'billing', 'Alice', 'UNPAUSE', 'Wrap-up')]));
    await settle(s.t);

    const c = await call(s.t, id);
    expect(c).toMatchObject({ startedAt: iso(0), endedAt: iso(140), endedBy: 'agent', callerMasked: '+141******00' });
    expect(c.visits).toEqual([
      expect.objectContaining({
        queueId: s.billing.id,
        outcome: 'answered',
        closedBy: 'event',
        waitMs: 20_000,
        agentId: s.alice.id,
        enqueuedAt: iso(0),
        answeredAt: iso(20),
      }),
    ]);
    // Talk: connected 20 s → disconnected 140 s, minus 15.5 s on hold. queue_log has no wrap-up event.
    expect(c.segments).toEqual([
      expect.objectContaining({
        agentId: s.alice.id,
        queueId: s.billing.id,
        connectedAt: iso(20),
        disconnectedAt: iso(140),
        talkMs: 104_500,
        holdMs: 15_500,
        holdCount: 1,
        acwMs: null,
        transferred: false,
        endedBy: 'agent',
      }),
    ]);
    const intervals = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ]),
    );
    expect(
      intervals.map((r) => [
        r.state,
        r.reason,
        new Date(r.started_at).toISOString(),
        r.ended_at && new Date(r.ended_at).toISOString(),
      ]),
    ).toEqual([
      ['wrapup', 'Wrap-up', iso(140), iso(170)],
      ['available', null, iso(170), null],
    ]);
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
  });

  it('an abandoned call and a short abandon', async () => {
    const s = await setup();
    const [long, short] = [uniqueid(), uniqueid()];
    ok(
      await postLines(s, [
        line(0, long, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550101', 1),
        line(45, long, 'billing', 'NONE', 'ABANDON', 1, 1, 45),
        line(10, short, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550102', 2),
        line(13, short, 'billing', 'NONE', 'ABANDON', 2, 2, 3),
      ]),
    );
    await settle(s.t);
    const threshold = (await s.t.admin.get('/v1/settings')).body.serviceLevel.shortAbandonSeconds as number;
    const visits = await asTenant(s.t.id, (q) =>
      q(
        'SELECT interaction_id, outcome, wait_ms::int AS wait_ms, closed_by FROM queue_visits WHERE queue_id = $1 ORDER BY wait_ms',
        [s.billing.id],
      ),
    );
    expect(visits).toEqual([
      { interaction_id: short, outcome: 'abandoned', wait_ms: 3000, closed_by: 'event' },
      { interaction_id: long, outcome: 'abandoned', wait_ms: 45_000, closed_by: 'event' },
    ]);
    expect(visits[0].wait_ms).toBeLessThanOrEqual(threshold * 1000);
    expect(visits[1].wait_ms).toBeGreaterThan(threshold * 1000);
    expect(await call(s.t, long)).toMatchObject({ endedAt: iso(45), endedBy: 'customer' });
    expect(await live(s.t, s.billing.id)).toMatchObject({ waiting: 0, today: { offered: 2, abandoned: 2, answered: 0 } });
  });

  it('a transfer to another queue, and an overflow after a timeout', async () => {
    const s = await setup();
    const [id, overflow] = [uniqueid(), uniqueid()];
    ok(await postLines(s, transferred(id)));
    ok(
      await postLines(s, [
        line(0, overflow, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550199', 1),
        line(60, overflow, 'billing', 'NONE', 'EXITWITHTIMEOUT', 1, 1, 60),
        line(60, overflow, 'support', 'NONE', 'ENTERQUEUE', '', '+14155550199', 1),
        line(75, overflow, 'support', 'Alice', 'CONNECT', 15, uniqueid(), 2),
        line(95, overflow, 'support', 'Alice', 'COMPLETECALLER', 15, 20, 1),
      ]),
    );
    await settle(s.t);
    // Answered, then transferred by the agent: the first visit stays answered, the segment says transferred.
    const c = await call(s.t, id);
    expect(shape(c)).toEqual({
      visits: [
        [s.billing.id, 'answered', 10_000, s.alice.id],
        [s.support.id, 'answered', 9_000, s.bob.id],
      ],
      segments: [
        [s.billing.id, s.alice.id, 60_000, 0, 0, true, 'transfer'],
        [s.support.id, s.bob.id, 120_000, 0, 0, false, 'customer'],
      ],
    });
    expect(shape(await call(s.t, overflow)).visits).toEqual([
      [s.billing.id, 'timeout', 60_000, null],
      [s.support.id, 'answered', 15_000, s.alice.id],
    ]);
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 2, answered: 1, flowedOut: 1 });
    expect((await live(s.t, s.support.id)).today).toMatchObject({ offered: 2, answered: 2 });
  });

  it('Wazo: calls diverted before the queue are offered and flowed out; WRAPUPSTART gives the after-call work', async () => {
    const s = await setup();
    const [ratio, holdtime, id] = [uniqueid(), uniqueid(), uniqueid()];
    ok(
      await postLines(s, [
        // Wazo's dialplan logs the diversion alone, with no data fields.
        line(0, ratio, 'billing', 'NONE', 'DIVERT_CA_RATIO'),
        line(5, holdtime, 'billing', 'NONE', 'DIVERT_HOLDTIME'),
        line(10, id, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550123', 1),
        line(22, id, 'billing', 'Alice', 'CONNECT', 12, uniqueid(), 4),
        line(100, id, 'billing', 'Alice', 'COMPLETECALLER', 12, 78, 1),
        line(100, id, 'billing', 'Alice', 'WRAPUPSTART', 45),
      ]),
    );
    await settle(s.t);
    for (const diverted of [ratio, holdtime]) {
      expect(shape(await call(s.t, diverted)).visits).toEqual([[s.billing.id, 'rejected_full', 0, null]]);
    }
    expect((await call(s.t, id)).segments).toEqual([
      expect.objectContaining({
        agentId: s.alice.id,
        talkMs: 78_000,
        wrapupStartedAt: iso(100),
        wrapupEndedAt: iso(145),
        acwMs: 45_000,
        endedBy: 'customer',
      }),
    ]);
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 3, answered: 1, flowedOut: 2 });
  });

  it('an attended transfer into a queue (Asterisk 20): one call, answered in billing, transferred, joined and answered in support', async () => {
    const s = await setup();
    const [id, consult] = [uniqueid(), uniqueid()];
    // Alice's consult channel enters support and the ATTENDEDTRANSFER is logged under it; the caller's
    // callid goes on in support once the transfer is done (the shape of ATTENDED_TRANSFER_TO_QUEUE).
    const res = ok(
      await postLines(s, [
        line(0, id, 'billing', 'NONE', 'ENTERQUEUE', '', '+14155550166', 1),
        line(12, id, 'billing', 'Alice', 'CONNECT', 12, uniqueid(), 3),
        line(46, consult, 'support', 'NONE', 'ENTERQUEUE', '', '2001', 1),
        line(58, consult, 'billing', 'Alice', 'ATTENDEDTRANSFER', 'APP', 'Queue', 12, 46, 1),
        line(67, id, 'support', 'PJSIP/2002', 'CONNECT', 21, uniqueid(), 9),
        line(156, id, 'support', 'PJSIP/2002', 'COMPLETEAGENT', 21, 89, 1),
      ]),
    );
    expect(res.rejected).toBe(0);
    await settle(s.t);
    const c = await call(s.t, id);
    expect(shape(c)).toEqual({
      visits: [
        [s.billing.id, 'answered', 12_000, s.alice.id],
        [s.support.id, 'answered', 21_000, s.bob.id],
      ],
      segments: [
        [s.billing.id, s.alice.id, 46_000, 0, 0, true, 'transfer'],
        [s.support.id, s.bob.id, 89_000, 0, 0, false, 'agent'],
      ],
    });
    expect(c.visits[1]).toMatchObject({ enqueuedAt: iso(46), answeredAt: iso(67), closedBy: 'event' });
    expect(c).toMatchObject({ startedAt: iso(0), endedAt: iso(156), callerMasked: '+141******66' });
    expect((await s.t.admin.get(`/v1/calls/${encodeURIComponent(consult)}`)).status).toBe(404);
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 1, answered: 1 });
    expect(await live(s.t, s.support.id)).toMatchObject({ waiting: 0, today: { offered: 1, answered: 1 } });
  });

  it('an agent going on break: pause across queues (PAUSEALL + one PAUSE per queue) is one interval', async () => {
    const s = await setup();
    ok(
      await postLines(s, [
        line(0, 'NONE', 'billing', 'Alice', 'ADDMEMBER', ''),
        line(0, 'NONE', 'support', 'Alice', 'ADDMEMBER', ''),
        line(30, 'NONE', 'NONE', 'Alice', 'PAUSEALL', 'Lunch'),
        line(30, 'NONE', 'billing', 'Alice', 'PAUSE', 'Lunch'),
        line(30, 'NONE', 'support', 'Alice', 'PAUSE', 'Lunch'),
      ]),
    );
    for (const q of [s.billing.id, s.support.id]) {
      expect((await live(s.t, q)).agents.list).toEqual(
        expect.arrayContaining([
          { agentId: s.alice.id, state: 'away', reason: 'Lunch', since: iso(30), timeInStateMs: expect.any(Number) },
        ]),
      );
    }
    ok(
      await postLines(s, [
        line(250, 'NONE', 'NONE', 'Alice', 'UNPAUSEALL', ''),
        line(250, 'NONE', 'billing', 'Alice', 'UNPAUSE', 'Lunch'),
      ]),
    );
    await settle(s.t);
    const intervals = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ]),
    );
    expect(
      intervals.map((r) => [
        r.state,
        r.reason,
        new Date(r.started_at).toISOString(),
        r.ended_at && new Date(r.ended_at).toISOString(),
      ]),
    ).toEqual([
      ['available', null, iso(0), iso(30)],
      ['away', 'Lunch', iso(30), iso(250)],
      ['available', null, iso(250), null],
    ]);
    expect((await live(s.t, s.billing.id)).agents.list).toEqual(
      expect.arrayContaining([
        { agentId: s.alice.id, state: 'available', reason: null, since: iso(250), timeInStateMs: expect.any(Number) },
      ]),
    );
  });

  it('Wazo: an unpause after a logoff leaves the agent offline (it ends a pause, it never logs in)', async () => {
    const s = await setup();
    const agent = await createAgent(s.t, {
      queueIds: [s.billing.id, s.support.id],
      externalKeys: [{ provider: 'asterisk', key: 'Agent/1001' }],
    });
    ok(
      await postLines(s, [
        line(0, 'NONE', 'NONE', 'Agent/1001', 'AGENTCALLBACKLOGIN', '1001@default'),
        line(40, 'NONE', 'NONE', 'Agent/1001', 'PAUSEALL', 'Lunch'),
        line(100, 'NONE', 'NONE', 'Agent/1001', 'AGENTCALLBACKLOGOFF', '1001@default', 100, 'CommandLogoff'),
        line(100, 'NONE', 'NONE', 'Agent/1001', 'UNPAUSEALL', ''),
      ]),
    );
    // A per-queue unpause in a later request changes nothing either.
    ok(await postLines(s, [line(101, 'NONE', 'billing', 'Agent/1001', 'UNPAUSE', '')]));
    await settle(s.t);
    const intervals = await asTenant(s.t.id, (q) =>
      q('SELECT state, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at, ended_at', [
        agent.id,
      ]),
    );
    expect(intervals.map((r) => [r.state, new Date(r.started_at).toISOString()])).toEqual([
      ['available', iso(0)],
      ['away', iso(40)],
      ['offline', iso(100)],
      ['offline', iso(100)],
      ['offline', iso(101)],
    ]);
    for (const q of [s.billing.id, s.support.id]) {
      expect((await live(s.t, q)).agents.list).toEqual(
        expect.arrayContaining([expect.objectContaining({ agentId: agent.id, state: 'offline' })]),
      );
    }
  });

  it('duplicates, a reordered line-by-line delivery and a whole-file backfill all give the same calls', async () => {
    const s = await setup();
    const [a, b] = [uniqueid(), uniqueid()];
    const storyA = answered(a);
    ok(await postLines(s, storyA.lines));
    ok(await postAmi(s, storyA.ami));
    // The same call told as b, delivered one line per request in reverse order, the AMI events first.
    const storyB = answered(b);
    for (const e of [...storyB.ami].reverse()) ok(await postAmi(s, [e]));
    for (const l of [...storyB.lines].reverse()) expect(ok(await postLines(s, [l])).rejected).toBe(0);
    // The forwarder re-sends a batch, then the whole file is uploaded as a backfill: nothing new.
    const again = ok(await postLines(s, storyA.lines));
    expect(again).toMatchObject({ accepted: 0, duplicates: 8 });
    const backfill = ok(
      await postLines(s, [line(-100, 'NONE', 'NONE', 'NONE', 'QUEUESTART', ''), ...storyA.lines, ...storyB.lines]),
    );
    expect(backfill).toMatchObject({ accepted: 0, duplicates: 16, rejected: 0 });
    await settle(s.t);
    const [ca, cb] = [await call(s.t, a), await call(s.t, b)];
    expect(shape(cb)).toEqual(shape(ca));
    expect(shape(ca).segments).toEqual([[s.billing.id, s.alice.id, 104_500, 15_500, 1, false, 'agent']]);
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 2, answered: 2 });
  });

  it('takes a whole-file backfill larger than one ingest batch, and the same file again is all duplicates', async () => {
    const s = await setup();
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const id = uniqueid();
      lines.push(
        line(i % 200, id, 'billing', 'NONE', 'ENTERQUEUE', '', `+1415555${String(i).padStart(4, '0')}`, 1),
        line((i % 200) + 30, id, 'billing', 'NONE', 'ABANDON', 1, 1, 30),
      );
    }
    const first = ok(await postLines(s, lines));
    expect(first).toMatchObject({ accepted: 1600, duplicates: 0, rejected: 0 });
    expect(ok(await postLines(s, lines))).toMatchObject({ accepted: 0, duplicates: 1600, rejected: 0 });
    expect((await live(s.t, s.billing.id)).today).toMatchObject({ offered: 400, abandoned: 400 });
  });

  it('accepts unknown and irrelevant lines, listing them as ignored in the delivery log', async () => {
    const s = await setup();
    const id = uniqueid();
    const res = ok(
      await postLines(s, [
        line(0, 'NONE', 'NONE', 'NONE', 'QUEUESTART', ''),
        line(1, id, 'billing', 'NONE', 'DID', '18005550100'),
        line(2, id, 'billing', 'NONE', 'CUSTOMTHING', 'x'),
        line(3, id, 'billing', 'NONE', 'ENTERQUEUE', '', '', 1),
        'a torn line after a crash',
      ]),
    );
    expect(res).toMatchObject({ accepted: 2, rejected: 0 });
    await settle(s.t);
    const deliveries = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data;
    expect(deliveries).toEqual([
      expect.objectContaining({
        outcome: 'accepted',
        httpStatus: 200,
        verified: true,
        events: 2,
        ignored: [
          { what: 'QUEUESTART (line 1)', reason: expect.any(String) },
          { what: 'DID (line 2)', reason: expect.any(String) },
          { what: 'CUSTOMTHING (line 3)', reason: 'not a queue_log event Callboard maps' },
          { what: 'unreadable line (line 5)', reason: 'fewer than 5 |-separated fields' },
        ],
      }),
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const body = `${line(0, uniqueid(), 'billing', 'NONE', 'ENTERQUEUE', '', '', 1)}\n`;
    const asterisk = { provider: 'asterisk', contentType: 'text/plain' };
    const garbage = expectProblem(await deliverSigned(s.connector, 'hello\nworld\n', asterisk), 422, 'VALIDATION_FAILED');
    expect(garbage.errors?.map((e) => e.pointer)).toEqual(['/lines/1', '/lines/2']);
    expectProblem(await deliverSigned(s.connector, '[{"Event": "Hold"', { provider: 'asterisk' }), 400, 'MALFORMED_JSON');
    expectProblem(await deliverSigned(s.connector, '{"Linkedid": "1.2"}', { provider: 'asterisk' }), 422, 'VALIDATION_FAILED');
    expectProblem(
      await deliverSigned(s.connector, '<event/>', { provider: 'asterisk', contentType: 'application/xml' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const other = await setup();
    expectProblem(
      await deliverSigned(s.connector, body, { ...asterisk, secret: other.connector.secret }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(await deliverSigned(s.connector, body, { ...asterisk, signature: null }), 401, 'SIGNATURE_MISSING');
    expectProblem(
      await deliverSigned(s.connector, body, { ...asterisk, timestamp: new Date(Date.now() - 6 * 60_000) }),
      401,
      'SIGNATURE_EXPIRED',
    );
    expect((await live(s.t, s.billing.id)).today.offered).toBe(0);
  });
});
