import type { EnsureEntity } from '../../db/history-writer';
import type { QueueJoin } from '../../domain/calls/project';
import type { AgentState } from '../../domain/events/event-types';
import type { AnyEvent } from '../../domain/events/normalized';
import type { OutboxStatus } from '../outbox';

/** What a queue needs of the tenant's settings, sent along with every call. */
export interface QueueSettings {
  timeZone: string;
  staleVisitMinutes: number;
}

/** An agent's current state, fanned out by the TenantDO to each queue the agent serves. */
export interface PresenceUpdate {
  agentId: string;
  state: AgentState;
  reason: string | null;
  since: number;
  eventId: string;
}

/** Every queue an interaction visited and when it first got there; a QueueDO uses it to know which
 * of an agent's queue-less events are its own. */
export interface InteractionTimeline {
  interactionId: string;
  joins: QueueJoin[];
}

export interface QueueIngest {
  tenantId: string;
  queueId: string;
  settings: QueueSettings;
  events: AnyEvent[];
  presence: PresenceUpdate[];
  /** Queues and agents created from unknown provider keys that these events refer to. */
  ensure: EnsureEntity[];
  timelines: InteractionTimeline[];
  /** Re-normalization: an event already seen whose content changed replaces the old one (`revised`). */
  revise?: boolean;
}

export interface QueueIngestResult {
  results: { id: string; status: 'accepted' | 'duplicate' | 'revised' }[];
}

/** The live state of a queue (the real-time issue extends it). */
export interface LiveSnapshot {
  queueId: string;
  asOf: string;
  waiting: number;
  longestWaitMs: number | null;
  oldestWaitingSince: string | null;
  agents: {
    byState: Record<AgentState, number>;
    list: { agentId: string; state: AgentState; reason: string | null; since: string }[];
  };
  today: {
    date: string;
    timeZone: string;
    offered: number;
    answered: number;
    abandoned: number;
    flowedOut: number;
    unknown: number;
  };
  outbox: {
    backlog: number;
    lastFlushAt: string | null;
    lastError: string | null;
    lastErrorCode: string | null;
    failures: number;
    nextAttemptAt: string | null;
    flushedRows: number;
    flushMs: number;
    deadLetters: number;
  };
}

export type { OutboxStatus };
