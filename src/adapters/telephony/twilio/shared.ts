import type { FieldIssue } from '../../../domain/errors';
import type { AgentState, Direction, EventType, TimeSource } from '../../../domain/events/event-types';
import { sha256Hex } from '../../../lib/crypto';
import { type Fact, finish } from '../kit/event';
import { type AdapterContext, type AdapterEvent, AdapterInputError, type NormalizeResult } from '../types';

/**
 * An event before its id and instant are put in wire form: the kit's typed fact, plus `key`, the
 * natural key of the fact (provider ids only), so a retry, a duplicate callback or the same fact from
 * another Twilio surface gets the same id.
 */
export type Draft<T extends EventType = EventType> = { [K in T]: Fact<K> & DraftMeta }[T];
interface DraftMeta {
  key: string;
  atMs: number;
  /** Set when the instant is not Twilio's own (received, or derived from a duration). */
  source?: TimeSource;
}

export type Ignored = NormalizeResult['ignored'][number];
export interface Mapped {
  drafts: Draft[];
  ignored: Ignored[];
}

export const draft = (d: Draft): Draft => d;

const PRINTABLE = /^[\x21-\x7e]+$/;

/** `<prefix>:<natural key>`; a key that is too long or not printable ASCII is hashed instead. */
async function eventId(prefix: string, key: string): Promise<string> {
  const id = `${prefix}:${key}`;
  return PRINTABLE.test(id) && id.length <= 200 ? id : `${prefix}:sha256:${await sha256Hex(key)}`;
}

/**
 * Wire events from drafts, in order; a fact produced twice in one delivery is kept once. `prefix`
 * names whose ids these are (Telnyx TeXML maps the same forms under its own).
 */
export async function finalize(mapped: Mapped, prefix = 'twilio'): Promise<NormalizeResult> {
  const events: AdapterEvent[] = [];
  const seen = new Set<string>();
  for (const d of mapped.drafts) {
    const id = await eventId(prefix, d.key);
    if (seen.has(id)) continue;
    seen.add(id);
    const { key: _key, atMs, source, ...fact } = d;
    events.push(finish(fact, id, atMs, source));
  }
  return { events, ignored: mapped.ignored };
}

/** A 422 naming the fields of the payload that are missing or unreadable. */
export function unreadable(message: string, problems: { field: string; detail: string }[]): AdapterInputError {
  const issues: FieldIssue[] = problems.map((p) => ({ in: 'body', pointer: `/${p.field}`, detail: p.detail }));
  return new AdapterInputError(422, message, issues);
}

// ---- values ---------------------------------------------------------------------------------------

const MAX_MS = 7 * 24 * 3600 * 1000;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const RFC2822 =
  /^(?:[a-z]{3},\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(?:([+-])(\d{2})(\d{2})|gmt|ut|utc|z)$/i;

/** Epoch ms of an RFC 2822 date (voice `Timestamp`: `Tue, 04 Jun 2024 10:00:42 +0000`), or null. */
export function parseRfc2822(value: string): number | null {
  const m = RFC2822.exec(value.trim());
  if (!m) return null;
  const [, day, mon = '', year, hh, mm, ss, sign, oh, om] = m;
  const month = MONTHS.indexOf(mon.toLowerCase());
  if (month === -1) return null;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss ?? 0));
  const offsetMin = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const ms = utc - offsetMin * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms of an ISO-8601 instant with a zone (Event Streams, `TaskQueueEnteredDate`), or null. */
export function parseIso(value: string): number | null {
  if (!ISO.test(value.trim())) return null;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms from a digits-only string in the given unit (TaskRouter `TimestampMs` / `Timestamp`), or null. */
export function parseEpoch(value: string, unit: 'ms' | 's'): number | null {
  if (!/^\d{1,16}(\.\d+)?$/.test(value.trim())) return null;
  const n = Number(value) * (unit === 's' ? 1000 : 1);
  return Number.isFinite(n) ? Math.floor(n) : null;
}

/** A whole number of seconds (`QueueTime`, `CallDuration`) as ms within the schema's bound, or null. */
export function secondsToMs(value: string): number | null {
  if (!/^\d{1,9}$/.test(value.trim())) return null;
  const ms = Number(value) * 1000;
  return ms <= MAX_MS ? ms : null;
}

/** Twilio's `Direction` (`inbound`, `outbound-api`, `outbound-dial`, …) as ours. */
export function direction(value: string | undefined): Direction | undefined {
  if (!value) return undefined;
  if (value.startsWith('inbound')) return 'inbound';
  if (value.startsWith('outbound')) return 'outbound';
  return undefined;
}

/** The customer's number for the caller fields: From on inbound calls, To on outbound ones (≤ 64 chars). */
export function customerNumber(dir: Direction | undefined, from: string | undefined, to: string | undefined): string | undefined {
  const v = (dir === 'outbound' ? to : from)?.trim();
  return v && v.length <= 64 ? v : undefined;
}

const DEFAULT_STATES: Record<string, AgentState> = { available: 'available', offline: 'offline' };

/**
 * A TaskRouter activity as an agent state: the connector's `activityStates` (exact name, then
 * case-insensitive), else Available → available, Offline → offline, anything else (Break,
 * Unavailable, Lunch…) → away. Away states keep the activity name as the reason code.
 */
export function activityState(name: string, ctx: AdapterContext): { state: AgentState; reason?: string } {
  const table = ctx.options.activityStates ?? {};
  const lower = name.toLowerCase();
  const state =
    table[name] ??
    Object.entries(table).find(([k]) => k.toLowerCase() === lower)?.[1] ??
    DEFAULT_STATES[lower] ??
    ('away' as const);
  return state === 'away' ? { state, reason: name.slice(0, 100) } : { state };
}
