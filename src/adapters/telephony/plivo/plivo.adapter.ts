import type { FieldIssue } from '../../../domain/errors';
import type { EventAttrs } from '../../../domain/events/event-types';
import { timingSafeEqualText } from '../../../lib/constant-time';
import { isFormType, parseForm } from '../kit/body';
import { event } from '../kit/event';
import {
  type AdapterContext,
  type AdapterEvent,
  AdapterInputError,
  header,
  type InboundRequest,
  type NormalizeResult,
  type ProviderAdapter,
  type VerifyResult,
} from '../types';
import { redactPlivo } from './plivo.redact';
import { plivoV3BaseString, plivoV3Signature } from './plivo.signature';
import { plivoInstant } from './plivo.time';

/**
 * Plivo voice callbacks (docs/providers/plivo.md). Plivo has no ACD: no queue, hold, wrap-up or agent-state
 * events. What it reports, and what that becomes:
 *
 * - `hangup_url` (Event=Hangup) of the customer's call → interaction.started (StartTime),
 *   queue.joined (AnswerTime, only when the URL is tagged `?queue=<key>`), interaction.ended (EndTime).
 * - `hangup_url` of an agent leg placed with the Call API, tagged `?agent=<key>&interaction=<customer
 *   CallUUID>` → agent.offered (StartTime), agent.offer_ended{accepted} + agent.connected (AnswerTime),
 *   agent.disconnected (EndTime); never answered → agent.offer_ended{timeout|rejected|canceled|failed}.
 * - `<Dial callbackUrl>` DialAction=answer → agent.offer_ended{accepted} + agent.connected;
 *   DialAction=hangup → agent.disconnected (B leg was up) or agent.offer_ended (it never was). The
 *   A leg is the customer, the B leg the agent (`?agent=<key>`, else the dialled DialBLegTo).
 *   These callbacks carry no time: the instant is when Callboard received them.
 * - everything else (answer_url and ring_url requests, the Dial `action` summary, digits, recordings,
 *   unknown events) is accepted and listed as ignored.
 *
 * The tags are query parameters of the callback URL, which Plivo signs with the rest of the URL.
 * Timestamps are in the Plivo console's time zone (connector option `timeZone`).
 */
export const plivoAdapter: ProviderAdapter = {
  provider: 'plivo',
  redact: redactPlivo,
  verify: verifyPlivo,
  normalize: normalizePlivo,
};

/** Any of the comma-separated V3 signatures (or the main-account `Ma-V3` ones) under any live auth token. */
async function verifyPlivo(req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult> {
  const nonce = header(req, 'x-plivo-signature-v3-nonce');
  const given = ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3']
    .map((name) => header(req, name))
    .flatMap((value) => (value === null ? [] : value.split(',')))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (nonce === null || given.length === 0) {
    return { ok: false, reason: 'missing', detail: 'Send X-Plivo-Signature-V3 and X-Plivo-Signature-V3-Nonce.' };
  }
  const base = plivoV3BaseString(req.method, req.url, bodyParams(req));
  for (const [index, credentials] of ctx.credentials.entries()) {
    if (!credentials.authToken) continue;
    const expected = await plivoV3Signature(credentials.authToken, base, nonce);
    if (given.some((g) => timingSafeEqualText(g, expected))) return { ok: true, credentialIndex: index };
  }
  return {
    ok: false,
    reason: 'invalid',
    detail: "No X-Plivo-Signature-V3 matches this URL and body under the connector's auth token (check publicBaseUrl).",
  };
}

/** The POST params Plivo signed: the form body (nothing when the body is not a form). */
function bodyParams(req: InboundRequest): [string, string][] {
  if (req.method.toUpperCase() === 'GET') return [];
  if (req.contentType !== null && !isFormType(req.contentType)) return [];
  return parseForm(req.rawBody);
}

type Params = Map<string, string>;

/** Callboard's tags on the callback URL. */
interface Tags {
  queue?: string;
  agent?: string;
  interaction?: string;
}

function normalizePlivo(req: InboundRequest, ctx: AdapterContext): NormalizeResult {
  if (req.method.toUpperCase() !== 'GET' && req.contentType !== null && !isFormType(req.contentType)) {
    throw new AdapterInputError(415, 'Plivo callbacks are form posts: send Content-Type: application/x-www-form-urlencoded.');
  }
  const query = new URL(req.url).searchParams;
  // A GET callback carries Plivo's params in the query; a POST in the body.
  const pairs = req.method.toUpperCase() === 'GET' ? [...query.entries()] : parseForm(req.rawBody);
  const params: Params = new Map();
  for (const [k, v] of pairs) if (!params.has(k) && v !== '') params.set(k, v);
  const tags = readTags(query);
  const input: Input = { params, tags, timeZone: ctx.options.timeZone ?? 'UTC', nowMs: ctx.nowMs };

  if (params.has('DialAction')) return dialCallback(input);
  if (params.has('DialStatus')) {
    return ignored('Dial action', 'The Dial action summary repeats what the Dial callbackUrl reported per leg.');
  }
  if (isHangup(params)) return tags.agent ? agentLegHangup(input, tags.agent) : customerHangup(input);
  const what = params.get('Event') ?? (params.has('CallStatus') ? `CallStatus=${params.get('CallStatus')}` : 'unknown');
  return ignored(what, 'Not a call event Callboard maps (answer_url and ring_url requests, digits, recordings...).');
}

interface Input {
  params: Params;
  tags: Tags;
  timeZone: string;
  nowMs: number;
}

const TERMINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'timeout', 'no-answer', 'cancel', 'canceled']);

