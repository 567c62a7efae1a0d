import { describe, expect, it } from 'vitest';
import { plivoAdapter } from '../../../src/adapters/telephony/plivo/plivo.adapter';
import { plivoV3BaseString, signPlivoV3 } from '../../../src/adapters/telephony/plivo/plivo.signature';
import { plivoInstant } from '../../../src/adapters/telephony/plivo/plivo.time';
import { type AdapterContext, AdapterInputError, type InboundRequest } from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import {
  AGENT_LEG,
  agentLegHangup,
  agentLegNoAnswer,
  answerUrl,
  B_LEG,
  CUSTOMER,
  customerHangup,
  dialAction,
  dialAnswer,
  dialDigits,
  dialHangup,
  dialNoAnswer,
  type Form,
  formBody,
  KNOWN_ANSWER,
  ringUrl,
} from './fixtures';

const TOKEN = 'MAXXXXXXXXXXXXXXXXXX-token-1';
const BASE_URL = 'https://callboard.example.com/v1/webhooks/plivo/con_t_1';
const RECEIVED = Date.parse('2024-06-04T19:40:00.000Z');
const FORM_TYPE = 'application/x-www-form-urlencoded';

function request(form: Form, query = '', extra: Partial<InboundRequest> = {}): InboundRequest {
  return {
    method: 'POST',
    url: `${BASE_URL}${query}`,
    headers: new Headers(),
    rawBody: formBody(form),
    contentType: FORM_TYPE,
    ...extra,
  };
}

function context(over: Partial<AdapterContext> = {}): AdapterContext {
  return {
    connectorId: 'con_t_1',
    credentials: [{ authToken: TOKEN }],
    options: { publicBaseUrl: 'https://callboard.example.com', timeZone: 'America/New_York' },
    nowMs: RECEIVED,
    ...over,
  };
}

const normalize = async (req: InboundRequest, ctx = context()) => await plivoAdapter.normalize(req, ctx);

const received = { occurredAt: '2024-06-04T19:40:00.000Z', occurredAtSource: 'received' };
const agentRefs = { interactionId: CUSTOMER, legId: AGENT_LEG, agentKey: 'alice', queueKey: 'billing' };
const dialRefs = { interactionId: CUSTOMER, legId: B_LEG, agentKey: 'sip:alice240604@phone.plivo.com', queueKey: 'billing' };
const AGENT_TAGS = `?agent=alice&interaction=${CUSTOMER}&queue=billing`;

