import { z } from 'zod';
import type { ConnectorCredentials } from '../../../domain/connectors';
import type { QueueOutcome } from '../../../domain/events/event-types';
import { base64Decode } from '../../../lib/base64';
import { zodFieldIssues } from '../../../lib/zod-issues';
import { parseJsonBody } from '../kit/body';
import { event, type TypedEvent } from '../kit/event';
import {
  type AdapterContext,
  AdapterInputError,
  header,
  type InboundRequest,
  type NormalizeResult,
  type ProviderAdapter,
  type VerifyResult,
} from '../types';
import { isoInstant } from './instant';
import { redactTelnyx } from './telnyx.redact';
import { isTexml, normalizeTexml, texmlResponse } from './texml';

export { isoInstant };

// Telnyx Call Control (Voice API v2) webhooks: one event per delivery, `{ data: { event_type, id, occurred_at,
// payload }, meta }`, signed with the account's Ed25519 key (setup: docs/providers/telnyx.md). TeXML applications
// post forms instead, signed the same way: ./texml.ts.

/** `telnyx-timestamp` may be this far from now, either way: the tolerance of Telnyx's own SDK (`TelnyxWebhook.verify`). */
export const TELNYX_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
const keyCache = new Map<string, CryptoKey | null>();
const KEY_CACHE_LIMIT = 1000;

/**
 * Telnyx's scheme: Ed25519 over `${telnyx-timestamp}|${rawBody}`, the signature base64 in
 * `telnyx-signature-ed25519`, checked against each live public key of the connector.
 */
