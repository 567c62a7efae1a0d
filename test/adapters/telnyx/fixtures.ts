import { base64Encode } from '../../../src/lib/base64';

// Telnyx Call Control v2 webhook bodies in the shapes Telnyx sends (per the typed schemas of the
// `telnyx` npm package, src/resources/webhooks.ts), and an Ed25519 signer that runs in workerd and in Node.

export const CONNECTION_ID = '1684641123236054244';

/** The legs of one call: the customer's inbound leg and an agent's leg dialed with `link_to` (same session). */
export interface TelnyxLegs {
  session: string;
  customerLeg: string;
  agentLeg: string;
}

export const legsOf = (session: string): TelnyxLegs => ({
  session,
  customerLeg: `${session}-c`,
  agentLeg: `${session}-a`,
});

/** `client_state` the application sets when it dials an agent: base64 of JSON naming the agent. */
export const agentState = (agent: string, extra: Record<string, unknown> = {}) => btoa(JSON.stringify({ ...extra, agent }));

/** One webhook body, as Telnyx posts it. */
export function telnyxBody(eventType: string, id: string, occurredAt: string | null, payload: Record<string, unknown>): string {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: eventType,
      id,
      ...(occurredAt === null ? {} : { occurred_at: occurredAt }),
      payload,
    },
    meta: { attempt: 1, delivered_to: 'https://callboard.example/v1/webhooks/telnyx/con_x' },
  });
}

/** Telnyx's own timestamp format: microseconds, `Z`. */
export const telnyxTime = (ms: number) => new Date(ms).toISOString().replace('Z', '123Z');

export function customerPayload(legs: TelnyxLegs, extra: Record<string, unknown> = {}) {
  return {
    call_control_id: `v3:${legs.customerLeg}`,
    call_leg_id: legs.customerLeg,
    call_session_id: legs.session,
    connection_id: CONNECTION_ID,
    from: '+13125550100',
    to: '+13125550199',
    ...extra,
  };
}

export function agentPayload(legs: TelnyxLegs, agent: string, extra: Record<string, unknown> = {}) {
  return {
    call_control_id: `v3:${legs.agentLeg}`,
    call_leg_id: legs.agentLeg,
    call_session_id: legs.session,
    connection_id: CONNECTION_ID,
    client_state: agentState(agent),
    from: '+13125550199',
    to: `sip:${agent}@acme.sip.telnyx.com`,
    ...extra,
  };
}

/** A scripted delivery: Telnyx event id, type, when (ms) and payload. */
export interface TelnyxStep {
  id: string;
  type: string;
  at: number;
  payload: Record<string, unknown>;
}

export const bodyOf = (s: TelnyxStep) => telnyxBody(s.type, s.id, telnyxTime(s.at), s.payload);

/**
 * The webhooks of an inbound call queued in `queue`: answered by `agent` after `answerAfter` s (with a hold),
 * or abandoned after `answerAfter` s when `agent` is null. `t0` is when the call arrives (ms). `transferTo`
 * has the application move the caller to another queue after `answerAfter` s instead (`leave_queue`, then
 * `enqueue`), where the call is answered (or abandoned) 10 s later.
 */
export function queuedCall(opts: {
  session: string;
  queue: string;
  agent: string | null;
  t0: number;
  answerAfter: number;
  talk?: number;
  hold?: [number, number];
  transferTo?: string;
}): TelnyxStep[] {
  const legs = legsOf(opts.session);
  const s = (n: number) => opts.t0 + n * 1000;
  const id = (n: number) => `${opts.session}-e${n}`;
  const join = 2;
  let left = join + opts.answerAfter;
  let queue = opts.queue;
  const steps: TelnyxStep[] = [
    { id: id(1), type: 'call.initiated', at: s(0), payload: customerPayload(legs, { direction: 'incoming', state: 'parked' }) },
    { id: id(2), type: 'call.answered', at: s(1), payload: customerPayload(legs) },
    {
      id: id(3),
      type: 'call.enqueued',
      at: s(join),
      payload: customerPayload(legs, { queue: opts.queue, current_position: 1, queue_avg_wait_time_secs: 20 }),
    },
  ];
  if (opts.transferTo) {
    steps.push(
      {
        id: id(16),
        type: 'call.dequeued',
        at: s(left),
        payload: customerPayload(legs, { queue, queue_position: 1, reason: 'leave', wait_time_secs: opts.answerAfter }),
      },
      {
        id: id(17),
        type: 'call.enqueued',
        at: s(left) + 50,
        payload: customerPayload(legs, { queue: opts.transferTo, current_position: 1, queue_avg_wait_time_secs: 20 }),
      },
    );
    queue = opts.transferTo;
    left += 10;
  }
  const waited = opts.transferTo ? 10 : opts.answerAfter;
  if (opts.agent === null) {
    steps.push(
      {
        id: id(4),
        type: 'call.dequeued',
        at: s(left),
        payload: customerPayload(legs, { queue, queue_position: 1, reason: 'hangup', wait_time_secs: waited }),
      },
      {
        id: id(5),
        type: 'call.hangup',
        at: s(left),
        payload: customerPayload(legs, { hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: '200' }),
      },
    );
    return steps;
  }
  const agent = opts.agent;
  const end = left + (opts.talk ?? 60);
  steps.push(
    {
      id: id(6),
      type: 'call.initiated',
      at: s(left - 3),
      payload: agentPayload(legs, agent, { direction: 'outgoing', state: 'bridging' }),
    },
    { id: id(7), type: 'call.answered', at: s(left), payload: agentPayload(legs, agent) },
    {
      id: id(8),
      type: 'call.dequeued',
      at: s(left),
      payload: customerPayload(legs, { queue, queue_position: 1, reason: 'bridged', wait_time_secs: waited }),
    },
    { id: id(9), type: 'call.bridged', at: s(left), payload: agentPayload(legs, agent) },
    { id: id(10), type: 'call.bridged', at: s(left), payload: customerPayload(legs) },
  );
  if (opts.hold) {
    steps.push(
      // The agent's desk phone puts the call on hold (a SIP re-INVITE): Telnyx reports it on the agent's leg.
      { id: id(11), type: 'call.hold', at: s(left + opts.hold[0]), payload: agentPayload(legs, agent) },
      { id: id(12), type: 'call.unhold', at: s(left + opts.hold[1]), payload: agentPayload(legs, agent) },
    );
  }
  steps.push(
    {
      id: id(13),
      type: 'call.hangup',
      at: s(end),
      payload: agentPayload(legs, agent, { hangup_cause: 'normal_clearing', hangup_source: 'callee', sip_hangup_cause: '200' }),
    },
    {
      id: id(14),
      type: 'call.hangup',
      at: s(end),
      payload: customerPayload(legs, { hangup_cause: 'normal_clearing', hangup_source: 'callee', sip_hangup_cause: '200' }),
    },
    { id: id(15), type: 'call.recording.saved', at: s(end + 1), payload: customerPayload(legs, { recording_urls: {} }) },
  );
  return steps;
}

