import { describe, expect, it } from 'vitest';
import { zoneOffsetMs } from '../../src/domain/time/zones';
import { dialAnswer, dialHangup, type Form, formBody, plivoLocalTime, ringUrl } from '../adapters/plivo/fixtures';
import { expectProblem } from '../helpers/api';
import { callId, settle } from '../helpers/ingest';
import { agentLeg, type Callback, customer, deliver, FORM, iso, m, type Setup, setup, TOKEN, ZONE } from './drivers/plivo';

// Plivo voice callbacks end to end: form posts signed with X-Plivo-Signature-V3 over the exact public URL
// (the test Worker is reached at http://callboard.test, the connector's publicBaseUrl), times written in
// the Plivo console's zone. Plivo has no queue, hold, wrap-up or agent-state events: the queue is the
// line the hangup_url is tagged with (?queue=), agent legs are tagged ?agent=&interaction=, and what
// Plivo never reports (a queue-to-queue move, an agent's break) comes through the generic ingest.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/plivo.ts).
describe('POST /v1/webhooks/plivo/{connectorId}', () => {
  it('a <Dial> to the agent: its callbacks carry no time and count from their arrival', async () => {
    const s = await setup();
    const uuid = callId('pl-dial');
    const now = Date.now();
    const tags = `?queue=sales&agent=alice`;
    const customerLeg = (end: number) => customer(uuid, 'sales', now - 60_000, now - 58_000, end, 'Caller');
    const dial = (form: Form): Callback => ({
      form: form.map(([k, v]): [string, string] => [
        k,
        k === 'CallUUID' || k === 'DialALegUUID' ? uuid : k === 'DialBLegUUID' ? `${uuid}-b` : v,
      ]),
      query: tags,
    });
    const before = Date.now();
    expect((await deliver(s, dial(dialAnswer))).body).toMatchObject({ accepted: 2, rejected: 0 });
    expect((await deliver(s, dial(dialHangup))).body).toMatchObject({ accepted: 1, rejected: 0 });
    const after = Date.now();
    // Plivo writes whole seconds; the hang-up comes after the B leg's.
    expect((await deliver(s, customerLeg(Math.ceil(after / 1000) * 1000 + 1000))).body).toMatchObject({
      accepted: 3,
      rejected: 0,
    });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${uuid}`)).body;
    expect(c.visits).toEqual([expect.objectContaining({ queueId: s.sales.id, outcome: 'answered', agentId: s.alice.id })]);
    const joined = Math.floor((now - 58_000) / 1000) * 1000;
    expect(c.visits[0].waitMs).toBeGreaterThanOrEqual(before - joined);
    expect(c.visits[0].waitMs).toBeLessThanOrEqual(after - joined);
    expect(c.segments).toEqual([expect.objectContaining({ agentId: s.alice.id, queueId: s.sales.id, endedBy: 'agent' })]);
    const events = c.events.filter((e: { type: string }) => e.type === 'agent.connected' || e.type === 'agent.disconnected');
    expect(events.map((e: { occurredAtSource: string }) => e.occurredAtSource)).toEqual(['received', 'received']);
    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body.today).toMatchObject({ offered: 1, answered: 1 });
  });

  it("a connector timeZone that is not the console's is caught by SessionStart (UTC): corrected and logged", async () => {
    const s = await setup();
    // The console writes New York time, the connector says UTC.
    const res = await s.t.admin.post('/v1/connectors', {
      name: 'Plivo (wrong zone)',
      provider: 'plivo',
      credentials: { authToken: TOKEN },
      options: { publicBaseUrl: 'http://callboard.test', timeZone: 'UTC' },
    });
    expect(res.status, res.text).toBe(201);
    const wrong = { ...s, connector: res.body as Setup['connector'] };
    const uuid = callId('pl-zone');
    const delivered = await deliver(wrong, customer(uuid, 'sales', m(1), m(1, 2), m(1, 50), 'Caller'));
    expect(delivered.body).toMatchObject({ accepted: 3, rejected: 0 });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${uuid}`)).body;
    expect([c.startedAt, c.endedAt]).toEqual([iso(m(1)), iso(m(1, 50))]);
    expect(c.visits.map((v: any) => [v.outcome, v.enqueuedAt, v.leftAt])).toEqual([['abandoned', iso(m(1, 2)), iso(m(1, 50))]]);
    const log = (await s.t.admin.get(`/v1/connectors/${wrong.connector.id}/deliveries`)).body.data as any[];
    // New York's offset on the test's day (EST or EDT): what reading its wall times as UTC is off by.
    const offset = zoneOffsetMs(m(1), ZONE) / 3_600_000;
    expect(log.map((d) => [d.outcome, d.ignored])).toEqual([
      [
        'accepted',
        [
          {
            what: 'timeZone',
            reason: `StartTime read in the connector's timeZone (UTC) is ${offset} h off SessionStart, which Plivo writes in UTC: the times were corrected by it. Set timeZone to the Plivo console's zone.`,
          },
        ],
      ],
    ]);
    // The connector itself says so, until its timeZone is changed.
    const warned = (await s.t.admin.get(`/v1/connectors/${wrong.connector.id}`)).body;
    expect(warned.warnings).toEqual([
      { code: 'TIMEZONE_MISMATCH', detail: log[0].ignored[0].reason, lastSeenAt: log[0].receivedAt, deliveryId: log[0].id },
    ]);
    const listed = (await s.t.admin.get('/v1/connectors')).body.data as any[];
    expect(listed.find((x) => x.id === wrong.connector.id)?.warnings).toEqual(warned.warnings);
    expect(listed.find((x) => x.id === s.connector.id)?.warnings).toEqual([]);
    const fixed = await s.t.admin.patch(`/v1/connectors/${wrong.connector.id}`, {
      options: { publicBaseUrl: 'http://callboard.test', timeZone: ZONE },
    });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.body.warnings).toEqual([]);
    expect((await s.t.admin.get(`/v1/connectors/${wrong.connector.id}`)).body.warnings).toEqual([]);
  });

  it('accepts and logs requests that are not call events as ignored', async () => {
    const s = await setup();
    const uuid = callId('pl-ign');
    const unknown: Callback = {
      form: [
        ['CallUUID', uuid],
        ['Event', 'MachineDetection'],
        ['MachineDetected', 'true'],
      ],
      query: '',
    };
    const ring: Callback = { form: ringUrl.map(([k, v]): [string, string] => [k, k === 'CallUUID' ? uuid : v]), query: '' };
    for (const cb of [unknown, ring]) {
      const res = await deliver(s, cb);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: { what: string }[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored.map((i) => i.what)])).toEqual([
      ['accepted', ['Ring']],
      ['accepted', ['MachineDetection']],
    ]);
  });

  it('refuses malformed callbacks with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const uuid = callId('pl-bad');
    const good = customer(uuid, 'sales', m(1), m(1, 2), m(1, 30), 'Caller');
    expectProblem(
      await deliver(s, good, { contentType: 'application/json', rawBody: '{"CallUUID":"x"}' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const noUuid = expectProblem(
      await deliver(s, { ...good, form: good.form.filter(([k]) => k !== 'CallUUID') }),
      422,
      'VALIDATION_FAILED',
    );
    expect(noUuid.errors?.map((e) => e.pointer)).toEqual(['/CallUUID']);
    const badTime = expectProblem(
      await deliver(s, {
        ...good,
        form: good.form.map(([k, v]): [string, string] => [k, k === 'StartTime' ? '06/04/2024 3:32 PM' : v]),
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(badTime.errors?.map((e) => e.pointer)).toEqual(['/StartTime']);
    const agentWithoutCall = agentLeg(`${uuid}-a`, {
      agent: 'alice',
      queue: 'sales',
      interaction: uuid,
      start: m(1, 5),
      answer: m(1, 8),
      end: m(1, 30),
      source: 'Callee',
    });
    expectProblem(await deliver(s, { ...agentWithoutCall, query: '?agent=alice' }), 422, 'VALIDATION_FAILED');

    // Plivo's scheme has no timestamp, so nothing is ever SIGNATURE_EXPIRED: replays are duplicates instead.
    expectProblem(await deliver(s, good, { token: 'another-accounts-auth-token' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, good, { signedQuery: '?queue=billing' }), 401, 'SIGNATURE_INVALID');
    expectProblem(
      await deliver(s, good, { rawBody: formBody(good.form).replace('HangupSource=Caller', 'HangupSource=Callee') }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(await deliver(s, good, { headers: { 'Content-Type': FORM } }), 401, 'SIGNATURE_MISSING');

    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
    // The same callback, properly signed, goes through.
    expect((await deliver(s, good)).body).toMatchObject({ accepted: 3, rejected: 0 });
  });
});

// Keeps the helper that writes Plivo's local times honest against the zone the connector names.
describe('Plivo local times', () => {
  it('writes an instant in the console zone, without an offset', () => {
    expect(plivoLocalTime(Date.parse('2024-06-04T19:32:04Z'), ZONE)).toBe('2024-06-04 15:32:04');
  });
});
