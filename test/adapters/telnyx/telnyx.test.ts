import { describe, expect, it } from 'vitest';
import {
  agentOfClientState,
  isoInstant,
  normalizeTelnyx,
  type TelnyxEvent,
  telnyxAdapter,
  verifyTelnyx,
} from '../../../src/adapters/telephony/telnyx/telnyx.adapter';
import { type AdapterContext, AdapterInputError, type InboundRequest } from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import {
  agentPayload,
  agentState,
  bodyOf,
  customerPayload,
  legsOf,
  queuedCall,
  telnyxBody,
  telnyxHeaders,
  telnyxKeyPair,
  texmlCallSid,
  texmlEnqueueAction,
  texmlForm,
  texmlStatus,
  texmlTime,
  texmlWait,
} from './fixtures';

const NOW = Date.parse('2026-03-02T10:00:00.000Z');
const legs = legsOf('428c31b6-abf3-4bcb-b68e-5013ef9657c1');
const ctx = (publicKeys: string[] = []): AdapterContext => ({
  connectorId: 'con_t_x',
  credentials: publicKeys.map((publicKey) => ({ publicKey })),
  options: {},
  nowMs: NOW,
});

function request(
  rawBody: string,
  headers: Record<string, string> = {},
  contentType: string | null = 'application/json',
): InboundRequest {
  return {
    method: 'POST',
    url: 'https://callboard.example/v1/webhooks/telnyx/con_t_x',
    headers: new Headers(headers),
    rawBody,
    contentType,
  };
}

const WHEN = '2026-03-02T09:58:41.532144Z';
const WHEN_MS = '2026-03-02T09:58:41.532Z';
const body = (type: string, payload: Record<string, unknown>, id = 'e7b1c9d2-0001') => telnyxBody(type, id, WHEN, payload);
const base = (legId: string) => ({
  id: 'telnyx:e7b1c9d2-0001',
  occurredAt: WHEN_MS,
  interactionId: legs.session,
  legId,
});
const customer = base(legs.customerLeg);
const agent = { ...base(legs.agentLeg), agentKey: '1001' };

