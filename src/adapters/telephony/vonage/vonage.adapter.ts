import { z } from 'zod';
import { QUEUE_OUTCOMES } from '../../../domain/events/event-types';
import { base64Decode } from '../../../lib/base64';
import { timingSafeEqualBytes, timingSafeEqualText } from '../../../lib/constant-time';
import { zodFieldIssues } from '../../../lib/zod-issues';
import { parseJsonBody } from '../kit/body';
import { event, type TypedEvent, type Without } from '../kit/event';
import {
  type AdapterContext,
  AdapterInputError,
  header,
  type InboundRequest,
  type NormalizeResult,
  type ProviderAdapter,
  type VerifyResult,
} from '../types';
import { redactVonage } from './vonage.redact';

// Vonage Voice API event webhooks (docs/providers/vonage.md), signed with an HS256 JWT. Vonage has
// no queues and no agents: a leg's status events say when it started, rang, was answered and ended, and
// the NCCO `notify` action lets the tenant's application say where the caller is (docs/providers/vonage.md). So:
// - the interaction is the customer's leg `uuid` (stable: `conversation_uuid` changes whenever the leg
//   is moved into another conversation, e.g. the queue's);
// - an agent's leg is one whose event URL carries `?agent=<key>&call=<customer leg uuid>`;
// - `notify` payloads with a `callboard` object carry queue joins and leaves and holds.

/** A JWT older than this is refused: Vonage signs each request as it sends it, so a fresh `iat` is expected. */
export const VONAGE_MAX_AGE_SECONDS = 300;
/** How far ahead of our clock `iat` may be. */
export const VONAGE_FUTURE_SKEW_SECONDS = 60;

const encoder = new TextEncoder();
const keyCache = new Map<string, CryptoKey>();
const KEY_CACHE_LIMIT = 1000;

const fail = (reason: 'missing' | 'invalid' | 'expired', detail: string): VerifyResult => ({ ok: false, reason, detail });

/**
 * Vonage's signed webhooks: `Authorization: Bearer <JWT>`, HS256 with the account's signature secret,
 * whose `payload_hash` claim is the hex SHA-256 of the exact body. The JWT's own checks say nothing
 * about the body or its age, so both are checked here.
 */
export async function verifyVonage(req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult> {
  const authorization = header(req, 'authorization');
  if (!authorization)
    return fail('missing', 'Send Authorization: Bearer <JWT> (enable signed webhooks on the Vonage application).');
  const token = /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization.trim());
  if (!token) return fail('invalid', 'Authorization must be Bearer followed by a JWT.');
  // The pattern has three groups, so all three are set when it matches.
  const [, head = '', body = '', sig = ''] = token;
  const alg = (jsonOf(base64UrlDecode(head)) as { alg?: unknown } | null)?.alg;
  // Only HS256: a token naming another algorithm (`none`, RS256 with the secret as a "public key") is refused.
  if (alg !== 'HS256') return fail('invalid', 'The JWT must be HS256, signed with the signature secret.');
  const signature = base64UrlDecode(sig);
  if (signature?.length !== 32) return fail('invalid', 'The JWT signature is not an HS256 signature.');

  const signed = encoder.encode(`${head}.${body}`);
  let credentialIndex = -1;
  for (const [index, credentials] of ctx.credentials.entries()) {
    if (!credentials.signatureSecret) continue;
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(credentials.signatureSecret), signed));
    if (timingSafeEqualBytes(expected, signature) && credentialIndex < 0) credentialIndex = index;
  }
  if (credentialIndex < 0) return fail('invalid', "The JWT is not signed with the connector's signature secret.");

  const claims = jsonOf(base64UrlDecode(body)) as Record<string, unknown> | null;
  const iat = claims?.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('invalid', 'The JWT has no iat.');
  const now = ctx.nowMs / 1000;
  if (now - iat > VONAGE_MAX_AGE_SECONDS || iat - now > VONAGE_FUTURE_SKEW_SECONDS) {
    return fail('expired', `The JWT's iat must be within ${VONAGE_MAX_AGE_SECONDS} s of now.`);
  }
  if (typeof claims?.exp === 'number' && now > claims.exp) return fail('expired', 'The JWT has expired.');
  const payloadHash = claims?.payload_hash;
  if (typeof payloadHash !== 'string') return fail('invalid', 'The JWT has no payload_hash.');
  if (!timingSafeEqualText(payloadHash.toLowerCase(), await sha256Hex(req.rawBody))) {
    return fail('invalid', "The body's SHA-256 differs from the JWT's payload_hash.");
  }
  return { ok: true, credentialIndex };
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = keyCache.get(secret);
  if (cached) return cached;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(secret, key);
  return key;
}

