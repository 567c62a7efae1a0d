import type { Provider } from '../providers';
import { storableText } from '../text';
import type { Direction, EventAttrs, EventType, TimeSource } from './event-types';
import type { WireEvent } from './wire';

/**
 * An event inside Callboard (docs/ingestion.md, Event types): instants are UTC epoch ms, the tenant comes from the
 * credentials, and the caller's number has been replaced by a salted hash and a masked form.
 */
export interface NormalizedEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  tenantId: string;
  provider: Provider;
  occurredAt: number;
  occurredAtSource: TimeSource;
  receivedAt: number;
  interactionId: string | null;
  legId: string | null;
  queueId: string | null;
  queueKey: string | null;
  agentId: string | null;
  agentKey: string | null;
  direction: Direction | null;
  callerHash: string | null;
  callerMasked: string | null;
  attrs: EventAttrs[T];
}

export type AnyEvent = { [T in EventType]: NormalizedEvent<T> }[EventType];

/**
 * Whether two versions of an event say the same thing (when it was received does not count): a
 * re-normalized delivery changes only the events whose content differs.
 */
export function sameContent(a: AnyEvent, b: AnyEvent): boolean {
  return JSON.stringify({ ...a, receivedAt: 0 }) === JSON.stringify({ ...b, receivedAt: 0 });
}

/** Events whose instant is further ahead than this are refused (a clock or unit error). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Turns a validated wire event into the internal form; the caller's hash is computed by the caller. */
export function normalizeWireEvent(
  wire: WireEvent,
  ctx: { tenantId: string; provider: Provider; receivedAt: number; caller: { hash: string; masked: string } | null },
): AnyEvent {
  return {
    id: wire.id,
    type: wire.type,
    tenantId: ctx.tenantId,
    provider: ctx.provider,
    occurredAt: Date.parse(wire.occurredAt),
    occurredAtSource: 'provider',
    receivedAt: ctx.receivedAt,
    interactionId: wire.interactionId ?? null,
    legId: wire.legId ?? null,
    queueId: wire.queueId ?? null,
    queueKey: wire.queueKey ?? null,
    agentId: wire.agentId ?? null,
    agentKey: wire.agentKey ?? null,
    direction: wire.direction ?? null,
    callerHash: ctx.caller?.hash ?? null,
    callerMasked: ctx.caller?.masked ?? null,
    attrs: (wire.attrs ?? {}) as never,
  } as AnyEvent;
}

/**
 * A masked form of a phone number or caller identifier for display: the first 4 and the last 2
 * characters of a number, the rest as `*`; short values are fully masked. Characters are code
 * points (an emoji is never cut in half), and the result is always storable text.
 */
export function maskCaller(value: string): string {
  const chars = [...value.replace(/[\s().-]/g, '')];
  if (chars.length <= 6) return '*'.repeat(chars.length);
  return storableText(`${chars.slice(0, 4).join('')}${'*'.repeat(chars.length - 6)}${chars.slice(-2).join('')}`);
}

/** The canonical form hashed for repeat-caller detection: digits with a leading + kept, else lowercase. */
export function canonicalCaller(value: string): string {
  const trimmed = value.trim();
  if (/^\+?[\d\s().-]+$/.test(trimmed)) return trimmed.replace(/[^\d+]/g, '');
  return trimmed.toLowerCase();
}