export async function verifyTelnyx(req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult> {
  const signature = header(req, 'telnyx-signature-ed25519');
  const timestamp = header(req, 'telnyx-timestamp');
  if (!signature || !timestamp) {
    return {
      ok: false,
      reason: 'missing',
      detail: 'Send telnyx-signature-ed25519 and telnyx-timestamp (Telnyx signs every webhook).',
    };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid', detail: 'telnyx-timestamp must be unix seconds.' };
  if (Math.abs(Math.floor(ctx.nowMs / 1000) - Number(timestamp)) > TELNYX_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'expired', detail: `telnyx-timestamp must be within ${TELNYX_TOLERANCE_SECONDS} s of now.` };
  }
  const bytes = base64Decode(signature);
  if (bytes?.length !== 64) {
    return { ok: false, reason: 'invalid', detail: 'telnyx-signature-ed25519 is not the base64 of a 64-byte signature.' };
  }
  const message = encoder.encode(`${timestamp}|${req.rawBody}`);
  for (const [index, credentials] of ctx.credentials.entries()) {
    const key = await publicKey(credentials);
    if (key && (await crypto.subtle.verify('Ed25519', key, bytes, message))) return { ok: true, credentialIndex: index };
  }
  return {
    ok: false,
    reason: 'invalid',
    detail: "The signature does not match this body under the connector's Telnyx public key.",
  };
}

/** The Ed25519 key of a connector's `publicKey` (base64 of 32 bytes, as the Telnyx portal shows it), or null. */
async function publicKey(credentials: ConnectorCredentials): Promise<CryptoKey | null> {
  const encoded = credentials.publicKey;
  if (!encoded) return null;
  const cached = keyCache.get(encoded);
  if (cached !== undefined) return cached;
  const raw = base64Decode(encoded);
  const key =
    raw?.length === 32
      ? await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']).catch(() => null)
      : null;
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(encoded, key);
  return key;
}

// ---------------------------------------------------------------------------------------------------------------------
// Normalization

const Envelope = z.object({
  data: z.object({
    event_type: z.string().min(1).max(100),
    // Telnyx's event id, the same on every retry of the event: our event id.
    id: z
      .string()
      .regex(/^[\x21-\x7e]{1,150}$/, 'Printable ASCII without spaces.')
      .optional(),
    occurred_at: z.string().nullish(),
    payload: z.unknown().optional(),
  }),
});

const ref = z.string().trim().min(1).max(200);

/** The fields of a call event's payload the mapping reads; Telnyx adds fields freely, so others pass. */
const CallPayload = z.object({
  call_session_id: ref,
  call_leg_id: ref,
  client_state: z.string().nullish(),
  direction: z.enum(['incoming', 'outgoing']).nullish(),
  from: z.string().nullish(),
  to: z.string().nullish(),
  queue: ref.nullish(),
  current_position: z.number().int().min(0).nullish(),
  reason: z.string().nullish(),
  wait_time_secs: z.number().min(0).nullish(),
  hangup_cause: z.string().max(100).nullish(),
  hangup_source: z.string().nullish(),
});
type CallPayload = z.infer<typeof CallPayload>;

/** An event as the kit types it: what its type needs is required. */
export type TelnyxEvent = TypedEvent;

/** One call event, read: its payload, whose leg it is (an agent's, when client_state names one), and when. */
interface CallFacts {
  payload: CallPayload;
  agentKey: string | null;
  base: { id: string; occurredAt: string; interactionId: string; legId?: string; occurredAtSource?: 'received' };
}

type Rule = (c: CallFacts) => TelnyxEvent | { ignore: string };

/** `call.dequeued` reason → how the visit ended (the table in docs/providers/telnyx.md). */
const DEQUEUE_OUTCOMES: Record<string, QueueOutcome> = {
  bridged: 'answered',
  hangup: 'abandoned',
  // The caller hung up while Telnyx was bridging them to the agent: never connected, so still an abandon.
  'bridging-in-process': 'abandoned',
  timeout: 'timeout',
  // The application took the call out of the queue (`leave_queue`) to route it elsewhere — another queue,
  // voicemail, a number: the visit flowed out, counted as transferred rather than "other" (FLOW_OUT_OUTCOMES).
  leave: 'transferred',
};

/** `hangup_cause` of an agent leg that never connected → how the offer ended. Other causes follow a connected call. */
const UNANSWERED_CAUSES: Record<string, 'timeout' | 'rejected' | 'canceled' | 'failed'> = {
  no_answer: 'timeout',
  timeout: 'timeout',
  user_busy: 'rejected',
  call_rejected: 'rejected',
  originator_cancel: 'canceled',
  not_found: 'failed',
  unspecified: 'failed',
};

const isAgent = (c: CallFacts): c is CallFacts & { agentKey: string } => c.agentKey !== null;

/** A table's own entry: provider strings such as `constructor` must not reach Object.prototype. */
const own = <V>(table: Record<string, V>, key: string | null | undefined): V | undefined =>
  key != null && Object.hasOwn(table, key) ? table[key] : undefined;

/**
 * Telnyx event type → normalized event. Agent legs are the ones whose `client_state` names an agent
 * (docs/providers/telnyx.md); every other leg of the session is the customer's. Telnyx has no agent legs of its own,
 * no wrap-up and no agent presence: those come through the generic ingest.
 */
const RULES: Record<string, Rule> = {
  'call.initiated': (c) =>
    isAgent(c)
      ? { ...c.base, type: 'agent.offered', agentKey: c.agentKey }
      : { ...c.base, type: 'interaction.started', ...directionAndCaller(c.payload) },
  'call.answered': (c) =>
    isAgent(c)
      ? { ...c.base, type: 'agent.offer_ended', agentKey: c.agentKey, attrs: { result: 'accepted' } }
      : { ignore: "the customer's leg answered by the application (IVR), not by an agent" },
  'call.bridged': (c) =>
    isAgent(c)
      ? { ...c.base, type: 'agent.connected', agentKey: c.agentKey }
      : { ignore: "the customer's side of a bridge: the agent's leg reports the connection" },
  'call.enqueued': (c) => ({
    ...c.base,
    type: 'queue.joined',
    queueKey: queueOf(c),
    ...(c.payload.current_position != null ? { attrs: { position: c.payload.current_position } } : {}),
  }),
  'call.dequeued': (c) => ({
    ...c.base,
    type: 'queue.left',
    queueKey: queueOf(c),
    attrs: {
      outcome: own(DEQUEUE_OUTCOMES, c.payload.reason) ?? 'other',
      ...(c.payload.wait_time_secs != null ? { waitMs: Math.round(c.payload.wait_time_secs * 1000) } : {}),
    },
  }),
  'call.hold': (c) => ({ ...c.base, type: 'hold.started', ...(isAgent(c) ? { agentKey: c.agentKey } : {}) }),
  'call.unhold': (c) => ({ ...c.base, type: 'hold.ended', ...(isAgent(c) ? { agentKey: c.agentKey } : {}) }),
  // A SIP REFER the application sent succeeded: the leg left Telnyx for the referred address.
  'call.refer.completed': (c) => ({
    ...c.base,
    type: 'transfer',
    ...(isAgent(c) ? { agentKey: c.agentKey } : {}),
    attrs: { kind: 'external' },
  }),
  'call.hangup': (c) => (isAgent(c) ? agentHangup(c) : customerHangup(c)),
};

const IGNORED_REASONS: Record<string, string> = {
  'call.refer.started': 'a transfer attempt; call.refer.completed reports the transfer',
  'call.refer.failed': 'a transfer that did not happen',
};

function agentHangup(c: CallFacts & { agentKey: string }): TelnyxEvent {
  const unanswered = own(UNANSWERED_CAUSES, c.payload.hangup_cause);
  if (unanswered) return { ...c.base, type: 'agent.offer_ended', agentKey: c.agentKey, attrs: { result: unanswered } };
  // Telnyx dialed the agent, so the callee is the agent; a hang-up from our side has no telling cause.
  const endedBy = c.payload.hangup_source === 'callee' ? ({ endedBy: 'agent' } as const) : {};
  return { ...c.base, type: 'agent.disconnected', agentKey: c.agentKey, attrs: endedBy };
}

function customerHangup(c: CallFacts): TelnyxEvent {
  // The customer's leg of a queued call is inbound: its caller is the customer, its callee the Call Control
  // application (which also hangs it up when the agent's bridged leg ends).
  const endedBy = ({ caller: 'customer', callee: 'system' } as const)[c.payload.hangup_source as 'caller' | 'callee'];
  return {
    ...c.base,
    type: 'interaction.ended',
    attrs: {
      ...(c.payload.hangup_cause ? { hangupCause: c.payload.hangup_cause } : {}),
      ...(endedBy ? { endedBy } : {}),
    },
  };
}

function directionAndCaller(p: CallPayload): Pick<TypedEvent, 'direction' | 'caller'> {
  const direction = p.direction === 'outgoing' ? 'outbound' : p.direction === 'incoming' ? 'inbound' : undefined;
  // The customer is who called in, or who an outbound call went to.
  const customer = (direction === 'outbound' ? p.to : p.from)?.trim();
  return {
    ...(direction ? { direction } : {}),
    ...(customer && customer.length <= 64 ? { caller: customer } : {}),
  };
}

function queueOf(c: CallFacts): string {
  if (!c.payload.queue) throw invalidPayload([{ pointer: '/data/payload/queue', detail: 'Required for queue events.' }]);
  return c.payload.queue;
}

/**
 * The agent a leg belongs to, from `client_state` (base64 of JSON with an `agent` string, set by the
 * application when it dials the agent): Telnyx knows nothing of agents. Anything else is the
 * application's own state, and the leg a customer's.
 */
export function agentOfClientState(clientState: string | null | undefined): string | null {
  if (!clientState) return null;
  const bytes = base64Decode(clientState);
  if (!bytes) return null;
  try {
    const state: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    const agent = state && typeof state === 'object' ? (state as { agent?: unknown }).agent : undefined;
    if (typeof agent !== 'string') return null;
    const key = agent.trim();
    return key.length > 0 && key.length <= 200 ? key : null;
  } catch {
    return null;
  }
}

function invalidPayload(issues: { pointer: string; detail: string }[]): AdapterInputError {
  return new AdapterInputError(
    422,
    'The body is not a Telnyx Call Control event Callboard can read.',
    issues.map((i) => ({ in: 'body', ...i })),
  );
}

/** Call Control v1 put `event_type` and `payload` at the top, with no `data` envelope. */
function isCallControlV1(body: unknown): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && !('data' in body) && 'event_type' in body;
}