function isHangup(p: Params): boolean {
  if (p.get('Event') === 'Hangup') return true;
  return TERMINAL_STATUSES.has(p.get('CallStatus') ?? '') && (p.has('EndTime') || p.has('HangupCause'));
}

/** How a leg that was never answered ended, by its CallStatus or DialBLegStatus first, then its hangup cause. */
const OFFER_RESULT_BY_STATUS: Record<string, EventAttrs['agent.offer_ended']['result']> = {
  'no-answer': 'timeout',
  timeout: 'timeout',
  busy: 'rejected',
  cancel: 'canceled',
  canceled: 'canceled',
  failed: 'failed',
};
const OFFER_RESULT_BY_CAUSE: Record<string, EventAttrs['agent.offer_ended']['result']> = {
  NO_ANSWER: 'timeout',
  NO_USER_RESPONSE: 'timeout',
  ALLOTTED_TIMEOUT: 'timeout',
  RECOVERY_ON_TIMER_EXPIRE: 'timeout',
  USER_BUSY: 'rejected',
  CALL_REJECTED: 'rejected',
  ORIGINATOR_CANCEL: 'canceled',
  // Another leg of a simultaneous Dial answered first.
  LOSE_RACE: 'canceled',
};

function offerResult(status: string | undefined, cause: string | undefined): EventAttrs['agent.offer_ended']['result'] {
  return OFFER_RESULT_BY_STATUS[status ?? ''] ?? OFFER_RESULT_BY_CAUSE[cause ?? ''] ?? 'failed';
}

type EndedBy = NonNullable<EventAttrs['interaction.ended']['endedBy']>;

/** Plivo's HangupSource values that mean Plivo or the XML application ended the call. */
const SYSTEM_SOURCES = new Set(['Plivo', 'API Request', 'Answer XML', 'Error']);

/** Who hung up a leg, seen from that leg: its callee is the customer (outbound) or the agent (agent legs). */
function endedBy(source: string | undefined, callee: EndedBy, caller: EndedBy): EndedBy {
  if (source === 'Callee') return callee;
  if (source === 'Caller') return caller;
  return source !== undefined && SYSTEM_SOURCES.has(source) ? 'system' : 'unknown';
}

function customerHangup({ params, tags, timeZone, nowMs }: Input): NormalizeResult {
  const uuid = requiredId(params, 'CallUUID');
  const times = legTimes(params, timeZone, nowMs);
  const read = times.derived ? { occurredAtSource: 'derived' as const } : {};
  const inbound = params.get('Direction') !== 'outbound';
  const caller = inbound ? params.get('From') : params.get('To');
  const base = { interactionId: uuid, legId: uuid };
  const events: AdapterEvent[] = [];
  if (times.start !== null) {
    events.push(
      event({
        id: `plivo:${uuid}:started`,
        type: 'interaction.started',
        occurredAt: iso(times.start),
        ...read,
        ...base,
        direction: inbound ? 'inbound' : 'outbound',
        ...(caller && caller.length <= 64 ? { caller } : {}),
      }),
    );
  }
  // The tagged line is the queue: the caller waits from the moment Plivo answered and the app took over.
  if (tags.queue && times.answer !== null) {
    events.push(
      event({
        id: `plivo:${uuid}:queued`,
        type: 'queue.joined',
        occurredAt: iso(times.answer),
        ...read,
        ...base,
        queueKey: tags.queue,
      }),
    );
  }
  const cause = params.get('HangupCause') ?? params.get('HangupCauseName');
  events.push(
    event({
      id: `plivo:${uuid}:ended`,
      type: 'interaction.ended',
      occurredAt: iso(times.end.at),
      ...base,
      attrs: {
        ...(cause ? { hangupCause: cause.slice(0, 100) } : {}),
        endedBy: endedBy(params.get('HangupSource'), inbound ? 'unknown' : 'customer', inbound ? 'customer' : 'unknown'),
      },
      ...(times.end.received ? { occurredAtSource: 'received' as const } : read),
    }),
  );
  return { events, ignored: times.notes };
}

