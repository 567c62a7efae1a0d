import type { Direction, EventAttrs, EventType, NEEDS, NEEDS_ATTRS, TimeSource } from '../../../domain/events/event-types';
import type { AdapterEvent } from '../types';

// The one way an adapter builds an event. What a type needs is required by the compiler, as the wire
// schema requires it at run time (NEEDS in src/domain/events/event-types.ts): an interaction for all
// but presence, a queue for queue.*, an agent for agent.* and wrap-up, attrs where a type has required
// attributes. So a queue event's `interactionId` is a `string`, never a `string | null` cast away.

type Needs<T extends EventType> = (typeof NEEDS)[T];

/** Adapters name queues and agents by the provider's keys; a Callboard id is for the generic connector's callers. */
type InteractionRef<T extends EventType> = Needs<T>['interaction'] extends true
  ? { interactionId: string }
  : { interactionId?: string };
type QueueRef<T extends EventType> = Needs<T>['queue'] extends true ? { queueKey: string } : { queueKey?: string };
type AgentRef<T extends EventType> = Needs<T>['agent'] extends true ? { agentKey: string } : { agentKey?: string };
/** Attributes are required where the type has a required attribute (`queue.left`'s outcome, a transfer's kind…). */
type AttrsOf<T extends EventType> = T extends (typeof NEEDS_ATTRS)[number] ? { attrs: EventAttrs[T] } : { attrs?: EventAttrs[T] };

/** The references an event of type T carries: provider keys only, never Callboard ids. */
export type Refs<T extends EventType> = { legId?: string; direction?: Direction; caller?: string } & InteractionRef<T> &
  QueueRef<T> &
  AgentRef<T>;

/** What an event says, before its id and instant: its type, the references that type needs, its attributes. */
export type Fact<T extends EventType = EventType> = {
  [K in T]: { type: K } & Refs<K> & AttrsOf<K>;
}[T];

/** The attributes argument of {@link fact}: optional only where the type has no required attribute. */
type AttrsArg<T extends EventType> = T extends (typeof NEEDS_ATTRS)[number] ? EventAttrs[T] : EventAttrs[T] | undefined;

/**
 * A fact from its type, attributes and references. An empty reference (a provider field that was
 * blank) is left out rather than sent as `''`, so the wire schema refuses the event by name.
 */
export function fact<T extends EventType>(type: T, attrs: AttrsArg<T>, refs: Refs<T>): Fact<T> {
  const out: Record<string, unknown> = { type };
  if (attrs !== undefined) out.attrs = attrs;
  for (const [k, v] of Object.entries(refs)) if (v) out[k] = v;
  return out as Fact<T>;
}

/** A fact with its id and instant: an event as an adapter emits it. */
export type TypedEvent<T extends EventType = EventType> = {
  [K in T]: Fact<K> & { id: string; occurredAt: string; occurredAtSource?: TimeSource };
}[T];

/** `Omit` for each member of a union of events (a plain `Omit` would merge them into one). */
export type Without<E, K extends PropertyKey> = E extends unknown ? Omit<E, K> : never;

/**
 * A typed event as the adapter interface carries it. `WireEvent`, inferred from a union zod cannot
 * type per variant, has no per-type attrs; every adapter event is validated against the wire schema
 * on the way in, so this is the one place the two types meet.
 */
export const event = <T extends EventType>(e: TypedEvent<T>): AdapterEvent => e as unknown as AdapterEvent;

/**
 * The finished event of a fact: its id and instant attached, `occurredAtSource` only when not the
 * provider's; fields left undefined are not carried.
 */
export function finish<T extends EventType>(
  fact: Fact<T>,
  id: string,
  occurredAtMs: number,
  source: TimeSource = 'provider',
): AdapterEvent {
  const e: Record<string, unknown> = { id, occurredAt: new Date(occurredAtMs).toISOString() };
  for (const [k, v] of Object.entries(fact)) if (v !== undefined) e[k] = v;
  if (source !== 'provider') e.occurredAtSource = source;
  return event(e as TypedEvent<T>);
}
