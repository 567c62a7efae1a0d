import { describe, expect, it } from 'vitest';
import { type AdapterContext, AdapterInputError, type InboundRequest } from '../../../src/adapters/telephony/types';
import {
  normalizeVonage,
  type VonageEvent,
  verifyVonage,
  vonageAdapter,
} from '../../../src/adapters/telephony/vonage/vonage.adapter';
import { WireEventSchema } from '../../../src/domain/events/wire';
import { base64UrlEncode } from '../../../src/lib/base64';
import {
  agentLegOf,
  agentQuery,
  customerLegOf,
  notifyBody,
  statusBody,
  transferBody,
  vonageJwt,
  vonageQueuedCall,
} from './fixtures';

const NOW = Date.parse('2026-03-02T10:00:00.000Z');
const SECRET = 'sig-secret-0123456789abcdef';
const CALL = '63f61863-4a51-4f6b-86e1-46edebcf9356';
const customer = customerLegOf(CALL);
const agent = agentLegOf(CALL, 'alice');
const ctx = (secrets: string[] = [SECRET]): AdapterContext => ({
  connectorId: 'con_t_v',
  credentials: secrets.map((signatureSecret) => ({ signatureSecret })),
  options: {},
  nowMs: NOW,
});

function request(
  rawBody: string,
  query = '',
  headers: Record<string, string> = {},
  contentType: string | null = 'application/json',
): InboundRequest {
  return {
    method: 'POST',
    url: `https://callboard.example/v1/webhooks/vonage/con_t_v${query}`,
    headers: new Headers(headers),
    rawBody,
    contentType,
  };
}

const TS = '2026-03-02T09:58:41.712Z';
const onCustomer = { occurredAt: TS, interactionId: CALL, legId: CALL };
const onAgent = { occurredAt: TS, interactionId: CALL, legId: agent.uuid, agentKey: 'alice' };
const QUERY = agentQuery(CALL, 'alice');
const completed = { start_time: '2026-03-02T09:56:41.000Z', end_time: TS, duration: '120', rate: '0.00450000', price: '0.009' };