/** An Ed25519 key pair, the public half as the Telnyx portal shows it (base64 of the 32 raw bytes). */
export async function telnyxKeyPair(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = (await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer;
  return { privateKey: pair.privateKey, publicKey: base64Encode(raw) };
}

/** The headers Telnyx sends with a body, signed as Telnyx documents it: Ed25519 over `${timestamp}|${body}`. */
export async function telnyxHeaders(
  privateKey: CryptoKey,
  body: string,
  timestampSeconds: number,
): Promise<Record<string, string>> {
  const message = new TextEncoder().encode(`${timestampSeconds}|${body}`);
  const signature = await crypto.subtle.sign('Ed25519', privateKey, message);
  return {
    'content-type': 'application/json',
    'telnyx-signature-ed25519': base64Encode(signature),
    'telnyx-timestamp': String(timestampSeconds),
  };
}

// ---- TeXML ---------------------------------------------------------------------------------------
// TeXML applications call back with Twilio-shaped forms (Telnyx's TeXML callback reference: call
// initiated/ringing/answered/completed, the queue's wait URL, the `<Enqueue>` action), signed like every
// Telnyx webhook.

export const TEXML_ACCOUNT_SID = 'f5586561-8ff0-4291-a51b-c7dfe4139ff9';

/** A TeXML call sid: `v3:` and a base64url handle (the call_control_id), derived from a label. */
export const texmlCallSid = (label: string) => `v3:${btoa(label).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_')}`;

/** TeXML's `Timestamp`: a space instead of `T`, microseconds. */
export const texmlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '731Z');

export type TexmlParams = Record<string, string | number | undefined>;

/** A form body as Telnyx posts it; undefined fields are left out. */
export function texmlForm(params: TexmlParams): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.append(k, String(v));
  return p.toString();
}

const texmlCall = (callSid: string) => ({
  AccountSid: TEXML_ACCOUNT_SID,
  CallSid: callSid,
  CallSidLegacy: callSid,
  ConnectionId: CONNECTION_ID,
});

/** A status callback (`statusCallbackEvent` initiated ringing answered completed). */
export function texmlStatus(i: {
  callSid: string;
  status: string;
  atMs: number;
  seq: number;
  parentCallSid?: string;
  from?: string;
  to?: string;
  durationS?: number;
}): TexmlParams {
  const completed = i.status === 'completed';
  return {
    ...texmlCall(i.callSid),
    CallInitiatedAt: new Date(i.atMs).toISOString(),
    CallStatus: i.status,
    CallbackSource: 'call-progress-events',
    From: i.from ?? '+13125550100',
    To: i.to ?? '+13129457420',
    SequenceNumber: i.seq,
    Timestamp: texmlTime(i.atMs),
    ParentCallSid: i.parentCallSid,
    CallDuration: i.durationS,
    // What Telnyx adds when the call completes (the result of its last <Dial>, its hang-up).
    ...(completed
      ? {
          DialCallStatus: 'completed',
          HangupCause: 'normal_clearing',
          HangupSource: 'caller',
          EndTime: new Date(i.atMs).toISOString(),
        }
      : {}),
  };
}

/** The `<Enqueue waitUrl>` request. */
export function texmlWait(i: { callSid: string; queue: string; queueTimeS: number; position?: number }): TexmlParams {
  return {
    ...texmlCall(i.callSid),
    AvgQueueTime: 45,
    CurrentQueueSize: 3,
    From: '+13125550100',
    QueuePosition: i.position ?? 1,
    QueueSid: i.queue,
    QueueTime: i.queueTimeS,
    To: '+13129457420',
  };
}

/** The `<Enqueue action>` request, when the call leaves the queue. */
export function texmlEnqueueAction(i: { callSid: string; queue: string; result: string; queueTimeS: number }): TexmlParams {
  return {
    ...texmlCall(i.callSid),
    CallStatus: 'in-progress',
    From: '+13125550100',
    QueueResult: i.result,
    QueueSid: i.queue,
    QueueTime: i.queueTimeS,
    To: '+13129457420',
  };
}