describe('plivo normalize', () => {
  it.each([
    {
      name: 'customer hangup on a queue-tagged line: started, joined at AnswerTime, ended (console time zone → UTC)',
      form: customerHangup,
      query: '?queue=billing',
      events: [
        {
          id: `plivo:${CUSTOMER}:started`,
          type: 'interaction.started',
          occurredAt: '2024-06-04T19:32:04.000Z',
          interactionId: CUSTOMER,
          legId: CUSTOMER,
          direction: 'inbound',
          caller: '14155550100',
        },
        {
          id: `plivo:${CUSTOMER}:queued`,
          type: 'queue.joined',
          occurredAt: '2024-06-04T19:32:05.000Z',
          interactionId: CUSTOMER,
          legId: CUSTOMER,
          queueKey: 'billing',
        },
        {
          id: `plivo:${CUSTOMER}:ended`,
          type: 'interaction.ended',
          occurredAt: '2024-06-04T19:35:09.000Z',
          interactionId: CUSTOMER,
          legId: CUSTOMER,
          attrs: { hangupCause: 'NORMAL_CLEARING', endedBy: 'customer' },
        },
      ],
    },
    {
      name: 'customer hangup without a queue tag: no queue visit',
      form: customerHangup,
      query: '',
      events: [
        expect.objectContaining({ id: `plivo:${CUSTOMER}:started`, type: 'interaction.started' }),
        expect.objectContaining({ id: `plivo:${CUSTOMER}:ended`, type: 'interaction.ended' }),
      ],
    },
    {
      name: 'agent leg answered: offered, accepted with ring time, connected, disconnected by the agent',
      form: agentLegHangup,
      query: AGENT_TAGS,
      events: [
        { id: `plivo:${AGENT_LEG}:offered`, type: 'agent.offered', occurredAt: '2024-06-04T19:32:20.000Z', ...agentRefs },
        {
          id: `plivo:${AGENT_LEG}:accepted`,
          type: 'agent.offer_ended',
          occurredAt: '2024-06-04T19:32:31.000Z',
          ...agentRefs,
          attrs: { result: 'accepted', ringMs: 11_000 },
        },
        { id: `plivo:${AGENT_LEG}:connected`, type: 'agent.connected', occurredAt: '2024-06-04T19:32:31.000Z', ...agentRefs },
        {
          id: `plivo:${AGENT_LEG}:disconnected`,
          type: 'agent.disconnected',
          occurredAt: '2024-06-04T19:35:05.000Z',
          ...agentRefs,
          attrs: { endedBy: 'agent' },
        },
      ],
    },
    {
      name: 'agent leg that rang out: offered, then offer ended by timeout',
      form: agentLegNoAnswer,
      query: AGENT_TAGS,
      events: [
        { id: `plivo:${AGENT_LEG}:offered`, type: 'agent.offered', occurredAt: '2024-06-04T19:32:20.000Z', ...agentRefs },
        {
          id: `plivo:${AGENT_LEG}:offer-ended`,
          type: 'agent.offer_ended',
          occurredAt: '2024-06-04T19:32:50.000Z',
          ...agentRefs,
          attrs: { result: 'timeout' },
        },
      ],
    },
    {
      name: 'Dial answer: accepted and connected, at the time received (the callback carries none)',
      form: dialAnswer,
      query: '?queue=billing',
      events: [
        { id: `plivo:${B_LEG}:accepted`, type: 'agent.offer_ended', ...received, ...dialRefs, attrs: { result: 'accepted' } },
        { id: `plivo:${B_LEG}:connected`, type: 'agent.connected', ...received, ...dialRefs },
      ],
    },
    {
      name: 'Dial answer with an agent tag: the tag names the agent',
      form: dialAnswer,
      query: '?agent=alice',
      events: [
        expect.objectContaining({ id: `plivo:${B_LEG}:accepted`, agentKey: 'alice' }),
        expect.objectContaining({ id: `plivo:${B_LEG}:connected`, agentKey: 'alice' }),
      ],
    },
    {
      name: 'Dial hangup of an answered B leg: disconnected by the agent with the talk time',
      form: dialHangup,
      query: '?queue=billing',
      events: [
        {
          id: `plivo:${B_LEG}:disconnected`,
          type: 'agent.disconnected',
          ...received,
          ...dialRefs,
          attrs: { endedBy: 'agent', talkMs: 118_000 },
        },
      ],
    },
    {
      name: 'Dial hangup of a B leg that rang out: offer ended by timeout',
      form: dialNoAnswer,
      query: '?queue=billing',
      events: [
        { id: `plivo:${B_LEG}:offer-ended`, type: 'agent.offer_ended', ...received, ...dialRefs, attrs: { result: 'timeout' } },
      ],
    },
  ])('$name', async ({ form, query, events }) => {
    const result = await normalize(request(form, query));
    expect(result.events).toEqual(events);
    expect(result.ignored).toEqual([]);
    // The route validates the wire part; where the instant came from travels beside it.
    for (const { occurredAtSource: _source, ...wire } of result.events)
      expect(WireEventSchema.safeParse(wire).error).toBeUndefined();
  });

  it.each([
    ['an answer_url request', answerUrl, 'StartApp'],
    ['the Dial action summary', dialAction, 'Dial action'],
    ['Dial digits', dialDigits, 'DialAction=digits'],
    ['a ring_url request', ringUrl, 'Ring'],
    [
      'an event type Plivo may add',
      [
        ['CallUUID', CUSTOMER],
        ['Event', 'MachineDetection'],
      ] as Form,
      'MachineDetection',
    ],
  ])('accepts and ignores %s', async (_name, form, what) => {
    const result = await normalize(request(form));
    expect(result.events).toEqual([]);
    expect(result.ignored).toEqual([{ what, reason: expect.any(String) }]);
  });

  describe('SessionStart (UTC) checks the connector timeZone', () => {
    const withSession = (session: string): Form =>
      customerHangup.map(([k, v]): [string, string] => [k, k === 'SessionStart' ? session : v]);
    const at = (r: Awaited<ReturnType<typeof normalize>>) => r.events.map((e) => [e.type, e.occurredAt, e.occurredAtSource]);

    it('a wrong timeZone (UTC for a New York console) is reported, and the times are corrected by SessionStart', async () => {
      const result = await normalize(request(customerHangup, '?queue=billing'), context({ options: { timeZone: 'UTC' } }));
      expect(at(result)).toEqual([
        ['interaction.started', '2024-06-04T19:32:04.000Z', 'derived'],
        ['queue.joined', '2024-06-04T19:32:05.000Z', 'derived'],
        ['interaction.ended', '2024-06-04T19:35:09.000Z', 'derived'],
      ]);
      expect(result.ignored).toEqual([
        {
          what: 'timeZone',
          reason:
            "StartTime read in the connector's timeZone (UTC) is -4 h off SessionStart, which Plivo writes in UTC: the times were corrected by it. Set timeZone to the Plivo console's zone.",
        },
      ]);
    });

    it('the same with a half-hour zone (Asia/Kolkata read as America/New_York)', async () => {
      // 15:32:04 in Kolkata is 10:02:04 UTC; read in New York (UTC-4) it would be 19:32:04 UTC.
      const result = await normalize(request(withSession('2024-06-04 10:02:04.042713')), context());
      expect(at(result)).toEqual([
        ['interaction.started', '2024-06-04T10:02:04.000Z', 'derived'],
        ['interaction.ended', '2024-06-04T10:05:09.000Z', 'derived'],
      ]);
      expect(result.ignored.map((i) => i.reason)).toEqual([expect.stringContaining('is +9 h 30 min off SessionStart')]);
    });

    it('a gap that is not a zone offset is reported, and the times are kept as read', async () => {
      const result = await normalize(request(withSession('2024-06-04 20:09:31.5')), context());
      expect(at(result)).toEqual([
        ['interaction.started', '2024-06-04T19:32:04.000Z', undefined],
        ['interaction.ended', '2024-06-04T19:35:09.000Z', undefined],
      ]);
      expect(result.ignored).toEqual([
        {
          what: 'timeZone',
          reason:
            "StartTime read in the connector's timeZone (America/New_York) is 37 min 27 s before SessionStart, which Plivo writes in UTC, and that is no time-zone offset: the times were kept as read.",
        },
      ]);
    });

    it('agreeing (to the second) or unreadable, SessionStart changes nothing', async () => {
      for (const session of ['2024-06-04 19:32:03.2', '2024-06-04 19:32:05.9', 'soon']) {
        const result = await normalize(request(withSession(session)), context());
        expect(at(result)).toEqual([
          ['interaction.started', '2024-06-04T19:32:04.000Z', undefined],
          ['interaction.ended', '2024-06-04T19:35:09.000Z', undefined],
        ]);
        expect(result.ignored).toEqual([]);
      }
    });
  });

  it('maps an unanswered leg by its status, then its cause', async () => {
    const leg = (status: string, cause: string) =>
      normalize(
        request(
          agentLegNoAnswer.map(([k, v]): [string, string] => [k, k === 'CallStatus' ? status : k === 'HangupCause' ? cause : v]),
          AGENT_TAGS,
        ),
      ).then((r) => (r.events.at(-1)?.attrs as unknown as { result: string } | undefined)?.result);
    expect(await leg('busy', 'USER_BUSY')).toBe('rejected');
    expect(await leg('cancel', 'ORIGINATOR_CANCEL')).toBe('canceled');
    expect(await leg('failed', 'UNALLOCATED_NUMBER')).toBe('failed');
    expect(await leg('completed', 'CALL_REJECTED')).toBe('rejected');
    expect(await leg('completed', 'LOSE_RACE')).toBe('canceled');
  });

  it('is deterministic: the same callback twice gives the same events and ids', async () => {
    for (const [form, query] of [
      [customerHangup, '?queue=billing'],
      [agentLegHangup, AGENT_TAGS],
      [dialAnswer, ''],
      [dialHangup, ''],
    ] as const) {
      const a = await normalize(request(form, query));
      const b = await normalize(request(form, query));
      expect(b).toEqual(a);
    }
    // The answer and the hangup of one leg are different facts: no shared id.
    const ids = [
      ...(await normalize(request(dialAnswer))).events,
      ...(await normalize(request(dialHangup))).events,
      ...(await normalize(request(customerHangup, '?queue=q'))).events,
    ].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads GET callbacks from the query', async () => {
    const query = `?${formBody(customerHangup)}&queue=billing`;
    const result = await normalize(request([], query, { method: 'GET', rawBody: '', contentType: null }));
    expect(result.events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined', 'interaction.ended']);
  });

  it('a hangup without EndTime ended when it was received', async () => {
    const result = await normalize(request(customerHangup.filter(([k]) => k !== 'EndTime')));
    expect(result.events.at(-1)).toMatchObject({ type: 'interaction.ended', ...received });
  });

  it.each([
    ['a JSON body', request(customerHangup, '', { contentType: 'application/json', rawBody: '{}' }), 415, []],
    ['a hangup without CallUUID', request(customerHangup.filter(([k]) => k !== 'CallUUID')), 422, ['/CallUUID']],
    [
      'a StartTime that is no timestamp',
      request(customerHangup.map(([k, v]): [string, string] => [k, k === 'StartTime' ? '04/06/2024 3pm' : v])),
      422,
      ['/StartTime'],
    ],
    [
      'a date that does not exist',
      request(customerHangup.map(([k, v]): [string, string] => [k, k === 'EndTime' ? '2024-06-31 10:00:00' : v])),
      422,
      ['/EndTime'],
    ],
    ['an agent leg that names no customer call', request(agentLegHangup, '?agent=alice'), 422, ['/interaction']],
    ['an empty queue tag', request(customerHangup, '?queue=%20billing'), 422, ['/queue']],
    ['a Dial answer naming no agent', request(dialAnswer.filter(([k]) => k !== 'DialBLegTo')), 422, ['/DialBLegTo']],
  ])('refuses %s', async (_name, req, status, pointers) => {
    const err = await Promise.resolve()
      .then(() => plivoAdapter.normalize(req, context()))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterInputError);
    expect((err as AdapterInputError).status).toBe(status);
    expect((err as AdapterInputError).issues.map((i) => i.pointer)).toEqual(pointers);
  });
});