function agentLegHangup({ params, tags, timeZone, nowMs }: Input, agentKey: string): NormalizeResult {
  const uuid = requiredId(params, 'CallUUID');
  if (!tags.interaction) {
    throw new AdapterInputError(422, 'An agent leg (tagged ?agent=) must name the customer call it serves.', [
      { in: 'query', pointer: '/interaction', detail: "Add interaction=<the customer's CallUUID> to the callback URL." },
    ]);
  }
  const times = legTimes(params, timeZone, nowMs);
  const read = times.derived ? { occurredAtSource: 'derived' as const } : {};
  const base = {
    interactionId: tags.interaction,
    legId: uuid,
    agentKey,
    ...(tags.queue ? { queueKey: tags.queue } : {}),
  };
  const end = { occurredAt: iso(times.end.at), ...(times.end.received ? { occurredAtSource: 'received' as const } : read) };
  const events: AdapterEvent[] = [];
  if (times.start !== null) {
    events.push(event({ id: `plivo:${uuid}:offered`, type: 'agent.offered', occurredAt: iso(times.start), ...read, ...base }));
  }
  if (times.answer !== null) {
    const at = iso(times.answer);
    const ringMs = times.start !== null ? Math.max(0, times.answer - times.start) : undefined;
    events.push(
      event({
        id: `plivo:${uuid}:accepted`,
        type: 'agent.offer_ended',
        occurredAt: at,
        ...read,
        ...base,
        attrs: { result: 'accepted', ...(ringMs !== undefined ? { ringMs } : {}) },
      }),
      event({ id: `plivo:${uuid}:connected`, type: 'agent.connected', occurredAt: at, ...read, ...base }),
      event({
        id: `plivo:${uuid}:disconnected`,
        type: 'agent.disconnected',
        ...end,
        ...base,
        // The agent is the callee of a leg placed to them; a hang-up by the caller side is the platform's.
        attrs: { endedBy: endedBy(params.get('HangupSource'), 'agent', 'system') },
      }),
    );
  } else {
    events.push(
      event({
        id: `plivo:${uuid}:offer-ended`,
        type: 'agent.offer_ended',
        ...end,
        ...base,
        attrs: { result: offerResult(params.get('CallStatus'), params.get('HangupCause')) },
      }),
    );
  }
  return { events, ignored: times.notes };
}

function dialCallback({ params, tags, nowMs }: Input): NormalizeResult {
  const action = params.get('DialAction');
  if (action !== 'answer' && action !== 'hangup') {
    return ignored(`DialAction=${action}`, 'Only the B leg answering and hanging up are call facts.');
  }
  if (!params.has('DialBLegUUID')) {
    return ignored(`DialAction=${action}`, 'Without DialBLegUUID the leg cannot be told apart from the others of the Dial.');
  }
  const a = params.has('DialALegUUID') ? requiredId(params, 'DialALegUUID') : requiredId(params, 'CallUUID');
  const b = requiredId(params, 'DialBLegUUID');
  const agentKey = tags.agent ?? params.get('DialBLegTo');
  if (!agentKey) {
    throw new AdapterInputError(422, 'The Dial callback names no agent.', [
      { in: 'body', pointer: '/DialBLegTo', detail: 'Required, unless the callback URL carries ?agent=<key>.' },
    ]);
  }
  // Dial callbacks carry no timestamp: the instant is when the callback reached Callboard.
  const base = {
    occurredAt: iso(nowMs),
    occurredAtSource: 'received' as const,
    interactionId: a,
    legId: b,
    agentKey: agentKey.slice(0, 200),
    ...(tags.queue ? { queueKey: tags.queue } : {}),
  };
  if (action === 'answer') {
    return {
      events: [
        event({ id: `plivo:${b}:accepted`, type: 'agent.offer_ended', ...base, attrs: { result: 'accepted' } }),
        event({ id: `plivo:${b}:connected`, type: 'agent.connected', ...base }),
      ],
      ignored: [],
    };
  }
  const seconds = Number(params.get('DialBLegDuration') ?? '0');
  const talkMs = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
  if (talkMs > 0) {
    return {
      events: [
        event({
          id: `plivo:${b}:disconnected`,
          type: 'agent.disconnected',
          ...base,
          attrs: { endedBy: endedBy(params.get('DialBLegHangupSource'), 'agent', 'customer'), talkMs: Math.min(talkMs, MAX_MS) },
        }),
      ],
      ignored: [],
    };
  }
  const status = params.get('DialBLegStatus');
  return {
    events: [
      event({
        id: `plivo:${b}:offer-ended`,
        type: 'agent.offer_ended',
        ...base,
        attrs: { result: offerResult(status, params.get('DialBLegHangupCause')) },
      }),
    ],
    ignored: [],
  };
}

