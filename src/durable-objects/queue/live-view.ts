import { MAX_LISTED_CALLERS } from '../../contracts/live';
import { AGENT_STATES, type AgentState } from '../../domain/events/event-types';
import { liveMetrics } from '../../domain/kpi/live';
import { estimateWaits } from '../../domain/live/ewt';
import type { OutboxStatus } from '../outbox';
import type { LiveFacts } from './live-kpis';
import type { PresenceMirror } from './presence-mirror';
import type { LiveSnapshot } from './queue.types';
import type { QueueMetaValue } from './queue-meta';
import { DEFAULT_QUEUE_SETTINGS } from './queue-meta';
import type { VisitStore } from './visits';

/**
 * The queue's live state in its wire form (`LiveSnapshotSchema`): waiting callers, agents by state and time in
 * state, today's KPIs in the tenant's time zone and the rolling windows' (the catalog's formulas over the
 * queue's records: `src/domain/kpi/live.ts`), the outbox's health. `stores` is null for a queue that has no
 * storage yet (everything zero).
 */
export function liveSnapshot(
  now: number,
  meta: QueueMetaValue | null,
  stores: { visits: VisitStore; presence: PresenceMirror; outbox: OutboxStatus } | null,
  facts: LiveFacts,
  seq: number,
): LiveSnapshot {
  const settings = meta?.settings ?? DEFAULT_QUEUE_SETTINGS;
  const policy = settings.serviceLevel;
  const today = liveMetrics(facts.today, policy);
  const waiting = stores?.visits.waiting() ?? { n: 0, oldest: null };
  const agents = stores?.presence.list() ?? [];
  const byState = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  for (const a of agents) byState[a.state] += 1;
  const status = stores?.outbox ?? null;
  const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
  const count = (n: number | null) => n ?? 0;
  const windows = facts.windows.map((w) => ({
    minutes: w.minutes as 15 | 30 | 60,
    from: new Date(w.from).toISOString(),
    metrics: liveMetrics(w.facts, policy),
  }));
  const hour = windows.find((w) => w.minutes === 60)?.metrics;
  const halfHour = windows.find((w) => w.minutes === 30)?.metrics;
  const listed = stores?.visits.waitingList(MAX_LISTED_CALLERS) ?? [];
  const ahtMs = hour?.aht.value ?? today.aht.value;
  const est = estimateWaits({
    now,
    waiting: listed.map((c) => ({ id: c.id, enqueuedAt: c.enqueuedAt })),
    waitingCount: waiting.n,
    agents: byState,
    ahtMs,
    arrivalsPerSecond: halfHour?.offered.value == null ? null : halfHour.offered.value / 1800,
  });
  return {
    queueId: meta?.queueId ?? '',
    name: settings.name,
    siteId: settings.siteId,
    asOf: new Date(now).toISOString(),
    seq,
    waiting: waiting.n,
    waitingCallers: listed.map((c, i) => ({
      visitId: c.id,
      interactionId: c.interactionId,
      position: i + 1,
      waitingSince: new Date(c.enqueuedAt).toISOString(),
      waitedMs: Math.max(0, now - c.enqueuedAt),
      ewtMs: est.callers[i]?.ewtMs ?? null,
    })),
    ewt: {
      newCallerMs: est.newCaller.ewtMs,
      method: est.newCaller.method,
      staffedAgents: est.staffedAgents,
      availableAgents: est.availableAgents,
      ahtMs,
      erlangC: est.erlangC,
    },
    longestWaitMs: waiting.oldest === null ? null : Math.max(0, now - waiting.oldest),
    oldestWaitingSince: iso(waiting.oldest),
    agents: {
      byState,
      list: agents.map((a) => ({
        agentId: a.agent_id,
        state: a.state,
        reason: a.reason,
        since: new Date(a.since).toISOString(),
        timeInStateMs: Math.max(0, now - a.since),
      })),
    },
    today: {
      date: facts.date,
      timeZone: settings.timeZone,
      dayStart: new Date(facts.dayStart).toISOString(),
      offered: count(today.offered.value),
      answered: count(today.answered.value),
      abandoned: count(today.abandoned.value),
      flowedOut: count(today.flowedOut.value),
      unknown: count(today.unknown.value),
      metrics: today,
    },
    windows,
    serviceLevelPolicy: {
      thresholdSeconds: policy.thresholdSeconds,
      targetPercent: policy.targetPercent,
      shortAbandonSeconds: policy.shortAbandonSeconds,
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
