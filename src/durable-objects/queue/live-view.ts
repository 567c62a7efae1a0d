import { AGENT_STATES, type AgentState } from '../../domain/events/event-types';
import { startOfLocalDay } from '../../domain/time/zones';
import type { OutboxStatus } from '../outbox';
import type { PresenceMirror } from './presence-mirror';
import type { LiveSnapshot } from './queue.types';
import type { QueueMetaValue } from './queue-meta';
import type { VisitStore } from './visits';

/**
 * The queue's live state in its wire form (`LiveSnapshotSchema`): waiting callers, agents by state,
 * today's counters in the tenant's time zone (derived from the visits), the outbox's health.
 * `stores` is null for a queue that has no storage yet (everything zero).
 */
export function liveSnapshot(
  now: number,
  meta: QueueMetaValue | null,
  stores: { visits: VisitStore; presence: PresenceMirror; outbox: OutboxStatus } | null,
): LiveSnapshot {
  const timeZone = meta?.settings.timeZone ?? 'UTC';
  const { start, date } = startOfLocalDay(now, timeZone);
  const counts = stores?.visits.countsSince(start) ?? { offered: 0, answered: 0, abandoned: 0, flowed: 0, unknown: 0 };
  const waiting = stores?.visits.waiting() ?? { n: 0, oldest: null };
  const agents = stores?.presence.list() ?? [];
  const byState = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  for (const a of agents) byState[a.state] += 1;
  const status = stores?.outbox ?? null;
  const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
  return {
    queueId: meta?.queueId ?? '',
    asOf: new Date(now).toISOString(),
    waiting: waiting.n,
    longestWaitMs: waiting.oldest === null ? null : Math.max(0, now - waiting.oldest),
    oldestWaitingSince: iso(waiting.oldest),
    agents: {
      byState,
      list: agents.map((a) => ({
        agentId: a.agent_id,
        state: a.state,
        reason: a.reason,
        since: new Date(a.since).toISOString(),
      })),
    },
    today: {
      date,
      timeZone,
      offered: counts.offered,
      answered: counts.answered,
      abandoned: counts.abandoned,
      flowedOut: counts.flowed,
      unknown: counts.unknown,
    },
    outbox: {
      flushedRows: status?.flushedRows ?? 0,
      flushMs: status?.flushMs ?? 0,
      backlog: status?.backlog ?? 0,
      lastFlushAt: iso(status?.lastFlushAt),
      lastError: status?.lastError ?? null,
      lastErrorCode: status?.lastErrorCode ?? null,
      failures: status?.failures ?? 0,
      nextAttemptAt: iso(status?.nextAttemptAt),
      deadLetters: status?.deadLetters ?? 0,
    },
  };
}