describe('vonage normalize: status events', () => {
  const cases: [string, string, string, VonageEvent[]][] = [
    [
      "the customer's leg starting starts the interaction",
      statusBody('started', customer, TS),
      '',
      [
        {
          ...onCustomer,
          id: `vonage:${CALL}:started:interaction.started`,
          type: 'interaction.started',
          direction: 'inbound',
          caller: '14845552121',
        },
      ],
    ],
    [
      'an outbound call starts an outbound interaction, the callee being the customer',
      statusBody('started', { ...customer, direction: 'outbound', from: '16105553939', to: '447700900000' }, TS),
      '',
      [
        {
          ...onCustomer,
          id: `vonage:${CALL}:started:interaction.started`,
          type: 'interaction.started',
          direction: 'outbound',
          caller: '447700900000',
        },
      ],
    ],
    [
      "the customer's leg completing ends the interaction",
      statusBody('completed', customer, TS, completed),
      '',
      [{ ...onCustomer, id: `vonage:${CALL}:completed:interaction.ended`, type: 'interaction.ended', attrs: {} }],
    ],
    [
      "a failure of the customer's leg ends the interaction with its cause",
      statusBody('failed', customer, TS, { detail: 'cannot_route' }),
      '',
      [
        {
          ...onCustomer,
          id: `vonage:${CALL}:failed:interaction.ended`,
          type: 'interaction.ended',
          attrs: { hangupCause: 'failed:cannot_route' },
        },
      ],
    ],
    [
      "the agent's leg ringing is an offer",
      statusBody('ringing', agent, TS),
      QUERY,
      [{ ...onAgent, id: `vonage:${agent.uuid}:ringing:agent.offered`, type: 'agent.offered' }],
    ],
    [
      "the agent's leg answering accepts the offer and connects the agent",
      statusBody('answered', agent, TS, { start_time: null, rate: null, network: null }),
      QUERY,
      [
        {
          ...onAgent,
          id: `vonage:${agent.uuid}:answered:agent.offer_ended`,
          type: 'agent.offer_ended',
          attrs: { result: 'accepted' },
        },
        { ...onAgent, id: `vonage:${agent.uuid}:answered:agent.connected`, type: 'agent.connected' },
      ],
    ],
    [
      "the agent's answered leg completing disconnects the agent, with the billed seconds as talk",
      statusBody('completed', agent, TS, completed),
      QUERY,
      [
        {
          ...onAgent,
          id: `vonage:${agent.uuid}:completed:agent.disconnected`,
          type: 'agent.disconnected',
          attrs: { talkMs: 120_000 },
        },
      ],
    ],
  ];
  it.each(cases)('%s', async (_name, raw, query, expected) => {
    expect(await normalizeVonage(request(raw, query), ctx())).toEqual({ events: expected, ignored: [] });
  });

  it.each([
    ['busy', 'rejected'],
    ['rejected', 'rejected'],
    ['timeout', 'timeout'],
    ['unanswered', 'timeout'],
    ['cancelled', 'canceled'],
    ['failed', 'failed'],
  ])("the agent's leg %s ends the offer as %s", async (status, result) => {
    const out = await normalizeVonage(request(statusBody(status, agent, TS), QUERY), ctx());
    expect(out.events).toEqual([
      { ...onAgent, id: `vonage:${agent.uuid}:${status}:agent.offer_ended`, type: 'agent.offer_ended', attrs: { result } },
    ]);
  });

  it.each([
    ['ringing', customer, '', "the customer's leg ringing: no queue or agent fact"],
    ['answered', customer, '', "the customer's leg answered: no queue or agent fact"],
    ['machine', customer, '', 'answering machine detection: no queue or agent fact'],
    ['started', agent, QUERY, "an agent's leg created: the offer counts from ringing"],
    ['human', agent, QUERY, 'answering machine detection: no queue or agent fact'],
    ['toString', customer, '', "the customer's leg toString: no queue or agent fact"],
    ['constructor', agent, QUERY, "an agent's leg constructor"],
  ])('status %s is ignored', async (status, leg, query, reason) => {
    expect(await normalizeVonage(request(statusBody(status, leg, TS), query), ctx())).toEqual({
      events: [],
      ignored: [{ what: `status:${status}`, reason }],
    });
  });

  it.each([
    ['human', customer.uuid, ''],
    ['machine', customer.uuid, ''],
    ['machine', agent.uuid, QUERY],
  ])('an answering machine detection result (%s), keyed by call_uuid, is ignored', async (status, leg, query) => {
    // Vonage's AMD event names the leg `call_uuid`, not `uuid`, and carries `sub_state` with advanced detection.
    const raw = JSON.stringify({
      call_uuid: leg,
      conversation_uuid: `CON-${leg}`,
      status,
      ...(status === 'machine' ? { sub_state: 'beep_start' } : {}),
      from: '447700900000',
      to: '447700900001',
      timestamp: TS,
    });
    expect(await normalizeVonage(request(raw, query), ctx())).toEqual({
      events: [],
      ignored: [{ what: `status:${status}`, reason: 'answering machine detection: no queue or agent fact' }],
    });
  });

  it("the completion of an agent's leg that was never answered has no connection to end", async () => {
    const raw = statusBody('completed', agent, TS, { ...completed, duration: '0', start_time: null });
    expect(await normalizeVonage(request(raw, QUERY), ctx())).toEqual({
      events: [],
      ignored: [{ what: 'status:completed', reason: "an agent's leg that was never answered ended" }],
    });
  });

  it('a status event without a timestamp takes the time it was received, and says so', async () => {
    const out = await normalizeVonage(request(statusBody('started', customer, null)), ctx());
    expect(out.events).toEqual([
      {
        ...onCustomer,
        id: `vonage:${CALL}:started:interaction.started`,
        type: 'interaction.started',
        occurredAt: new Date(NOW).toISOString(),
        occurredAtSource: 'received',
        direction: 'inbound',
        caller: '14845552121',
      },
    ]);
  });
});

