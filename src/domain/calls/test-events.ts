import type { EventAttrs, EventType } from '../events/event-types';
import type { AnyEvent } from '../events/normalized';

/** Builds a normalized event for tests: sensible defaults, everything overridable. */
export function ev<T extends EventType>(
  type: T,
  at: number,
  over: Partial<Omit<AnyEvent, 'type' | 'attrs'>> & { attrs?: EventAttrs[T] } = {},
): AnyEvent {
  return {
    id: over.id ?? `${type}@${at}${over.agentId ? `:${over.agentId}` : ''}`,
    type,
    tenantId: 'tnt_test',
    provider: 'generic',
    occurredAt: at,
    occurredAtSource: 'provider',
    receivedAt: at,
    interactionId: 'call-1',
    legId: null,
    queueId: null,
    queueKey: null,
    agentId: null,
    agentKey: null,
    direction: null,
    callerHash: null,
    callerMasked: null,
    attrs: {},
    ...over,
  } as AnyEvent;
}