function base64UrlDecode(value: string): Uint8Array | null {
  const standard = value.replaceAll('-', '+').replaceAll('_', '/');
  return base64Decode(standard.padEnd(standard.length + ((4 - (standard.length % 4)) % 4), '='));
}

function jsonOf(bytes: Uint8Array | null): unknown {
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------------------------------
// Normalization

/** An event as the kit types it: what its type needs is required. */
export type VonageEvent = TypedEvent;

const ref = z.string().trim().min(1).max(200);

/** The fields of a status event the mapping reads (Vonage sends `duration` as a string). */
const StatusEvent = z.object({
  uuid: ref,
  status: z.string().min(1).max(50),
  direction: z.enum(['inbound', 'outbound']).nullish(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  timestamp: z.string().nullish(),
  duration: z.union([z.string(), z.number()]).nullish(),
  detail: z.string().max(60).nullish(),
});
type StatusEvent = z.infer<typeof StatusEvent>;

/** What the tenant's NCCO `notify` action sends in `payload.callboard` (docs/providers/vonage.md). */
export const CallboardNotifySchema = z
  .strictObject({
    call: ref.describe("The customer's leg uuid (the answer webhook's `uuid`)."),
    event: z.enum(['queue.joined', 'queue.left', 'hold.started', 'hold.ended']),
    queue: ref.optional(),
    outcome: z.enum(QUEUE_OUTCOMES).optional(),
    position: z.number().int().min(0).optional(),
  })
  .superRefine((n, issue) => {
    if (n.event.startsWith('queue.') && !n.queue)
      issue.addIssue({ code: 'custom', path: ['queue'], message: `Required for ${n.event}.` });
    if (n.event === 'queue.left' && !n.outcome)
      issue.addIssue({ code: 'custom', path: ['outcome'], message: 'Required for queue.left.' });
  });

const Notify = z.object({ payload: z.unknown(), timestamp: z.string().nullish() });

/** A leg's status → the offer's end when it never connected (the table in docs/providers/vonage.md). */
const UNANSWERED: Record<string, 'rejected' | 'timeout' | 'canceled' | 'failed'> = {
  busy: 'rejected',
  rejected: 'rejected',
  timeout: 'timeout',
  unanswered: 'timeout',
  cancelled: 'canceled',
  failed: 'failed',
};

/** A table's own entry: provider strings such as `constructor` must not reach Object.prototype. */
const own = <V>(table: Record<string, V>, key: string): V | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

type Mapped = { events: Without<VonageEvent, 'id'>[] } | { ignore: string };

/** When an event happened, and whether Vonage said so or it was received. */
type Instant = { occurredAt: string; occurredAtSource?: 'received' };
/** What every event of one leg's status shares. */
type LegBase = Instant & { interactionId: string; legId: string };

/** Status of the customer's own leg → events. Its ringing and answering are the IVR's, not a queue's or an agent's. */
function customerLeg(event: StatusEvent, base: LegBase): Mapped {
  const { status, direction, from, to, detail } = event;
  if (status === 'started') {
    const customer = (direction === 'outbound' ? to : from)?.trim();
    return {
      events: [
        {
          ...base,
          type: 'interaction.started',
          ...(direction ? { direction } : {}),
          ...(customer && customer.length <= 64 ? { caller: customer } : {}),
        },
      ],
    };
  }
  // A failure (busy, timeout, …) and `completed` may both come, in either order (docs/providers/vonage.md): each ends the
  // interaction; the failure carries the cause, `completed` only the detail Vonage gives.
  if (status === 'completed' || own(UNANSWERED, status)) {
    const cause = status === 'completed' ? detail : detail ? `${status}:${detail}` : status;
    return { events: [{ ...base, type: 'interaction.ended', attrs: cause ? { hangupCause: cause } : {} }] };
  }
  return { ignore: `the customer's leg ${status}: no queue or agent fact` };
}

/** Status of an agent's leg → the offer, the connection and its end. */
function agentLeg(event: StatusEvent, base: LegBase, agentKey: string): Mapped {
  const { status, duration } = event;
  const b = { ...base, agentKey };
  switch (status) {
    case 'ringing':
      return { events: [{ ...b, type: 'agent.offered' }] };
    case 'answered':
      // The agent's NCCO joins the caller's conversation on answer: accepted and connected at once.
      return {
        events: [
          { ...b, type: 'agent.offer_ended', attrs: { result: 'accepted' } },
          { ...b, type: 'agent.connected' },
        ],
      };
    case 'completed': {
      // Every leg ends with `completed`; only one that was answered (billed seconds > 0) had a connection to end.
      const seconds = Number(duration);
      if (!(seconds > 0)) return { ignore: "an agent's leg that was never answered ended" };
      return {
        events: [{ ...b, type: 'agent.disconnected', attrs: { talkMs: Math.min(Math.round(seconds * 1000), 604_800_000) } }],
      };
    }
    default: {
      const result = own(UNANSWERED, status);
      if (result) return { events: [{ ...b, type: 'agent.offer_ended', attrs: { result } }] };
      return {
        ignore: status === 'started' ? "an agent's leg created: the offer counts from ringing" : `an agent's leg ${status}`,
      };
    }
  }
}

function notifyEvent(n: z.infer<typeof CallboardNotifySchema>, base: Instant): Without<VonageEvent, 'id'> {
  const b = { ...base, interactionId: n.call };
  // CallboardNotifySchema refuses a queue.* notify without its queue, so the fallback never applies.
  const queueKey = n.queue ?? '';
  switch (n.event) {
    case 'queue.joined':
      return {
        ...b,
        type: 'queue.joined',
        queueKey,
        ...(n.position !== undefined ? { attrs: { position: n.position } } : {}),
      };
    case 'queue.left':
      return { ...b, type: 'queue.left', queueKey, attrs: { outcome: n.outcome ?? 'other' } };
    case 'hold.started':
      return { ...b, type: 'hold.started' };
    case 'hold.ended':
      return { ...b, type: 'hold.ended' };
  }
}

/** The agent tag of a leg, from its event URL's query (`agent` and `call`, both or neither). */
function agentTag(url: string): { key: string; call: string } | null {
  const query = new URL(url).searchParams;
  const key = query.get('agent')?.trim() ?? '';
  const call = query.get('call')?.trim() ?? '';
  if (!key && !call) return null;
  const issues = [
    ...(key.length < 1 || key.length > 200 ? [{ pointer: '/agent', detail: "The agent's key (1–200 characters)." }] : []),
    ...(call.length < 1 || call.length > 200 ? [{ pointer: '/call', detail: "The uuid of the customer's leg." }] : []),
  ];
  if (issues.length > 0) {
    throw new AdapterInputError(
      422,
      "An agent's leg names its agent and the customer's leg in the event URL: ?agent=<key>&call=<uuid>.",
      issues.map((i) => ({ in: 'query', ...i })),
    );
  }
  return { key, call };
}

/** An ISO-8601 instant with an offset, of any sub-second precision, as ms ISO; else null. */
export function isoInstant(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}${m[4]?.toUpperCase()}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function invalid(message: string, issues: { pointer: string; detail: string }[]): AdapterInputError {
  const fields = issues.map((i) => ({ in: 'body' as const, ...i }));
  return new AdapterInputError(422, message, fields);
}

function when(timestamp: string | null | undefined, ctx: AdapterContext): { occurredAt: string; received: boolean } {
  if (!timestamp) return { occurredAt: new Date(ctx.nowMs).toISOString(), received: true };
  const occurredAt = isoInstant(timestamp);
  if (!occurredAt) {
    throw invalid('The Vonage event is not readable.', [
      { pointer: '/timestamp', detail: 'Not an ISO-8601 instant with an offset.' },
    ]);
  }
  return { occurredAt, received: false };
}

/** An event id from stable parts: as is when it fits the wire format, else their SHA-256. */
async function eventId(parts: string[]): Promise<string> {
  const id = ['vonage', ...parts].join(':');
  return /^[\x21-\x7e]{1,200}$/.test(id) ? id : `vonage:sha256:${await sha256Hex(id)}`;
}

/** Kind of a Vonage callback that is neither a status event nor a notify, for the ignored list. */
function kindOf(body: Record<string, unknown>): string {
  if (typeof body.type === 'string') return body.type;
  if ('recording_url' in body) return 'record';
  if ('dtmf' in body || 'speech' in body) return 'input';
  return 'unknown';
}

/** Maps one Vonage callback: a leg's status event, a `notify`, or something ignored. */
export async function normalizeVonage(req: InboundRequest, ctx: AdapterContext): Promise<NormalizeResult> {
  const parsed = parseJsonBody(req);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid('A Vonage callback is a JSON object.', [{ pointer: '', detail: 'Expected an object.' }]);
  }
  const body = parsed as Record<string, unknown>;

  // Answering machine detection names the leg `call_uuid` (not `uuid`) and says who picked up, which is no
  // queue or agent fact: checked before the status schema, which needs `uuid`.
  if (body.status === 'human' || body.status === 'machine') {
    return {
      events: [],
      ignored: [{ what: `status:${body.status}`, reason: 'answering machine detection: no queue or agent fact' }],
    };
  }

  if (typeof body.status === 'string') {
    const status = StatusEvent.safeParse(body);
    if (!status.success) throw invalid('The Vonage status event is not readable.', zodFieldIssues(status.error));
    const agent = agentTag(req.url);
    const time = when(status.data.timestamp, ctx);
    const base = {
      occurredAt: time.occurredAt,
      ...(time.received ? { occurredAtSource: 'received' as const } : {}),
      interactionId: agent?.call ?? status.data.uuid,
      legId: status.data.uuid,
    };
    const mapped = agent ? agentLeg(status.data, base, agent.key) : customerLeg(status.data, base);
    if ('ignore' in mapped) return { events: [], ignored: [{ what: `status:${status.data.status}`, reason: mapped.ignore }] };
    // A leg reaches each status once, so (leg, status) names the fact; a retry repeats it exactly.
    const events = await Promise.all(
      mapped.events.map(async (e) => event({ ...e, id: await eventId([status.data.uuid, status.data.status, e.type]) })),
    );
    return { events, ignored: [] };
  }

  if (body.type === 'transfer') {
    return {
      events: [],
      ignored: [{ what: 'transfer', reason: 'a leg moved between conversations; queue moves come from notify' }],
    };
  }

  if ('payload' in body) {
    const read = Notify.safeParse(body);
    if (!read.success) throw invalid('The Vonage notify is not readable.', zodFieldIssues(read.error));
    const notify = read.data;
    const callboard = (notify.payload as { callboard?: unknown } | null)?.callboard;
    if (callboard === undefined)
      return { events: [], ignored: [{ what: 'notify', reason: 'no callboard object in the payload' }] };
    const n = CallboardNotifySchema.safeParse(callboard);
    if (!n.success) {
      const issues = zodFieldIssues(n.error).map((i) => ({ pointer: `/payload/callboard${i.pointer}`, detail: i.detail }));
      throw invalid('The notify payload is not a Callboard event (see docs/providers/vonage.md).', issues);
    }
    const time = when(notify.timestamp, ctx);
    const fact = notifyEvent(n.data, {
      occurredAt: time.occurredAt,
      ...(time.received ? { occurredAtSource: 'received' as const } : {}),
    });
    // Without Vonage's timestamp a notify has no natural key: the body itself, which a retry repeats, names it.
    const id = notify.timestamp
      ? await eventId(['notify', n.data.call, n.data.event, n.data.queue ?? '-', notify.timestamp])
      : await eventId(['notify', await sha256Hex(req.rawBody)]);
    return { events: [event({ ...fact, id })], ignored: [] };
  }

  return { events: [], ignored: [{ what: kindOf(body), reason: 'not a call-center event' }] };
}

export const vonageAdapter: ProviderAdapter = {
  provider: 'vonage',
  redact: redactVonage,
  verify: verifyVonage,
  normalize: normalizeVonage,
};
