import { base64UrlEncode } from '../../../src/lib/base64';

// Vonage Voice API callbacks in the shapes Vonage sends (per the captured requests in
// Vonage/vonage-php-sdk-core test/Voice/requests/*.txt), and an HS256 signer per Vonage's signed-webhook
// documentation that runs in workerd and in Node.

export const VIRTUAL_NUMBER = '16105553939';
export const CUSTOMER_NUMBER = '14845552121';

/** A leg's status event. `completed` carries the call's times, duration, rate and price (strings). */
export function statusBody(
  status: string,
  leg: { uuid: string; conversation: string; direction: 'inbound' | 'outbound'; from: string; to: string },
  timestamp: string | null,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    headers: {},
    from: leg.from,
    to: leg.to,
    uuid: leg.uuid,
    conversation_uuid: leg.conversation,
    status,
    direction: leg.direction,
    ...(timestamp === null ? {} : { timestamp }),
    ...extra,
  });
}

/** What an NCCO `notify` action posts: its payload, the conversation, the time. */
export function notifyBody(payload: unknown, conversation: string, timestamp: string | null): string {
  return JSON.stringify({ payload, conversation_uuid: conversation, ...(timestamp === null ? {} : { timestamp }) });
}

/** A leg moved between conversations (e.g. by an NCCO `conversation` action). */
export function transferBody(uuid: string, from: string, to: string, timestamp: string): string {
  return JSON.stringify({ conversation_uuid_from: from, type: 'transfer', uuid, conversation_uuid_to: to, timestamp });
}

export const customerLegOf = (call: string) => ({
  uuid: call,
  conversation: `CON-${call}`,
  direction: 'inbound' as const,
  from: CUSTOMER_NUMBER,
  to: VIRTUAL_NUMBER,
});

export const agentLegOf = (call: string, agent: string) => ({
  uuid: `${call}-${agent}`,
  conversation: `CON-${call}-${agent}`,
  direction: 'outbound' as const,
  from: VIRTUAL_NUMBER,
  to: `sip:${agent}@pbx.example.com`,
});

/** The event URL query that tags an agent's leg (docs/providers/vonage.md). */
export const agentQuery = (call: string, agent: string) => `?agent=${encodeURIComponent(agent)}&call=${encodeURIComponent(call)}`;

/** One scripted callback: its body, the query of the URL it is posted to, and when it happened (ms). */
export interface VonageStep {
  body: string;
  query: string;
  at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The callbacks of an inbound call put in `queue` by its NCCO (notify, then a named conversation), answered by
 * `agent` after `answerAfter` s (with a hold), or abandoned after `answerAfter` s when `agent` is null.
 * `transferTo` moves the caller to another queue instead, after `answerAfter` s, where `agent` answers 10 s later.
 */
export function vonageQueuedCall(opts: {
  call: string;
  queue: string;
  agent: string | null;
  t0: number;
  answerAfter: number;
  talk?: number;
  hold?: [number, number];
  transferTo?: string;
}): VonageStep[] {
  const customer = customerLegOf(opts.call);
  const s = (n: number) => opts.t0 + n * 1000;
  const queueRoom = `CON-${opts.queue}-${opts.call}`;
  const notify = (n: number, callboard: Record<string, unknown>): VonageStep => ({
    body: notifyBody({ callboard: { call: opts.call, ...callboard } }, customer.conversation, iso(s(n))),
    query: '',
    at: s(n),
  });
  const c = (status: string, n: number, extra: Record<string, unknown> = {}): VonageStep => ({
    body: statusBody(status, customer, iso(s(n)), extra),
    query: '',
    at: s(n),
  });
  const join = 2;
  const steps: VonageStep[] = [
    c('started', 0),
    c('ringing', 0),
    c('answered', 1, { start_time: null, rate: null, network: null }),
    notify(join, { event: 'queue.joined', queue: opts.queue, position: 1 }),
    { body: transferBody(opts.call, customer.conversation, queueRoom, iso(s(join) + 40)), query: '', at: s(join) + 40 },
  ];
  let left = join + opts.answerAfter;
  if (opts.transferTo) {
    steps.push(notify(left, { event: 'queue.left', queue: opts.queue, outcome: 'transferred' }));
    steps.push({
      ...notify(left, { event: 'queue.joined', queue: opts.transferTo, position: 1 }),
      body: notifyBody(
        { callboard: { call: opts.call, event: 'queue.joined', queue: opts.transferTo, position: 1 } },
        queueRoom,
        iso(s(left) + 50),
      ),
      at: s(left) + 50,
    });
    left += 10;
  }
  if (opts.agent === null) {
    steps.push(c('completed', left, completedTimes(s(0), s(left))));
    return steps;
  }
  const agent = agentLegOf(opts.call, opts.agent);
  const query = agentQuery(opts.call, opts.agent);
  const a = (status: string, n: number, extra: Record<string, unknown> = {}): VonageStep => ({
    body: statusBody(status, agent, iso(s(n)), extra),
    query,
    at: s(n),
  });
  const end = left + (opts.talk ?? 60);
  steps.push(
    a('started', left - 3),
    a('ringing', left - 3),
    a('answered', left, { start_time: null, rate: null, network: null }),
  );
  if (opts.hold) {
    steps.push(notify(left + opts.hold[0], { event: 'hold.started' }), notify(left + opts.hold[1], { event: 'hold.ended' }));
  }
  steps.push(a('completed', end, completedTimes(s(left), s(end))), c('completed', end, completedTimes(s(0), s(end))));
  return steps;
}

function completedTimes(startMs: number, endMs: number) {
  return {
    start_time: iso(startMs),
    end_time: iso(endMs),
    duration: String(Math.round((endMs - startMs) / 1000)),
    rate: '0.00450000',
    price: '0.00052500',
    network: 'US-VIRTUAL-LEVEL3',
  };
}

/** Hex SHA-256 of a body: the `payload_hash` claim. */
export async function payloadHash(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A signed-webhook JWT as Vonage documents it: HS256 with the signature secret; claims iat, jti, iss, payload_hash, api_key, application_id. */
export async function vonageJwt(
  secret: string,
  body: string,
  opts: { iatSeconds?: number; claims?: Record<string, unknown>; header?: Record<string, unknown> } = {},
): Promise<string> {
  const enc = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
  const head = enc(opts.header ?? { alg: 'HS256', typ: 'JWT' });
  const claims = enc({
    iat: opts.iatSeconds ?? Math.floor(Date.now() / 1000),
    jti: crypto.randomUUID(),
    iss: 'Vonage',
    payload_hash: await payloadHash(body),
    api_key: 'a1b2c3d4',
    application_id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
    ...opts.claims,
  });
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${head}.${claims}`)));
  return `${head}.${claims}.${base64UrlEncode(signature)}`;
}