describe('plivo timestamps', () => {
  it.each([
    ['2024-06-04 15:32:04', 'America/New_York', '2024-06-04T19:32:04.000Z'],
    ['2024-01-15 09:00:00', 'America/New_York', '2024-01-15T14:00:00.000Z'],
    ['2024-06-04 15:32:04', 'Asia/Kolkata', '2024-06-04T10:02:04.000Z'],
    ['2024-06-04 15:32:04', 'UTC', '2024-06-04T15:32:04.000Z'],
    // New York skipped 02:00-03:00 on 10 March 2024: read with the offset before the change (EST).
    ['2024-03-10 02:30:00', 'America/New_York', '2024-03-10T07:30:00.000Z'],
    // ...and repeated 01:00-02:00 on 3 November 2024: the earlier instant (EDT).
    ['2024-11-03 01:30:00', 'America/New_York', '2024-11-03T05:30:00.000Z'],
    ['2024-11-03 02:30:00', 'America/New_York', '2024-11-03T07:30:00.000Z'],
    ['2024-03-31 02:30:00', 'Europe/Prague', '2024-03-31T01:30:00.000Z'],
    // A timestamp that carries its offset is taken as written.
    ['2020-12-24 09:20:03+00:00', 'America/New_York', '2020-12-24T09:20:03.000Z'],
    ['2024-06-04 19:32:04.042713', 'UTC', '2024-06-04T19:32:04.042Z'],
  ])('%s in %s is %s', (value, zone, expected) => {
    expect(new Date(plivoInstant(value, zone) as number).toISOString()).toBe(expected);
  });

  it.each(['', 'yesterday', '2024-13-01 00:00:00', '2024-02-30 10:00:00', '2024-06-04T25:00:00'])(
    '%s is no timestamp',
    (value) => {
      expect(plivoInstant(value, 'UTC')).toBeNull();
    },
  );
});