describe('vonage normalize: notify', () => {
  const notify = (callboard: unknown, ts: string | null = TS) => notifyBody({ callboard }, customer.conversation, ts);
  const onCall = { occurredAt: TS, interactionId: CALL };
  const cases: [string, unknown, VonageEvent][] = [
    [
      'queue.joined',
      { call: CALL, event: 'queue.joined', queue: 'sales', position: 2 },
      {
        ...onCall,
        id: `vonage:notify:${CALL}:queue.joined:sales:${TS}`,
        type: 'queue.joined',
        queueKey: 'sales',
        attrs: { position: 2 },
      },
    ],
    [
      'queue.left',
      { call: CALL, event: 'queue.left', queue: 'sales', outcome: 'transferred' },
      {
        ...onCall,
        id: `vonage:notify:${CALL}:queue.left:sales:${TS}`,
        type: 'queue.left',
        queueKey: 'sales',
        attrs: { outcome: 'transferred' },
      },
    ],
    [
      'hold.started',
      { call: CALL, event: 'hold.started' },
      { ...onCall, id: `vonage:notify:${CALL}:hold.started:-:${TS}`, type: 'hold.started' },
    ],
    [
      'hold.ended',
      { call: CALL, event: 'hold.ended' },
      { ...onCall, id: `vonage:notify:${CALL}:hold.ended:-:${TS}`, type: 'hold.ended' },
    ],
  ];
  it.each(cases)('a notify with a callboard %s', async (_name, callboard, expected) => {
    expect(await normalizeVonage(request(notify(callboard)), ctx())).toEqual({ events: [expected], ignored: [] });
  });

  it('a notify without a timestamp is named by its body, so a retry is the same event', async () => {
    const raw = notify({ call: CALL, event: 'hold.started' }, null);
    const first = await normalizeVonage(request(raw), ctx());
    const again = await normalizeVonage(request(raw), { ...ctx(), nowMs: NOW + 1000 });
    expect(first.events[0]?.id).toMatch(/^vonage:notify:[0-9a-f]{64}$/);
    expect(again.events[0]?.id).toBe(first.events[0]?.id);
    expect(first.events[0]).toMatchObject({ occurredAtSource: 'received' });
  });

  it('a very long natural key is hashed to fit', async () => {
    const long = 'q'.repeat(200);
    const out = await normalizeVonage(request(notify({ call: CALL, event: 'queue.joined', queue: long })), ctx());
    expect(out.events[0]?.id).toMatch(/^vonage:sha256:[0-9a-f]{64}$/);
  });
});