/** The longest duration the event schema takes (a week). */
const MAX_MS = 7 * 24 * 3600 * 1000;

/**
 * A leg's StartTime, AnswerTime and EndTime; a hang-up without EndTime happened when it was received.
 * They are written in the Plivo console's zone, SessionStart in UTC: a connector `timeZone` that is not
 * the console's would shift every instant silently, so StartTime is checked against SessionStart. A gap
 * that is a zone offset (whole quarter hours, to a few seconds) is the zone's error: the times are
 * corrected by it (`derived`). Any other gap is only reported. Either way the delivery log says so.
 */
function legTimes(params: Params, timeZone: string, nowMs: number) {
  let start = instant(params, 'StartTime', timeZone);
  let answer = instant(params, 'AnswerTime', timeZone);
  let end = instant(params, 'EndTime', timeZone);
  const notes: NormalizeResult['ignored'] = [];
  let derived = false;
  const sessionStart = params.get('SessionStart');
  const session = sessionStart !== undefined ? plivoInstant(sessionStart, 'UTC') : null;
  if (start !== null && session !== null) {
    const gap = start - session;
    const zone = Math.round(gap / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    const read = `StartTime read in the connector's timeZone (${timeZone})`;
    if (zone !== 0 && Math.abs(gap - zone) <= SESSION_SLACK_MS) {
      const fix = (t: number | null) => (t === null ? null : t - zone);
      [start, answer, end] = [fix(start), fix(answer), fix(end)];
      derived = true;
      notes.push({
        what: 'timeZone',
        reason: `${read} is ${offsetText(zone)} off SessionStart, which Plivo writes in UTC: the times were corrected by it. Set timeZone to the Plivo console's zone.`,
      });
    } else if (Math.abs(gap) > SESSION_SLACK_MS) {
      notes.push({
        what: 'timeZone',
        reason: `${read} is ${durationText(Math.abs(gap))} ${gap < 0 ? 'before' : 'after'} SessionStart, which Plivo writes in UTC, and that is no time-zone offset: the times were kept as read.`,
      });
    }
  }
  const ended = end === null ? { at: nowMs, received: true } : { at: end, received: false };
  return { start, answer, end: ended, derived, notes };
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** How far StartTime (whole seconds) and SessionStart (µs) of one leg may be apart and still be the same moment. */
const SESSION_SLACK_MS = 5_000;

/** A zone offset: `-4 h`, `+9 h 30 min`. */
function offsetText(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${ms < 0 ? '-' : '+'}${h} h${m ? ` ${m} min` : ''}`;
}

/** A positive duration to the second: `2 h 5 min 3 s`, `37 min 27 s`. */
function durationText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'min'],
    [total % 60, 's'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

function instant(params: Params, name: string, timeZone: string): number | null {
  const value = params.get(name);
  if (value === undefined) return null;
  const at = plivoInstant(value, timeZone);
  if (at === null) {
    throw new AdapterInputError(422, `${name} is not a Plivo timestamp.`, [
      { in: 'body', pointer: `/${name}`, detail: 'Expected yyyy-MM-dd HH:mm:ss.' },
    ]);
  }
  return at;
}

const ID = /^[\x21-\x7e]{1,100}$/;

/** A Plivo UUID the event ids are built from: present and printable. */
function requiredId(params: Params, name: string): string {
  const value = params.get(name);
  if (value !== undefined && ID.test(value)) return value;
  const issue: FieldIssue = { in: 'body', pointer: `/${name}`, detail: value === undefined ? 'Required.' : 'Not a Plivo id.' };
  throw new AdapterInputError(422, `The callback has no usable ${name}.`, [issue]);
}

const TAG = /^[^\s].{0,199}$/s;

function readTags(query: URLSearchParams): Tags {
  const tags: Tags = {};
  const issues: FieldIssue[] = [];
  for (const name of ['queue', 'agent', 'interaction'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    if (TAG.test(value) && value.trim() === value) tags[name] = value;
    else issues.push({ in: 'query', pointer: `/${name}`, detail: 'A key of 1 to 200 characters without surrounding spaces.' });
  }
  if (tags.interaction && !ID.test(tags.interaction)) {
    issues.push({ in: 'query', pointer: '/interaction', detail: 'Not a Plivo CallUUID.' });
  }
  if (issues.length > 0) throw new AdapterInputError(422, 'The callback URL carries an unusable tag.', issues);
  return tags;
}

function ignored(what: string, reason: string): NormalizeResult {
  return { events: [], ignored: [{ what, reason }] };
}

const iso = (ms: number) => new Date(ms).toISOString();
