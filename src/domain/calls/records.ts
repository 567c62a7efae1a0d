import type { Direction, QueueOutcome, TimeSource } from '../events/event-types';

/**
 * The facts about one interaction that one Durable Object has seen. Several objects may each know
 * some (a call that visits two queues); Postgres merges them field by field (earliest start, latest
 * end, first non-null), which is order-independent and idempotent.
 */
export interface InteractionFacts {
  id: string;
  direction: Direction | null;
  callerHash: string | null;
  callerMasked: string | null;
  startedAt: number | null;
  endedAt: number | null;
  hangupCause: string | null;
  endedBy: string | null;
  /** `category` only when the disposition gave one (records stored before categories have none). */
  disposition: { resolved: boolean; code: string | null; category?: string; at: number } | null;
  /** `satisfiedScore` and `comment` only when the survey gave them. */
  survey: { score: number; scaleMin: number; scaleMax: number; satisfiedScore?: number; comment?: string; at: number } | null;
  ivr: { selfServed: boolean; at: number } | null;
}

/** One join → leave of one queue: the unit of queue KPIs (a *visit*, docs/ARCHITECTURE.md). */
export interface VisitRecord {
  id: string;
  interactionId: string;
  queueId: string;
  legId: string | null;
  enqueuedAt: number;
  enqueuedAtSource: TimeSource;
  leftAt: number | null;
  /** null while the caller still waits. */
  outcome: QueueOutcome | null;
  /** `event`: a leave/answer event said so; `derived`: inferred (hang-up, transfer); `stale`: closed by the sweeper. */
  closedBy: 'event' | 'derived' | 'stale' | null;
  waitMs: number | null;
  agentId: string | null;
  answeredAt: number | null;
}

/** One agent's handling of one interaction: connect → disconnect, holds, wrap-up. */
export interface SegmentRecord {
  id: string;
  interactionId: string;
  agentId: string;
  queueId: string;
  visitId: string | null;
  connectedAt: number;
  disconnectedAt: number | null;
  talkMs: number | null;
  holdMs: number;
  holdCount: number;
  onHoldSince: number | null;
  wrapupStartedAt: number | null;
  wrapupEndedAt: number | null;
  acwMs: number | null;
  transferred: boolean;
  endedBy: string | null;
}

export interface Projection {
  interaction: InteractionFacts;
  visits: VisitRecord[];
  segments: SegmentRecord[];
}