describe('vonage normalize: everything else', () => {
  it('every event it maps is a valid wire event, and ids are deterministic and distinct', async () => {
    const steps = [
      ...vonageQueuedCall({ call: 'c1', queue: 'sales', agent: 'alice', t0: NOW - 600_000, answerAfter: 9, hold: [5, 20] }),
      ...vonageQueuedCall({ call: 'c2', queue: 'sales', agent: null, t0: NOW - 600_000, answerAfter: 3 }),
      ...vonageQueuedCall({ call: 'c3', queue: 'sales', agent: 'bob', t0: NOW - 600_000, answerAfter: 8, transferTo: 'billing' }),
    ];
    const first = await Promise.all(steps.map((s) => normalizeVonage(request(s.body, s.query), ctx())));
    const again = await Promise.all(
      steps.map((s) => normalizeVonage(request(s.body, s.query), { ...ctx(), nowMs: NOW + 3_600_000 })),
    );
    expect(again).toEqual(first);
    const events = first.flatMap((r) => r.events);
    for (const { occurredAtSource, ...event } of events) {
      const parsed = WireEventSchema.safeParse(event);
      expect(parsed.success, `${JSON.stringify(event)}: ${parsed.error?.message}`).toBe(true);
    }
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // c1: started, joined, offered, offer_ended, connected, hold ×2, disconnected, ended; c2: started, joined, ended;
    // c3: started, joined, left, joined, offered, offer_ended, connected, disconnected, ended.
    expect(events.length).toBe(9 + 3 + 9);
  });

  it.each([
    [
      'a transfer between conversations',
      transferBody(CALL, 'CON-a', 'CON-b', TS),
      'transfer',
      'a leg moved between conversations; queue moves come from notify',
    ],
    [
      'a notify of the application',
      notifyBody({ foo: 'bar' }, customer.conversation, TS),
      'notify',
      'no callboard object in the payload',
    ],
    [
      'a notify with no payload object',
      notifyBody('just text', customer.conversation, TS),
      'notify',
      'no callboard object in the payload',
    ],
    [
      'a recording',
      JSON.stringify({ recording_url: 'https://api.nexmo.com/v1/files/x', conversation_uuid: 'CON-a', timestamp: TS }),
      'record',
      'not a call-center event',
    ],
    [
      'an input',
      JSON.stringify({ dtmf: { digits: '1' }, uuid: CALL, conversation_uuid: 'CON-a', timestamp: TS }),
      'input',
      'not a call-center event',
    ],
    [
      'an error',
      JSON.stringify({ reason: 'Invalid NCCO', conversation_uuid: 'CON-a', type: 'error', timestamp: TS }),
      'error',
      'not a call-center event',
    ],
  ])('%s is accepted and listed as ignored', async (_name, raw, what, reason) => {
    expect(await normalizeVonage(request(raw), ctx())).toEqual({ events: [], ignored: [{ what, reason }] });
  });

  const refused: [string, string, string, string | null, number, string[]][] = [
    ['not JSON', '{"status":', '', 'application/json', 400, []],
    ['not a JSON content type', statusBody('started', customer, TS), '', 'application/x-www-form-urlencoded', 415, []],
    ['an array', '[]', '', 'application/json', 422, ['']],
    ['a status event without uuid', JSON.stringify({ status: 'started', timestamp: TS }), '', 'application/json', 422, ['/uuid']],
    ['an unreadable timestamp', statusBody('started', customer, '20/07/2020'), '', 'application/json', 422, ['/timestamp']],
    ['an agent tag without the call', statusBody('ringing', agent, TS), '?agent=alice', 'application/json', 422, ['/call']],
    ['a call tag without the agent', statusBody('ringing', agent, TS), `?call=${CALL}`, 'application/json', 422, ['/agent']],
    [
      'a callboard notify missing its queue',
      notifyBody({ callboard: { call: CALL, event: 'queue.left', outcome: 'abandoned' } }, 'CON-a', TS),
      '',
      'application/json',
      422,
      ['/payload/callboard/queue'],
    ],
    [
      'a callboard notify with an unknown event and field',
      notifyBody({ callboard: { call: CALL, event: 'agent.connected', agent: 'alice' } }, 'CON-a', TS),
      '',
      'application/json',
      422,
      ['/payload/callboard/agent', '/payload/callboard/event'],
    ],
    [
      'a notify with a numeric timestamp',
      JSON.stringify({ payload: {}, timestamp: 5 }),
      '',
      'application/json',
      422,
      ['/timestamp'],
    ],
  ];
  it.each(refused)('%s is refused', async (_name, raw, query, contentType, status, pointers) => {
    const error = await normalizeVonage(request(raw, query, {}, contentType), ctx()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AdapterInputError);
    expect((error as AdapterInputError).status).toBe(status);
    expect((error as AdapterInputError).issues.map((i) => i.pointer).sort()).toEqual([...pointers].sort());
  });
});