describe('telnyx normalize: every mapped event type', () => {
  const cases: [string, string, TelnyxEvent][] = [
    [
      'an incoming call starts the interaction',
      body('call.initiated', customerPayload(legs, { direction: 'incoming', state: 'parked' })),
      { ...customer, type: 'interaction.started', direction: 'inbound', caller: '+13125550100' },
    ],
    [
      'an outgoing call to a customer starts an outbound interaction, the callee being the customer',
      body('call.initiated', customerPayload(legs, { direction: 'outgoing', state: 'bridging' })),
      { ...customer, type: 'interaction.started', direction: 'outbound', caller: '+13125550199' },
    ],
    [
      "an agent's leg being dialed is an offer",
      body('call.initiated', agentPayload(legs, '1001', { direction: 'outgoing', state: 'bridging' })),
      { ...agent, type: 'agent.offered' },
    ],
    [
      "the agent's leg answering accepts the offer",
      body('call.answered', agentPayload(legs, '1001', { state: 'answered' })),
      { ...agent, type: 'agent.offer_ended', attrs: { result: 'accepted' } },
    ],
    [
      "the agent's leg bridged connects the agent",
      body('call.bridged', agentPayload(legs, '1001')),
      { ...agent, type: 'agent.connected' },
    ],
    [
      'enqueued joins the named queue at its position',
      body('call.enqueued', customerPayload(legs, { queue: 'billing', current_position: 3, queue_avg_wait_time_secs: 40 })),
      { ...customer, type: 'queue.joined', queueKey: 'billing', attrs: { position: 3 } },
    ],
    [
      "hold on the customer's leg holds the current agent segment",
      body('call.hold', customerPayload(legs)),
      { ...customer, type: 'hold.started' },
    ],
    [
      "unhold on an agent's leg names the agent",
      body('call.unhold', agentPayload(legs, '1001')),
      { ...agent, type: 'hold.ended' },
    ],
    [
      'a completed SIP REFER is an external transfer',
      body('call.refer.completed', customerPayload(legs, { sip_notify_response: 200 })),
      { ...customer, type: 'transfer', attrs: { kind: 'external' } },
    ],
    [
      "the agent hanging up a connected call ends the agent's segment",
      body('call.hangup', agentPayload(legs, '1001', { hangup_cause: 'normal_clearing', hangup_source: 'callee' })),
      { ...agent, type: 'agent.disconnected', attrs: { endedBy: 'agent' } },
    ],
    [
      "the application hanging up the agent's connected leg says nothing of who ended it",
      body('call.hangup', agentPayload(legs, '1001', { hangup_cause: 'normal_clearing', hangup_source: 'caller' })),
      { ...agent, type: 'agent.disconnected', attrs: {} },
    ],
    [
      'the customer hanging up ends the interaction',
      body(
        'call.hangup',
        customerPayload(legs, { hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: '200' }),
      ),
      { ...customer, type: 'interaction.ended', attrs: { hangupCause: 'normal_clearing', endedBy: 'customer' } },
    ],
    [
      "the application hanging up the customer's leg",
      body('call.hangup', customerPayload(legs, { hangup_cause: 'time_limit', hangup_source: 'callee' })),
      { ...customer, type: 'interaction.ended', attrs: { hangupCause: 'time_limit', endedBy: 'system' } },
    ],
    [
      'a hang-up of unknown source',
      body('call.hangup', customerPayload(legs, { hangup_cause: 'unspecified', hangup_source: 'unknown' })),
      { ...customer, type: 'interaction.ended', attrs: { hangupCause: 'unspecified' } },
    ],
  ];
  it.each(cases)('%s', (_name, raw, expected) => {
    const out = normalizeTelnyx(request(raw), ctx());
    expect(out).toEqual({ events: [expected], ignored: [] });
  });

  const dequeued: [string, string, number | undefined][] = [
    ['bridged', 'answered', 38],
    ['hangup', 'abandoned', 12],
    ['bridging-in-process', 'abandoned', 7],
    ['timeout', 'timeout', 300],
    ['leave', 'transferred', 25],
    ['something-new', 'other', undefined],
    ['constructor', 'other', undefined],
  ];
  it.each(dequeued)('dequeued with reason %s leaves the queue as %s', (reason, outcome, wait) => {
    const payload = customerPayload(legs, {
      queue: 'billing',
      queue_position: 1,
      reason,
      ...(wait === undefined ? {} : { wait_time_secs: wait }),
    });
    const out = normalizeTelnyx(request(body('call.dequeued', payload)), ctx());
    expect(out.events).toEqual([
      {
        ...customer,
        type: 'queue.left',
        queueKey: 'billing',
        attrs: { outcome, ...(wait === undefined ? {} : { waitMs: wait * 1000 }) },
      },
    ]);
  });

  const unanswered: [string, string][] = [
    ['no_answer', 'timeout'],
    ['timeout', 'timeout'],
    ['user_busy', 'rejected'],
    ['call_rejected', 'rejected'],
    ['originator_cancel', 'canceled'],
    ['not_found', 'failed'],
    ['unspecified', 'failed'],
  ];
  it.each(unanswered)("an agent's leg ending with %s before connecting ends the offer as %s", (cause, result) => {
    const raw = body('call.hangup', agentPayload(legs, '1001', { hangup_cause: cause, hangup_source: 'unknown' }));
    expect(normalizeTelnyx(request(raw), ctx()).events).toEqual([{ ...agent, type: 'agent.offer_ended', attrs: { result } }]);
  });

  it('every event it maps is a valid wire event', () => {
    const raws = [
      ...cases.map((c) => c[1]),
      ...queuedCall({ session: 's1', queue: 'sales', agent: '1001', t0: NOW - 600_000, answerAfter: 9, hold: [5, 20] }).map(
        bodyOf,
      ),
      ...queuedCall({ session: 's2', queue: 'sales', agent: null, t0: NOW - 600_000, answerAfter: 3 }).map(bodyOf),
    ];
    let count = 0;
    for (const raw of raws) {
      for (const { occurredAtSource, ...event } of normalizeTelnyx(request(raw), ctx()).events) {
        const parsed = WireEventSchema.safeParse(event);
        expect(parsed.success, `${JSON.stringify(event)}: ${parsed.error?.message}`).toBe(true);
        count++;
      }
    }
    expect(count).toBeGreaterThan(cases.length);
  });

  it('a payload without occurred_at takes the time it was received, and says so', () => {
    const raw = telnyxBody('call.enqueued', 'e-no-time', null, customerPayload(legs, { queue: 'billing' }));
    expect(normalizeTelnyx(request(raw), ctx()).events).toEqual([
      {
        id: 'telnyx:e-no-time',
        type: 'queue.joined',
        occurredAt: new Date(NOW).toISOString(),
        occurredAtSource: 'received',
        interactionId: legs.session,
        legId: legs.customerLeg,
        queueKey: 'billing',
      },
    ]);
  });

  it('client_state that does not name an agent leaves the leg a customer leg', () => {
    for (const state of ['aGF2ZSBhIG5pY2UgZGF5ID1d', btoa('{"tenant":"acme"}'), btoa('not json'), btoa('{"agent":""}'), '%%%']) {
      const raw = body('call.bridged', customerPayload(legs, { client_state: state }));
      expect(normalizeTelnyx(request(raw), ctx()).events).toEqual([]);
    }
    expect(agentOfClientState(agentState(' 1001 ', { tenant: 'acme' }))).toBe('1001');
    expect(agentOfClientState(btoa(JSON.stringify({ agent: 42 })))).toBeNull();
  });

  it('same delivery, same events and ids; different events, different ids', () => {
    const raws = queuedCall({
      session: 's1',
      queue: 'sales',
      agent: '1001',
      t0: NOW - 600_000,
      answerAfter: 9,
      hold: [5, 20],
    }).map(bodyOf);
    const first = raws.map((r) => normalizeTelnyx(request(r), ctx()));
    const again = raws.map((r) => normalizeTelnyx(request(r), { ...ctx(), nowMs: NOW + 3_600_000 }));
    expect(again).toEqual(first);
    const ids = first.flatMap((r) => r.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
  });
});

describe('telnyx normalize: ignored and refused payloads', () => {
  it.each([
    ['call.recording.saved', customerPayload(legs, { recording_urls: { mp3: 'https://x' } }), 'not a call-center event'],
    ['call.speak.ended', customerPayload(legs, { status: 'completed' }), 'not a call-center event'],
    ['call.refer.started', customerPayload(legs), 'a transfer attempt; call.refer.completed reports the transfer'],
    ['call.refer.failed', customerPayload(legs), 'a transfer that did not happen'],
    ['message.received', { id: 'msg', text: 'hi' }, 'not a call-center event'],
    ['constructor', customerPayload(legs), 'not a call-center event'],
    ['toString', customerPayload(legs), 'not a call-center event'],
    ['call.cost', 'not even an object', 'not a call-center event'],
    ['call.answered', customerPayload(legs), "the customer's leg answered by the application (IVR), not by an agent"],
    ['call.bridged', customerPayload(legs), "the customer's side of a bridge: the agent's leg reports the connection"],
  ])('%s is accepted and listed as ignored', (type, payload, reason) => {
    const raw = telnyxBody(type, 'e-ign', WHEN, payload as Record<string, unknown>);
    expect(normalizeTelnyx(request(raw), ctx())).toEqual({ events: [], ignored: [{ what: type, reason }] });
  });

  const refused: [string, string, string | null, number, string[]][] = [
    ['not JSON', '{"data": {', 'application/json', 400, []],
    ['not a JSON content type', body('call.hold', customerPayload(legs)), 'text/plain', 415, []],
    ['no data', '{"meta":{}}', 'application/json', 422, ['/data']],
    ['an array', '[]', 'application/json', 422, ['']],
    ['no event type', JSON.stringify({ data: { id: 'x', payload: {} } }), 'application/json', 422, ['/data/event_type']],
    [
      'a call event without its session and leg',
      telnyxBody('call.enqueued', 'e1', WHEN, { queue: 'billing' }),
      'application/json',
      422,
      ['/data/payload/call_session_id', '/data/payload/call_leg_id'],
    ],
    [
      'a queue event without the queue',
      body('call.enqueued', customerPayload(legs)),
      'application/json',
      422,
      ['/data/payload/queue'],
    ],
    [
      'a mapped event without an id',
      JSON.stringify({ data: { event_type: 'call.hold', occurred_at: WHEN, payload: customerPayload(legs) } }),
      'application/json',
      422,
      ['/data/id'],
    ],
    ['an id with spaces', body('call.hold', customerPayload(legs), 'has space'), 'application/json', 422, ['/data/id']],
    [
      'an unreadable occurred_at',
      telnyxBody('call.hold', 'e1', 'yesterday', customerPayload(legs)),
      'application/json',
      422,
      ['/data/occurred_at'],
    ],
  ];
  it.each(refused)('%s is refused', (_name, raw, contentType, status, pointers) => {
    let error: unknown;
    try {
      normalizeTelnyx(request(raw, {}, contentType), ctx());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdapterInputError);
    const e = error as AdapterInputError;
    expect(e.status).toBe(status);
    expect(e.issues.map((i) => i.pointer).sort()).toEqual([...pointers].sort());
  });

  it('reads Telnyx instants of any precision and offset', () => {
    expect(isoInstant('2024-06-04T10:03:21.532144Z')).toBe('2024-06-04T10:03:21.532Z');
    expect(isoInstant('2021-04-28 21:51:18.731479Z')).toBe('2021-04-28T21:51:18.731Z');
    expect(isoInstant('2024-06-04T12:03:21+02:00')).toBe('2024-06-04T10:03:21.000Z');
    expect(isoInstant('2024-06-04T10:03:21')).toBeNull();
    expect(isoInstant('2024-13-04T10:03:21Z')).toBeNull();
  });
});

describe('telnyx verify (Ed25519 over `timestamp|body`)', () => {
  const nowS = Math.floor(NOW / 1000);
  const raw = body('call.hold', customerPayload(legs));

  it('accepts a correctly signed delivery, under the current or the previous key', async () => {
    const current = await telnyxKeyPair();
    const previous = await telnyxKeyPair();
    const signed = await telnyxHeaders(current.privateKey, raw, nowS);
    expect(await verifyTelnyx(request(raw, signed), ctx([current.publicKey, previous.publicKey]))).toEqual({
      ok: true,
      credentialIndex: 0,
    });
    const old = await telnyxHeaders(previous.privateKey, raw, nowS);
    expect(await telnyxAdapter.verify(request(raw, old), ctx([current.publicKey, previous.publicKey]))).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });

  it('accepts timestamps up to 300 s away either way, and calls anything further expired', async () => {
    const { privateKey, publicKey } = await telnyxKeyPair();
    for (const skew of [-300, 300]) {
      expect((await verifyTelnyx(request(raw, await telnyxHeaders(privateKey, raw, nowS + skew)), ctx([publicKey]))).ok).toBe(
        true,
      );
    }
    for (const skew of [-301, 301, -86_400]) {
      const result = await verifyTelnyx(request(raw, await telnyxHeaders(privateKey, raw, nowS + skew)), ctx([publicKey]));
      expect(result).toMatchObject({ ok: false, reason: 'expired' });
    }
  });

  it('refuses a changed body, another key, a moved timestamp, and malformed or missing headers', async () => {
    const { privateKey, publicKey } = await telnyxKeyPair();
    const other = await telnyxKeyPair();
    const signed = await telnyxHeaders(privateKey, raw, nowS);
    const cases: [InboundRequest, string[], string][] = [
      [request(raw.replace('v3:', 'v4:'), signed), [publicKey], 'invalid'],
      [request(`${raw} `, signed), [publicKey], 'invalid'],
      [request(raw, signed), [other.publicKey], 'invalid'],
      [request(raw, signed), [], 'invalid'],
      [request(raw, { ...signed, 'telnyx-timestamp': String(nowS - 1) }), [publicKey], 'invalid'],
      [request(raw, { ...signed, 'telnyx-timestamp': `${nowS}.5` }), [publicKey], 'invalid'],
      [request(raw, { ...signed, 'telnyx-signature-ed25519': btoa('x'.repeat(63)) }), [publicKey], 'invalid'],
      [request(raw, { ...signed, 'telnyx-signature-ed25519': 'not base64!' }), [publicKey], 'invalid'],
      [request(raw, { 'telnyx-timestamp': signed['telnyx-timestamp'] as string }), [publicKey], 'missing'],
      [request(raw, { 'telnyx-signature-ed25519': signed['telnyx-signature-ed25519'] as string }), [publicKey], 'missing'],
      [request(raw, {}), [publicKey], 'missing'],
    ];
    for (const [req, keys, reason] of cases) {
      expect(await verifyTelnyx(req, ctx(keys)), JSON.stringify([...req.headers])).toMatchObject({ ok: false, reason });
    }
  });

  it('skips a stored key that is not a 32-byte Ed25519 key', async () => {
    const { privateKey, publicKey } = await telnyxKeyPair();
    const signed = await telnyxHeaders(privateKey, raw, nowS);
    expect(await verifyTelnyx(request(raw, signed), ctx([btoa('x'.repeat(40)), publicKey]))).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });
});

describe('telnyx TeXML: the form callbacks of a TeXML application', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const C = texmlCallSid('customer-1');
  const AT = Date.parse('2026-03-02T09:58:41.532Z');
  const texml = (params: Record<string, string | number | undefined>, query = '') => ({
    ...request(texmlForm(params), {}, FORM),
    url: `https://callboard.example/v1/webhooks/telnyx/con_t_x${query}`,
  });

  it('reads a status callback: its TeXML Timestamp (space, microseconds) and the caller', async () => {
    const out = await telnyxAdapter.normalize(texml(texmlStatus({ callSid: C, status: 'initiated', atMs: AT, seq: 0 })), ctx());
    expect(texmlTime(AT)).toBe('2026-03-02 09:58:41.532731Z');
    expect(out).toEqual({
      events: [
        {
          id: `telnyx:texml:call:${C}:initiated`,
          type: 'interaction.started',
          occurredAt: '2026-03-02T09:58:41.532Z',
          interactionId: C,
          legId: C,
          caller: '+13125550100',
        },
      ],
      ignored: [],
    });
  });

  it.each([
    ['ISO 8601 with a T, to the second', '2026-03-02T09:58:41Z', '2026-03-02T09:58:41.000Z'],
    // Telnyx's TeXML reference also describes `Timestamp` as "UTC in RFC 2822 format", as Twilio writes it.
    ['RFC 2822', 'Mon, 02 Mar 2026 09:58:41 +0000', '2026-03-02T09:58:41.000Z'],
  ])('reads a Timestamp written as %s', async (_name, timestamp, occurredAt) => {
    const params = { ...texmlStatus({ callSid: C, status: 'ringing', atMs: AT, seq: 1 }), Timestamp: timestamp };
    expect((await telnyxAdapter.normalize(texml(params), ctx())).events.map((e) => e.occurredAt)).toEqual([occurredAt]);
  });

  it('the completed callback, which carries DialCallStatus too, ends the call and derives its start', async () => {
    const out = await telnyxAdapter.normalize(
      texml(texmlStatus({ callSid: C, status: 'completed', atMs: AT, seq: 3, durationS: 95 })),
      ctx(),
    );
    expect(out.events.map((e) => [e.id, e.type, e.occurredAt, e.occurredAtSource])).toEqual([
      [`telnyx:texml:call:${C}:completed`, 'interaction.ended', '2026-03-02T09:58:41.532Z', undefined],
      [`telnyx:texml:call:${C}:completed:start`, 'interaction.started', '2026-03-02T09:57:06.532Z', 'derived'],
    ]);
  });

  it("a <Dial> child leg is an agent's leg, keyed by its To, merged into the parent call", async () => {
    const leg = texmlCallSid('agent-leg-1');
    const params = texmlStatus({
      callSid: leg,
      parentCallSid: C,
      status: 'ringing',
      atMs: AT,
      seq: 1,
      to: 'sip:alice@example.com',
    });
    expect((await telnyxAdapter.normalize(texml(params), ctx())).events).toEqual([
      {
        id: `telnyx:texml:call:${leg}:ringing`,
        type: 'agent.offered',
        occurredAt: '2026-03-02T09:58:41.532Z',
        interactionId: C,
        legId: leg,
        agentKey: 'sip:alice@example.com',
      },
    ]);
  });

  it('the wait URL is the join (timed by arrival less QueueTime), the <Enqueue> action the leave', async () => {
    const join = await telnyxAdapter.normalize(
      texml(texmlWait({ callSid: C, queue: 'sales', queueTimeS: 0, position: 2 })),
      ctx(),
    );
    expect(join.events).toEqual([
      {
        id: `telnyx:texml:call:${C}:queue:sales:joined`,
        type: 'queue.joined',
        occurredAt: new Date(NOW).toISOString(),
        occurredAtSource: 'received',
        interactionId: C,
        legId: C,
        queueKey: 'sales',
        caller: '+13125550100',
        attrs: { position: 2 },
      },
    ]);
    const left = await telnyxAdapter.normalize(
      texml(texmlEnqueueAction({ callSid: C, queue: 'sales', result: 'hangup', queueTimeS: 41 })),
      ctx(),
    );
    expect(left.events).toEqual([
      {
        id: `telnyx:texml:call:${C}:queue:sales:hangup:41`,
        type: 'queue.left',
        occurredAt: new Date(NOW).toISOString(),
        occurredAtSource: 'received',
        interactionId: C,
        legId: C,
        queueKey: 'sales',
        attrs: { outcome: 'abandoned', waitMs: 41_000 },
      },
    ]);
  });

  it('answers the TeXML requests with TeXML and the callbacks with nothing of its own', () => {
    const respond = (req: InboundRequest) => telnyxAdapter.respond?.(req, { accepted: 1, duplicates: 0, rejected: 0 }) ?? null;
    const xml = (inner: string) => ({
      status: 200,
      contentType: 'text/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?>${inner}`,
    });
    const wait = texmlWait({ callSid: C, queue: 'sales', queueTimeS: 0 });
    // A document that ends makes Telnyx request the wait URL again: without hold music, a pause.
    expect(respond(texml(wait))).toEqual(xml('<Response><Pause length="60"/></Response>'));
    expect(respond(texml(wait, `?holdMusic=${encodeURIComponent('https://cdn.example/hold.mp3')}`))).toEqual(
      xml('<Response><Play>https://cdn.example/hold.mp3</Play></Response>'),
    );
    const action = texmlEnqueueAction({ callSid: C, queue: 'sales', result: 'leave', queueTimeS: 9 });
    expect(respond(texml(action))).toEqual(xml('<Response/>'));
    expect(respond(texml(action, `?next=${encodeURIComponent('https://app.example/voicemail')}`))).toEqual(
      xml('<Response><Redirect method="POST">https://app.example/voicemail</Redirect></Response>'),
    );
    expect(respond(texml(texmlStatus({ callSid: C, status: 'ringing', atMs: AT, seq: 1 })))).toBeNull();
    expect(respond(request(body('call.hold', customerPayload(legs))))).toBeNull();
  });

  it('lists what it does not map as ignored', async () => {
    const out = await telnyxAdapter.normalize(
      texml({ AccountSid: 'f5586561', CallSid: C, RecordingSid: 'rec-1', RecordingUrl: 'https://x/rec.wav' }),
      ctx(),
    );
    expect(out).toEqual({ events: [], ignored: [{ what: 'RecordingSid', reason: 'Not a call, queue or conference event.' }] });
  });

  const refused: [string, InboundRequest, number, string[], RegExp][] = [
    ['a form that is not from TeXML', texml({ hello: 'world' }), 422, ['/AccountSid'], /not a Telnyx TeXML callback/],
    [
      'an unreadable Timestamp',
      texml({
        ...texmlStatus({ callSid: C, status: 'ringing', atMs: AT, seq: 1 }),
        Timestamp: 'last tuesday',
      }),
      422,
      ['/Timestamp'],
      /ISO 8601 instant .* or an RFC 2822 date/,
    ],
    [
      'a Call Control v1 event',
      request(JSON.stringify({ event_type: 'call.initiated', id: 'x', occurred_at: WHEN, payload: customerPayload(legs) })),
      422,
      [''],
      /v1 is not supported.*v2/,
    ],
  ];
  it.each(refused)('%s is refused', async (_name, req, status, pointers, message) => {
    const error = await Promise.resolve()
      .then(() => telnyxAdapter.normalize(req, ctx()))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AdapterInputError);
    const e = error as AdapterInputError;
    expect(e.status).toBe(status);
    expect(e.message).toMatch(message);
    expect(e.issues.map((i) => i.pointer)).toEqual(pointers);
  });
});