/** Maps one Call Control v2 webhook to at most one normalized event, with Telnyx's event id as ours. */
export function normalizeTelnyx(req: InboundRequest, ctx: AdapterContext): NormalizeResult {
  const body = parseJsonBody(req);
  if (isCallControlV1(body)) {
    throw new AdapterInputError(
      422,
      'Telnyx Call Control v1 is not supported: use v2 (the application\'s webhook API version, webhook_api_version "2").',
      [{ in: 'body', pointer: '', detail: 'A v1 event: event_type at the top level, no data envelope.' }],
    );
  }
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) throw invalidPayload(zodFieldIssues(envelope.error));
  const data = envelope.data.data;
  const rule = own(RULES, data.event_type);
  if (!rule) {
    const reason = own(IGNORED_REASONS, data.event_type) ?? 'not a call-center event';
    return { events: [], ignored: [{ what: data.event_type, reason }] };
  }
  const payload = CallPayload.safeParse(data.payload);
  if (!payload.success) {
    throw invalidPayload(zodFieldIssues(payload.error).map((i) => ({ pointer: `/data/payload${i.pointer}`, detail: i.detail })));
  }
  if (!data.id) throw invalidPayload([{ pointer: '/data/id', detail: 'Required: the event id deduplicates retries.' }]);
  let occurredAt: string | null = null;
  if (data.occurred_at) {
    occurredAt = isoInstant(data.occurred_at);
    if (!occurredAt) throw invalidPayload([{ pointer: '/data/occurred_at', detail: 'Not an ISO-8601 instant with an offset.' }]);
  }
  const facts: CallFacts = {
    payload: payload.data,
    agentKey: agentOfClientState(payload.data.client_state),
    base: {
      id: `telnyx:${data.id}`,
      occurredAt: occurredAt ?? new Date(ctx.nowMs).toISOString(),
      ...(occurredAt ? {} : { occurredAtSource: 'received' as const }),
      // The session groups the customer's leg with the legs bridged or transferred to it (dialed with `link_to`).
      interactionId: payload.data.call_session_id,
      legId: payload.data.call_leg_id,
    },
  };
  const out = rule(facts);
  if ('ignore' in out) return { events: [], ignored: [{ what: data.event_type, reason: out.ignore }] };
  return { events: [event(out)], ignored: [] };
}

export const telnyxAdapter: ProviderAdapter = {
  provider: 'telnyx',
  redact: redactTelnyx,
  verify: verifyTelnyx,
  // A TeXML application's forms, or Call Control's JSON.
  normalize: (req, ctx) => (isTexml(req) ? normalizeTexml(req, ctx) : normalizeTelnyx(req, ctx)),
  respond: texmlResponse,
};
