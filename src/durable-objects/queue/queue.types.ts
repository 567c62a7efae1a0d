import type { z } from 'zod';
import type { LiveSnapshotSchema } from '../../contracts/live';
import type { QueueJoin } from '../../domain/calls/project';
import type { AgentState } from '../../domain/events/event-types';
import type { AnyEvent } from '../../domain/events/normalized';
import type { ServiceLevelPolicy } from '../../domain/settings';
import type { OutboxStatus } from '../outbox';
import type { EnsureEntity } from '../ports';
import type { QueueDelivery } from '../tenant/tenant.types';

/** What a queue needs of the tenant's settings, sent when they change (`QueueDO.configure`). */
export interface QueueSettings {
  timeZone: string;
  staleVisitMinutes: number;
  /** The policy its live KPIs apply: the tenant's, with the queue's overrides on top. */
  serviceLevel: ServiceLevelPolicy;
  /** The queue's name and site, for the live view and its totals by site. */
  name: string | null;
  siteId: string | null;
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

/** Names a queue's Durable Object and gives it the tenant's settings. */
export interface QueueConfiguration {
  tenantId: string;
  queueId: string;
  settings: QueueSettings;
}

/** One batch routed to a queue: what one ingest request (or one relay) gave it. */
export interface QueueIngestBatch {
  events: AnyEvent[];
  presence: PresenceUpdate[];
  /** Queues and agents created from unknown provider keys that these events refer to. */
  ensure: EnsureEntity[];
  timelines: InteractionTimeline[];
  /** A webhook delivery to log with this batch (see `QueueBatch.delivery`). */
  delivery?: QueueDelivery;
}

/**
 * Batches for one queue, in the order they were routed, taken in one storage transaction as if they
 * were one (`QueueLink` sends together what waited while the queue's previous call was in flight).
 */
export interface QueueIngestMany {
  tenantId: string;
  queueId: string;
  /** Only when the queue may not have the current settings yet (see `QueueDO.configure`); else it keeps its own. */
  settings?: QueueSettings;
  /** Re-normalization: an event already seen whose content changed replaces the old one (`revised`). */
  revise?: boolean;
  batches: QueueIngestBatch[];
}

export interface QueueIngestResult {
  results: { id: string; status: 'accepted' | 'duplicate' | 'revised' }[];
}

/** The live state of a queue, as the API answers it (`LiveSnapshotSchema` is the one source). */
export type LiveSnapshot = z.infer<typeof LiveSnapshotSchema>;

export type { OutboxStatus };