describe('vonage verify (HS256 JWT with payload_hash)', () => {
  const nowS = Math.floor(NOW / 1000);
  const raw = statusBody('answered', agent, TS);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts a correctly signed delivery, under the current or the previous secret', async () => {
    const token = await vonageJwt(SECRET, raw, { iatSeconds: nowS });
    expect(await verifyVonage(request(raw, QUERY, auth(token)), ctx([SECRET, 'previous-secret-xyz']))).toEqual({
      ok: true,
      credentialIndex: 0,
    });
    const old = await vonageJwt('previous-secret-xyz', raw, { iatSeconds: nowS });
    expect(await vonageAdapter.verify(request(raw, QUERY, auth(old)), ctx([SECRET, 'previous-secret-xyz']))).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });

  it('accepts iat up to 300 s old and 60 s ahead, and calls anything further expired', async () => {
    for (const skew of [-300, 0, 60]) {
      expect(
        (await verifyVonage(request(raw, '', auth(await vonageJwt(SECRET, raw, { iatSeconds: nowS + skew }))), ctx())).ok,
      ).toBe(true);
    }
    for (const skew of [-301, 61, -86_400]) {
      const result = await verifyVonage(request(raw, '', auth(await vonageJwt(SECRET, raw, { iatSeconds: nowS + skew }))), ctx());
      expect(result).toMatchObject({ ok: false, reason: 'expired' });
    }
    const expiredToken = await vonageJwt(SECRET, raw, { iatSeconds: nowS - 10, claims: { exp: nowS - 1 } });
    expect(await verifyVonage(request(raw, '', auth(expiredToken)), ctx())).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses a changed body, another secret, another algorithm, claims without iat or payload_hash, and a missing token', async () => {
    const good = await vonageJwt(SECRET, raw, { iatSeconds: nowS });
    const [head, claims] = good.split('.') as [string, string];
    const enc = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
    const cases: [InboundRequest, string[], string][] = [
      [request(raw.replace('answered', 'completed'), '', auth(good)), [SECRET], 'invalid'],
      [request(`${raw}\n`, '', auth(good)), [SECRET], 'invalid'],
      [request(raw, '', auth(good)), ['another-secret-123'], 'invalid'],
      [request(raw, '', auth(good)), [], 'invalid'],
      [
        request(raw, '', auth(await vonageJwt(SECRET, raw, { iatSeconds: nowS, claims: { payload_hash: 'ab'.repeat(32) } }))),
        [SECRET],
        'invalid',
      ],
      [
        request(raw, '', auth(await vonageJwt(SECRET, raw, { iatSeconds: nowS, claims: { payload_hash: undefined } }))),
        [SECRET],
        'invalid',
      ],
      [request(raw, '', auth(await vonageJwt(SECRET, raw, { claims: { iat: undefined } }))), [SECRET], 'invalid'],
      [
        request(raw, '', auth(await vonageJwt(SECRET, raw, { iatSeconds: nowS, header: { alg: 'HS512', typ: 'JWT' } }))),
        [SECRET],
        'invalid',
      ],
      [request(raw, '', auth(`${enc({ alg: 'none', typ: 'JWT' })}.${claims}.`)), [SECRET], 'invalid'],
      // Claims changed after signing (a fresher iat on an old token).
      [request(raw, '', auth(`${head}.${enc({ iat: nowS + 1 })}.${good.split('.')[2]}`)), [SECRET], 'invalid'],
      [request(raw, '', { authorization: `Basic ${btoa('a:b')}` }), [SECRET], 'invalid'],
      [request(raw, '', { authorization: good }), [SECRET], 'invalid'],
      [request(raw, '', {}), [SECRET], 'missing'],
    ];
    for (const [req, secrets, reason] of cases) {
      expect(await verifyVonage(req, ctx(secrets)), req.headers.get('authorization') ?? 'none').toMatchObject({
        ok: false,
        reason,
      });
    }
  });
});