describe('plivo signature base string (plivo@4.79.0 validateV3Signature)', () => {
  it.each([
    [
      'POST, no query: `?` then params',
      'POST',
      'https://h.example/cb',
      [
        ['b', '2'],
        ['a', '1'],
      ],
      'https://h.example/cb?a1b2',
    ],
    [
      'POST with a query: sorted query, `.`, params',
      'POST',
      'https://h.example/cb?z=1&y=2',
      [['a', '1']],
      'https://h.example/cb?y=2&z=1.a1',
    ],
    ['POST without params keeps the bare URL', 'POST', 'https://h.example/cb', [], 'https://h.example/cb'],
    ['POST without params but a query', 'POST', 'https://h.example/cb?q=1', [], 'https://h.example/cb?q=1'],
    [
      'repeated keys: values sorted within the key',
      'POST',
      'https://h.example/cb',
      [
        ['k', 'b'],
        ['k', 'a'],
      ],
      'https://h.example/cb?kakb',
    ],
    [
      'the query is decoded; a port is kept',
      'GET',
      'http://h.example:8787/cb?n=a%20b&m=x+y',
      [],
      'http://h.example:8787/cb?m=x y&n=a b',
    ],
    ['a fragment is not signed', 'POST', 'https://h.example/cb#frag', [['a', '1']], 'https://h.example/cb?a1'],
  ] as const)('%s', (_name, method, url, params, expected) => {
    expect(
      plivoV3BaseString(
        method,
        url,
        params.map(([k, v]) => [k, v]),
      ),
    ).toBe(expected);
  });
});

