import { describe, expect, it } from 'vitest';
import { DEFAULT_HOLD_MUSIC } from '../../src/adapters/telephony/twilio/twiml';
import {
  AUTH_TOKEN,
  callStatus,
  conferenceEvent,
  dequeueUrl,
  enqueueAction,
  formBody,
  formPairs,
  OTHER_AUTH_TOKEN,
  sid,
  signTwilio,
  type TaskInput,
  type TaskRouterInput,
  taskRouterCallback,
  taskRouterCloudEvent,
  waitUrl,
} from '../adapters/twilio/fixtures';
import { call, expectProblem } from '../helpers/api';
import { settle } from '../helpers/ingest';
import {
  BASE,
  type Delivery,
  deliver,
  deliverAll,
  iso,
  ms,
  QU_SUPPORT,
  setup,
  TQ_BILLING,
  TQ_SUPPORT,
  WK_BOB,
} from './drivers/twilio';

// Twilio end to end: Voice status callbacks, conference hold callbacks, TaskRouter event callbacks and
// Event Streams CloudEvents, each signed with X-Twilio-Signature over the connector's public URL
// (http://callboard.test, where the test Worker is reached), posted to the connector's webhook path,
// and read back from Postgres and from the queues' live state.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/twilio.ts).
describe('POST /v1/webhooks/twilio/{connectorId}', () => {
  it('the same TaskRouter event through the callback and Event Streams is one event', async () => {
    const s = await setup();
    const callSid = sid('CA', 'both-surfaces');
    const task: TaskInput = {
      taskSid: sid('WT', 'both'),
      callSid,
      queueSid: TQ_BILLING,
      queueName: 'Billing',
      enteredMs: ms(1, 2),
    };
    const entered: TaskRouterInput = {
      eventType: 'task-queue.entered',
      eventSid: sid('EV', 'both-entered'),
      atMs: ms(1, 2),
      task,
    };
    const canceled: TaskRouterInput = {
      eventType: 'task.canceled',
      eventSid: sid('EV', 'both-canceled'),
      atMs: ms(1, 32),
      task: { ...task, canceledReason: 'hangup' },
    };
    const viaCallback = await deliverAll(s, [{ form: taskRouterCallback(entered) }, { form: taskRouterCallback(canceled) }]);
    expect(viaCallback.map((r) => r.body.accepted)).toEqual([1, 1]);
    const viaStreams = await deliver(s, { json: [taskRouterCloudEvent(entered), taskRouterCloudEvent(canceled)] });
    expect(viaStreams.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${callSid}`)).body;
    expect(c.visits.map((v: any) => [v.outcome, v.waitMs])).toEqual([['abandoned', 30_000]]);
  });

  it('plain <Enqueue> queues: wait URL and action get TwiML; the join, the answer and the abandon are recorded', async () => {
    const s = await setup();
    const abandoned = sid('CA', `twiml-abandoned-${Date.now()}`);
    const answered = sid('CA', `twiml-answered-${Date.now()}`);

    // The wait URL: every request proves the join (the repeats are duplicates) and gets looping hold music.
    const wait = await deliver(s, { form: waitUrl({ callSid: abandoned, queueSid: QU_SUPPORT, queueTimeS: 40, position: 1 }) });
    expect(wait.status, wait.text).toBe(200);
    expect(wait.headers.get('Content-Type')).toMatch(/^text\/xml/);
    expect(wait.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="0">${DEFAULT_HOLD_MUSIC}</Play></Response>`,
    );
    expect(
      (await deliver(s, { form: waitUrl({ callSid: abandoned, queueSid: QU_SUPPORT, queueTimeS: 40, position: 1 }) })).status,
    ).toBe(200);
    // The caller hangs up: the action URL, here with `next` so the tenant's own flow would go on.
    const next = 'https://app.example.com/after-queue?lang=en&x=1';
    const action = await deliver(
      s,
      { form: enqueueAction({ callSid: abandoned, result: 'hangup', queueSid: QU_SUPPORT, queueTimeS: 41 }) },
      { query: `?next=${encodeURIComponent(next)}` },
    );
    expect(action.status, action.text).toBe(200);
    expect(action.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Redirect method="POST">https://app.example.com/after-queue?lang=en&amp;x=1</Redirect></Response>',
    );

    // Answered: the <Queue url> request is the answer; the `bridged` action at the end is the same fact.
    await deliver(s, { form: waitUrl({ callSid: answered, queueSid: QU_SUPPORT, queueTimeS: 30 }) });
    const dequeue = await deliver(s, {
      form: dequeueUrl({ callSid: answered, queueSid: QU_SUPPORT, queueTimeS: 30, dequeuingCallSid: sid('CA', 'agent') }),
    });
    expect(dequeue.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const bridged = await deliver(s, {
      form: enqueueAction({ callSid: answered, result: 'bridged', queueSid: QU_SUPPORT, queueTimeS: 30 }),
    });
    expect(bridged.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await settle(s.t);

    const visits = async (id: string) => (await s.t.admin.get(`/v1/calls/${id}`)).body.visits;
    const [left] = await visits(abandoned);
    expect(left).toMatchObject({ queueId: s.support.id, outcome: 'abandoned', enqueuedAtSource: 'derived', closedBy: 'event' });
    // Timed by arrival: joined 40 s before the wait request reached us, left when the action did.
    expect(left.waitMs).toBeGreaterThanOrEqual(40_000);
    expect(left.waitMs).toBeLessThan(45_000);
    const answeredVisits = await visits(answered);
    expect(answeredVisits).toHaveLength(1);
    expect(answeredVisits[0]).toMatchObject({ queueId: s.support.id, outcome: 'answered', closedBy: 'event' });
    expect(answeredVisits[0].waitMs).toBeGreaterThanOrEqual(30_000);
    expect(answeredVisits[0].waitMs).toBeLessThan(35_000);

    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as any[];
    // Newest first: bridged (a duplicate of the answer), <Queue url>, wait, action, wait again (duplicate), wait.
    expect(log.map((d) => [d.accepted, d.duplicates, d.rejected])).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('a child leg to an agent is reported as offers and a connection, merged into the customer call', async () => {
    const s = await setup();
    const customer = sid('CA', `dial-${Date.now()}`);
    const leg = sid('CA', `dial-leg-${Date.now()}`);
    const agentLeg = (status: string, sec: number, durationS?: number): Delivery => ({
      form: callStatus({ callSid: leg, parentCallSid: customer, status, to: 'client:alice', atMs: ms(1, sec), durationS }),
    });
    await deliverAll(s, [
      {
        form: taskRouterCallback({
          eventType: 'task-queue.entered',
          eventSid: sid('EV', `dial-${customer}`),
          atMs: ms(1, 2),
          task: {
            taskSid: sid('WT', customer),
            callSid: customer,
            queueSid: TQ_SUPPORT,
            queueName: 'Support',
            enteredMs: ms(1, 2),
          },
        }),
      },
      agentLeg('ringing', 5),
      agentLeg('in-progress', 8),
      agentLeg('completed', 68, 60),
      { form: callStatus({ callSid: customer, status: 'completed', atMs: ms(1, 70), durationS: 70 }) },
    ]);
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${customer}`)).body;
    expect(c.visits.map((v: any) => [v.outcome, v.waitMs, v.agentId])).toEqual([['answered', 6_000, s.alice.id]]);
    expect(c.segments.map((g: any) => [g.agentId, g.talkMs, g.connectedAt, g.disconnectedAt])).toEqual([
      [s.alice.id, 60_000, iso(ms(1, 8)), iso(ms(1, 68))],
    ]);
  });

  it('a conference hold stamped in the whole second of the TaskRouter connect, before it, is hold and not talk', async () => {
    const s = await setup();
    const customer = sid('CA', `hold-${Date.now()}`);
    const t = {
      taskSid: sid('WT', customer),
      callSid: customer,
      queueSid: TQ_SUPPORT,
      queueName: 'Support',
      enteredMs: ms(1, 2),
    };
    const r = { reservationSid: sid('WR', customer), worker: { workerSid: WK_BOB, name: 'bob', activity: 'Busy' } };
    const tr = (eventType: string, atMs: number, extra: Partial<TaskRouterInput> = {}): Delivery => ({
      form: taskRouterCallback({ eventType, eventSid: sid('EV', `${customer}-${eventType}`), atMs, task: t, ...extra }),
    });
    const hold = (event: string, seq: number, atMs: number): Delivery => ({
      form: conferenceEvent({ conferenceSid: sid('CF', customer), event, callSid: customer, seq, atMs }),
    });
    await deliverAll(s, [
      tr('task-queue.entered', ms(1, 2)),
      // Accepted at 12.350 s (TaskRouter, ms); the agent puts the caller on hold at once: Twilio stamps it 12 s.
      tr('reservation.accepted', ms(1, 12.35), r),
      hold('participant-hold', 3, ms(1, 12)),
      hold('participant-unhold', 4, ms(1, 30)),
      tr('task.wrapup', ms(1, 72.35), r),
    ]);
    await settle(s.t);
    const c = (await s.t.admin.get(`/v1/calls/${customer}`)).body;
    expect(c.segments.map((g: any) => [g.agentId, g.connectedAt, g.holdMs, g.holdCount, g.talkMs])).toEqual([
      [s.bob.id, iso(ms(1, 12.35)), 17_650, 1, 42_350],
    ]);
  });

  it('accepts and ignores what it does not map, and logs it', async () => {
    const s = await setup();
    const unmapped = await deliver(s, {
      form: taskRouterCallback({
        eventType: 'workflow.target-matched',
        eventSid: sid('EV', 'unmapped'),
        atMs: ms(1),
        task: { taskSid: sid('WT', 'x') },
      }),
    });
    expect(unmapped.status, unmapped.text).toBe(200);
    expect(unmapped.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    const voiceStream = await deliver(s, {
      json: [
        { specversion: '1.0', type: 'com.twilio.voice.status-callback.call.ringing', id: 'CE1', time: iso(ms(1)), data: {} },
      ],
    });
    expect(voiceStream.body).toMatchObject({ accepted: 0, rejected: 0 });
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as any[];
    expect(log.map((d) => [d.outcome, d.httpStatus, d.ignored.map((i: { what: string }) => i.what)])).toEqual([
      [expect.any(String), 200, ['com.twilio.voice.status-callback.call.ringing']],
      [expect.any(String), 200, ['workflow.target-matched']],
    ]);
  });

  it('refuses malformed payloads with problem+json, and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const bad422 = expectProblem(await deliver(s, { form: { hello: 'world' } }), 422, 'VALIDATION_FAILED');
    expect(bad422.errors?.map((e) => e.pointer)).toEqual(['/AccountSid']);
    const noCall = {
      ...enqueueAction({ callSid: sid('CA', 'x'), result: 'hangup', queueSid: QU_SUPPORT, queueTimeS: 3 }),
      CallSid: undefined,
    };
    expectProblem(await deliver(s, { form: noCall }), 422, 'VALIDATION_FAILED');
    expectProblem(await deliver(s, { json: '[{"type": ' }), 400, 'MALFORMED_JSON');
    expectProblem(await deliver(s, { json: { not: 'a CloudEvent' } }), 422, 'VALIDATION_FAILED');
    expectProblem(await deliver(s, { json: 'plain text' }, { contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');

    const status = { form: callStatus({ callSid: sid('CA', 'sig'), status: 'ringing', atMs: ms(1) }) };
    expectProblem(await deliver(s, status, { signature: null }), 401, 'SIGNATURE_MISSING');
    expectProblem(await deliver(s, status, { token: OTHER_AUTH_TOKEN }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, status, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), 401, 'SIGNATURE_INVALID');
    // Signed for another URL than the connector's public one.
    expectProblem(
      await deliver(s, status, { signUrl: `https://elsewhere.example.com${s.connector.webhookPath}` }),
      401,
      'SIGNATURE_INVALID',
    );
    // A form body changed after signing.
    const signature = await signTwilio(AUTH_TOKEN, `${BASE}${s.connector.webhookPath}`, formPairs(formBody(status.form)));
    const changed = await call('POST', s.connector.webhookPath, {
      rawBody: formBody({ ...status.form, CallStatus: 'completed' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    });
    expectProblem(changed, 401, 'SIGNATURE_INVALID');

    await settle(s.t);
    for (const q of [s.billing, s.support]) expect((await s.t.admin.get(`/v1/queues/${q.id}/live`)).body.today.offered).toBe(0);
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
  });
});
