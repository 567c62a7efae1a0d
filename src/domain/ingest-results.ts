/**
 * The per-event answer of an ingest request, put together from what was decided before routing
 * (an invalid or future event, a repeated id) and what routing and the queues decided. The Worker
 * (`ingestEvents`) and the TenantDO (for the delivery log, in the same round trip) both use it.
 */
import type { DeliveryRecord } from './deliveries';
import { deliveryOutcome } from './deliveries';

/** `revised` only when re-normalizing: an event seen before whose content changed. */
export type EventStatus = 'accepted' | 'duplicate' | 'rejected' | 'revised';

export interface EventResult {
  id: string;
  status: EventStatus;
  reason?: string;
}

/**
 * One position of the answer: already decided, the result of routed event `routed`, or a repeat of
 * the event at position `sameAs` (a duplicate of what it did, or its rejection).
 */
export type ResultSlot = { result: EventResult } | { id: string; routed: number } | { id: string; sameAs: number };

export function fillSlots(slots: readonly ResultSlot[], routed: readonly EventResult[]): EventResult[] {
  const out: EventResult[] = slots.map((s) => {
    if ('result' in s) return s.result;
    if ('routed' in s) return routed[s.routed] ?? { id: s.id, status: 'rejected', reason: 'unresolved' };
    return { id: s.id, status: 'rejected' };
  });
  slots.forEach((s, i) => {
    if (!('sameAs' in s)) return;
    const first = out[s.sameAs] as EventResult;
    out[i] = first.status === 'rejected' ? { ...first, id: s.id } : { id: s.id, status: 'duplicate' };
  });
  return out;
}

export interface ResultCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export function countResults(results: readonly EventResult[]): ResultCounts {
  const count = (s: EventStatus) => results.filter((r) => r.status === s).length;
  return { accepted: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected') };
}

/** A delivery's log record completed with what its events became (outcome, counts, first rejection). */
export function completeDelivery(
  draft: Omit<DeliveryRecord, 'retentionDays'>,
  results: readonly EventResult[],
): Omit<DeliveryRecord, 'retentionDays'> {
  const counts = countResults(results);
  return {
    ...draft,
    outcome: deliveryOutcome(draft.httpStatus, { rejected: counts.rejected, events: draft.events }),
    reason: draft.reason ?? results.find((r) => r.status === 'rejected')?.reason ?? null,
    ...counts,
  };
}