describe('plivo verify', () => {
  const NONCE = '12345678901234567890';
  async function signed(form: Form, opts: { token?: string; url?: string; nonce?: string; signature?: string } = {}) {
    const url = opts.url ?? `${BASE_URL}?queue=billing`;
    const nonce = opts.nonce ?? NONCE;
    const signature = opts.signature ?? (await signPlivoV3(opts.token ?? TOKEN, { method: 'POST', url, params: form, nonce }));
    const headers = new Headers({ 'X-Plivo-Signature-V3': signature, 'X-Plivo-Signature-V3-Nonce': nonce });
    return { method: 'POST', url, headers, rawBody: formBody(form), contentType: FORM_TYPE } satisfies InboundRequest;
  }

  it('accepts a known-answer vector computed with Node crypto (and checked by plivo validateV3Signature)', async () => {
    const req = await signed(customerHangup, {
      url: KNOWN_ANSWER.url,
      nonce: KNOWN_ANSWER.nonce,
      signature: KNOWN_ANSWER.signature,
    });
    expect(await plivoAdapter.verify(req, context({ credentials: [{ authToken: KNOWN_ANSWER.authToken }] }))).toEqual({
      ok: true,
      credentialIndex: 0,
    });
  });

  it('accepts a correctly signed callback, also under the previous token of a rotation', async () => {
    expect(await plivoAdapter.verify(await signed(customerHangup), context())).toEqual({ ok: true, credentialIndex: 0 });
    const rotated = context({ credentials: [{ authToken: 'a-brand-new-token-2' }, { authToken: TOKEN }] });
    expect(await plivoAdapter.verify(await signed(customerHangup), rotated)).toEqual({ ok: true, credentialIndex: 1 });
  });

  it('accepts when any of several comma-separated signatures matches, and the main-account header', async () => {
    const good = (await signed(dialAnswer)).headers.get('X-Plivo-Signature-V3') as string;
    const several = await signed(dialAnswer, { signature: `bm90LXRoaXMtb25l, ${good}` });
    expect(await plivoAdapter.verify(several, context())).toMatchObject({ ok: true });
    const main = await signed(dialAnswer, { signature: 'bm90LXRoaXMtb25l' });
    main.headers.set('X-Plivo-Signature-Ma-V3', good);
    expect(await plivoAdapter.verify(main, context())).toMatchObject({ ok: true });
  });

  it('refuses a tampered body, another URL, another nonce, the wrong token, missing headers', async () => {
    const req = await signed(customerHangup);
    const cases: [InboundRequest, string][] = [
      [{ ...req, rawBody: req.rawBody.replace('HangupSource=Caller', 'HangupSource=Callee') }, 'invalid'],
      [{ ...req, rawBody: `${req.rawBody}&Extra=1` }, 'invalid'],
      [{ ...req, url: `${BASE_URL}?queue=sales` }, 'invalid'],
      [{ ...req, url: req.url.replace('https:', 'http:') }, 'invalid'],
      [{ ...req, headers: new Headers({ ...Object.fromEntries(req.headers), 'x-plivo-signature-v3-nonce': '1' }) }, 'invalid'],
      [{ ...req, headers: new Headers({ 'X-Plivo-Signature-V3-Nonce': NONCE }) }, 'missing'],
      [{ ...req, headers: new Headers({ 'X-Plivo-Signature-V3': 'abc' }) }, 'missing'],
    ];
    for (const [r, reason] of cases) expect(await plivoAdapter.verify(r, context())).toMatchObject({ ok: false, reason });
    expect(await plivoAdapter.verify(req, context({ credentials: [{ authToken: 'someone-elses-token' }] }))).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('has no timestamp to expire: a replay verifies, and normalizes to the very same event ids', async () => {
    const req = await signed(customerHangup);
    const later = context({ nowMs: RECEIVED + 86_400_000 });
    expect(await plivoAdapter.verify(req, later)).toMatchObject({ ok: true });
    const first = await normalize(req, context());
    const replay = await normalize(req, later);
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });
});
