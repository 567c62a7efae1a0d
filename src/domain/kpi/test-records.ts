import type { StateInterval } from '../agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import type { QueueOutcome } from '../events/event-types';
import { DEFAULT_SERVICE_LEVEL } from '../settings';
import type { KpiPolicy } from './compute';

/** Records for KPI tests: sensible defaults, everything overridable. */

/** A bucket-aligned instant (Monday 5 January 2026, 09:00 UTC). */
export const T0 = Date.UTC(2026, 0, 5, 9, 0);
export const MIN = 60_000;

let seq = 0;

export function visit(outcome: QueueOutcome | null, waitMs: number | null, over: Partial<VisitRecord> = {}): VisitRecord {
  seq += 1;
  const enqueuedAt = over.enqueuedAt ?? T0;
  const left = outcome === null || waitMs === null ? null : enqueuedAt + waitMs;
  return {
    id: `v${seq}`,
    interactionId: `i${seq}`,
    queueId: 'q1',
    legId: null,
    enqueuedAt,
    enqueuedAtSource: 'provider',
    leftAt: left,
    outcome,
    closedBy: outcome === null ? null : outcome === 'unknown' ? 'stale' : 'event',
    waitMs: outcome === null ? null : waitMs,
    agentId: outcome === 'answered' ? 'a1' : null,
    answeredAt: outcome === 'answered' ? left : null,
    ...over,
  };
}

export function segment(over: Partial<SegmentRecord> = {}): SegmentRecord {
  seq += 1;
  return {
    id: `s${seq}`,
    interactionId: `i${seq}`,
    agentId: 'a1',
    queueId: 'q1',
    visitId: null,
    connectedAt: T0,
    disconnectedAt: T0 + MIN,
    talkMs: MIN,
    holdMs: 0,
    holdCount: 0,
    onHoldSince: null,
    wrapupStartedAt: null,
    wrapupEndedAt: null,
    acwMs: null,
    transferred: false,
    endedBy: 'customer',
    ...over,
  };
}

export function interval(
  state: StateInterval['state'],
  startedAt: number,
  endedAt: number | null,
  over: Partial<StateInterval> = {},
): StateInterval {
  seq += 1;
  return { id: `st${seq}`, agentId: 'a1', state, reason: null, startedAt, endedAt, ...over };
}

export function interaction(id: string, over: Partial<InteractionFacts> = {}): InteractionFacts {
  return {
    id,
    direction: 'inbound',
    callerHash: null,
    callerMasked: null,
    startedAt: null,
    endedAt: null,
    hangupCause: null,
    endedBy: null,
    disposition: null,
    survey: null,
    ivr: null,
    ...over,
  };
}

export const POLICY: KpiPolicy = { ...DEFAULT_SERVICE_LEVEL };

/** A small seeded PRNG (mulberry32): the same seed gives the same run, so a failure can be replayed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [lo, hi]. */
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    bool: (p = 0.5) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}
