import { projectInteraction } from '../../domain/calls/project';
import { type AnyEvent, type NormalizedEvent, sameContent } from '../../domain/events/normalized';
import type { Transact, Wakeable } from '../lifecycle';
import type { Outbox } from '../outbox';
import type { EnsureEntity } from '../ports';
import { insertRows } from '../sql-rows';
import type { EntityDirectory } from './entity-directory';
import type { PresenceStore } from './presence-store';
import type { Resolution } from './tenant.routing';
import type { QueueBatch, RouteOutcome } from './tenant.types';

/** A row of `forward` routing wrote: what a queue must not miss even if the request dies. */
export interface Relayed {
  queueId: string;
  id: string;
  body: string;
}

/** Routes and presence events are remembered at least as long as event ids are (docs/ARCHITECTURE.md, Invariants). */
export const RETENTION_MS = 72 * 3600 * 1000;

/**
 * Which queues each interaction visits and from when (`interaction_queues`), its queue-less events
 * (`interaction_events`, parked until it has a queue), and what a queue must not miss even if the
 * request dies (`forward`, relayed by the alarm). `route` is the body of one routing transaction.
 */
export class InteractionRouter {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
    private readonly entities: EntityDirectory,
    private readonly presence: PresenceStore,
  ) {}

  /**
   * Routes resolved events: queue-bearing ones to their queue, a queue-less one to every queue of its
   * interaction (or parked), presence kept and fanned out; one queue batch per QueueDO.
   */
  route(
    events: readonly AnyEvent[],
    resolution: Resolution,
    now: number,
    revise: boolean,
  ): { outcomes: RouteOutcome[]; batches: QueueBatch[]; relayed: Relayed[] } {
    const outcomes: RouteOutcome[] = events.map((_, i) => ({
      status: 'rejected',
      reason: resolution.rejected.get(i) ?? 'unresolved',
    }));
    const batches = new Map<string, QueueBatch>();
    const deliver = (queueId: string) => {
      let d = batches.get(queueId);
      if (!d) {
        d = { queueId, events: [], presence: [], ensure: [], timelines: [], ...(revise ? { revise: true } : {}) };
        batches.set(queueId, d);
      }
      return d;
    };
    for (const c of resolution.created) {
      const base = { id: c.id, name: c.name ?? c.id, archived: false, auto: true, externalKeys: [c.externalKey] };
      if (c.kind === 'queue') this.entities.putQueue(base);
      else this.entities.putAgent({ ...base, queueIds: [] });
      this.outbox.putRecord(c.kind, c.id, 1, c);
    }
    const ensure = (e: AnyEvent): EnsureEntity[] =>
      resolution.created.filter((c) => (c.kind === 'queue' && c.id === e.queueId) || (c.kind === 'agent' && c.id === e.agentId));

    const touchedAgents = new Set<string>();
    const relayed: Relayed[] = [];
    const newQueues: { interactionId: string; queueId: string }[] = [];
    const retimed = new Set<string>();
    // Queue-bearing and presence events first, so a batch's own joins route its queue-less events.
    const order = resolution.events
      .map((e, i) => ({ e, i }))
      .filter((x): x is { e: AnyEvent; i: number } => x.e !== null)
      .sort((a, b) => Number(a.e.queueId === null) - Number(b.e.queueId === null));
    const queueChanges = this.noteQueues(
      order.flatMap(({ e }) => (e.type !== 'agent.state_changed' && e.queueId ? [e] : [])),
      now,
    );
    const push = (queueId: string, e: AnyEvent) => {
      const d = deliver(queueId);
      if (d.events.some((x) => x.id === e.id)) return;
      d.events.push(e);
      for (const x of ensure(e)) if (!d.ensure.some((y) => y.id === x.id)) d.ensure.push(x);
    };
    for (const { e, i } of order) {
      if (e.type === 'agent.state_changed') {
        outcomes[i] = { status: this.presence.record(e as NormalizedEvent<'agent.state_changed'>, now, revise) };
        touchedAgents.add(e.agentId as string);
        continue;
      }
      const interactionId = e.interactionId as string;
      if (e.queueId) {
        // Each (interaction, queue) once, at its first event.
        const key = `${interactionId}|${e.queueId}`;
        const change = queueChanges.get(key);
        queueChanges.delete(key);
        if (change === 'new') newQueues.push({ interactionId, queueId: e.queueId });
        if (change === 'new' || change === 'earlier') retimed.add(interactionId);
        push(e.queueId, e);
        outcomes[i] = { status: 'routed', queueId: e.queueId };
        continue;
      }
      const targets = this.queuesOf(interactionId).map((q) => q.queueId);
      const kept = this.keepQueueLess(e, targets.length === 0, now, revise);
      if (targets.length === 0) {
        outcomes[i] = { status: kept === 'new' ? 'accepted' : kept };
        if (kept !== 'duplicate') this.logParked(e, now, kept === 'revised');
        continue;
      }
      for (const q of targets) push(q, e);
      outcomes[i] = { status: 'routed', queueId: targets[0] as string };
    }
    // A queue new to an interaction gets the events without a queue it already had. Delivered with
    // this batch, and relayed again by the alarm in case this request does not get through.
    const queueLess = this.queueLessEventsOfAll(newQueues.map((n) => n.interactionId));
    for (const { interactionId, queueId } of newQueues) {
      for (const e of queueLess.get(interactionId) ?? []) {
        push(queueId, e);
        relayed.push({ queueId, id: `${queueId}|event|${e.id}`, body: JSON.stringify({ event: e }) });
      }
    }
    // Every queue of an interaction whose queues changed learns the new timeline: it decides which
    // of an agent's queue-less events are its own. A timeline of one queue tells that queue nothing
    // (all the interaction's events are its own): it goes with the batch but is not relayed.
    const queuesOf = this.queuesOfAll([...retimed]);
    for (const interactionId of retimed) {
      const joins = (queuesOf.get(interactionId) ?? []).map((q) => ({ queueId: q.queueId, at: q.firstAt }));
      for (const { queueId } of joins) {
        deliver(queueId).timelines.push({ interactionId, joins });
        if (joins.length > 1)
          relayed.push({
            queueId,
            id: `${queueId}|timeline|${interactionId}`,
            body: JSON.stringify({ timeline: { interactionId, joins } }),
          });
      }
    }
    this.relayAll(relayed, now);
    const lookup = this.entities.lookup();
    for (const agentId of touchedAgents) {
      const p = this.presence.current(agentId);
      if (!p) continue;
      for (const queueId of this.entities.agentQueues(agentId)) {
        const queue = lookup.entity('queue', queueId);
        if (queue && !queue.archived) deliver(queueId).presence.push(p);
      }
    }
    return { outcomes, batches: [...batches.values()], relayed };
  }

  /** Parked queue-less events (waiting for a queue). */
  parkedCount(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM interaction_events WHERE parked = 1').one().n;
  }

  /** When the oldest parked event was received, and the oldest kept one (null: none). */
  oldest(): { parked: number | null; kept: number | null } {
    return this.sql
      .exec<{ parked: number | null; kept: number | null }>(
        `SELECT (SELECT min(received_at) FROM interaction_events WHERE parked = 1) AS parked,
           (SELECT min(received_at) FROM interaction_events) AS kept`,
      )
      .one();
  }

  /** Parked events wait for a queue as long as a visit may stay open; all are kept for later queues 72 h. */
  prune(now: number, staleVisitMinutes: number): void {
    this.sql.exec(
      'UPDATE interaction_events SET parked = 0 WHERE parked = 1 AND received_at <= ?',
      now - staleVisitMinutes * 60_000,
    );
    this.sql.exec('DELETE FROM interaction_events WHERE received_at <= ?', now - RETENTION_MS);
    this.sql.exec('DELETE FROM interaction_queues WHERE touched_at <= ?', now - RETENTION_MS);
  }

  /**
   * Remembers that interactions visit queues, and from when (a batch's earliest event for each), in
   * two statements: for each (interaction, queue), 'new', 'earlier' (a late join) or 'same'.
   */
  private noteQueues(events: readonly AnyEvent[], now: number): Map<string, 'new' | 'earlier' | 'same'> {
    const pairs = new Map<string, [string, string, number]>();
    for (const e of events) {
      const key = `${e.interactionId}|${e.queueId}`;
      const seen = pairs.get(key);
      if (!seen) pairs.set(key, [e.interactionId as string, e.queueId as string, e.occurredAt]);
      else if (e.occurredAt < seen[2]) seen[2] = e.occurredAt;
    }
    const changes = new Map<string, 'new' | 'earlier' | 'same'>();
    if (pairs.size === 0) return changes;
    const list = JSON.stringify([...pairs.values()]);
    const stored = new Map<string, number>();
    for (const r of this.sql.exec<{ interaction_id: string; queue_id: string; first_at: number }>(
      `SELECT q.interaction_id, q.queue_id, q.first_at FROM json_each(?) j JOIN interaction_queues q
         ON q.interaction_id = json_extract(j.value, '$[0]') AND q.queue_id = json_extract(j.value, '$[1]')`,
      list,
    )) {
      stored.set(`${r.interaction_id}|${r.queue_id}`, r.first_at);
    }
    insertRows(
      this.sql,
      'INSERT INTO interaction_queues (interaction_id, queue_id, first_at, touched_at)',
      [...pairs.values()].map(([interactionId, queueId, at]) => [interactionId, queueId, at, now]),
      'ON CONFLICT (interaction_id, queue_id) DO UPDATE SET first_at = min(first_at, excluded.first_at), touched_at = excluded.touched_at',
    );
    for (const [key, [, , at]] of pairs) {
      const first = stored.get(key);
      changes.set(key, first === undefined ? 'new' : at < first ? 'earlier' : 'same');
    }
    return changes;
  }

  /** The queues of these interactions, each's in the order it joined them. */
  private queuesOfAll(interactionIds: readonly string[]): Map<string, { queueId: string; firstAt: number }[]> {
    const out = new Map<string, { queueId: string; firstAt: number }[]>();
    if (interactionIds.length === 0) return out;
    for (const r of this.sql.exec<{ interaction_id: string; queue_id: string; first_at: number }>(
      `SELECT interaction_id, queue_id, first_at FROM interaction_queues
       WHERE interaction_id IN (SELECT value FROM json_each(?)) ORDER BY first_at, queue_id`,
      JSON.stringify(interactionIds),
    )) {
      const list = out.get(r.interaction_id) ?? [];
      list.push({ queueId: r.queue_id, firstAt: r.first_at });
      out.set(r.interaction_id, list);
    }
    return out;
  }

  private queuesOf(interactionId: string): { queueId: string; firstAt: number }[] {
    return this.sql
      .exec<{ queue_id: string; first_at: number }>(
        'SELECT queue_id, first_at FROM interaction_queues WHERE interaction_id = ? ORDER BY first_at, queue_id',
        interactionId,
      )
      .toArray()
      .map((r) => ({ queueId: r.queue_id, firstAt: r.first_at }));
  }

  /** The queue-less events kept for these interactions (no longer parked: they have a queue now), in one statement. */
  private queueLessEventsOfAll(interactionIds: readonly string[]): Map<string, AnyEvent[]> {
    const out = new Map<string, AnyEvent[]>();
    if (interactionIds.length === 0) return out;
    const list = JSON.stringify([...new Set(interactionIds)]);
    for (const r of this.sql.exec<{ interaction_id: string; body: string }>(
      'SELECT interaction_id, body FROM interaction_events WHERE interaction_id IN (SELECT value FROM json_each(?))',
      list,
    )) {
      const e = JSON.parse(r.body) as AnyEvent;
      const events = out.get(r.interaction_id);
      if (events) events.push(e);
      else out.set(r.interaction_id, [e]);
    }
    if (out.size > 0) {
      this.sql.exec(
        'UPDATE interaction_events SET parked = 0 WHERE parked = 1 AND interaction_id IN (SELECT value FROM json_each(?))',
        JSON.stringify([...out.keys()]),
      );
    }
    return out;
  }

  /** Keeps what routing relays (`forward`), in one statement. */
  private relayAll(relayed: readonly Relayed[], now: number): void {
    insertRows(
      this.sql,
      'INSERT OR REPLACE INTO forward (id, queue_id, body, created_at)',
      relayed.map((r) => [r.id, r.queueId, r.body, now]),
    );
  }

  /**
   * Forgets relayed work its queues took with the request's own batches (nothing is left for the
   * alarm to send again), in one statement. A row another request replaced since holds other content
   * and stays.
   */
  delivered(relayed: readonly Relayed[]): void {
    if (relayed.length === 0) return;
    this.sql.exec(
      `DELETE FROM forward WHERE id IN (
         SELECT f.id FROM json_each(?) j JOIN forward f
           ON f.id = json_extract(j.value, '$[0]') AND f.body = json_extract(j.value, '$[1]'))`,
      JSON.stringify(relayed.map((r) => [r.id, r.body])),
    );
  }

  /**
   * Keeps a queue-less event for queues the interaction may visit later: `duplicate` if already kept
   * (unless re-normalization changed its content: `revised`, the new content replaces the old).
   */
  private keepQueueLess(e: AnyEvent, parked: boolean, now: number, revise: boolean): 'new' | 'duplicate' | 'revised' {
    const kept = this.sql
      .exec<{ body: string; parked: number }>('SELECT body, parked FROM interaction_events WHERE id = ?', e.id)
      .toArray()[0];
    if (kept && (!revise || sameContent(JSON.parse(kept.body) as AnyEvent, e))) return 'duplicate';
    if (kept) {
      this.sql.exec(
        'UPDATE interaction_events SET interaction_id = ?, agent_id = ?, occurred_at = ?, body = ? WHERE id = ?',
        e.interactionId,
        e.agentId,
        e.occurredAt,
        JSON.stringify(e),
        e.id,
      );
      return 'revised';
    }
    this.sql.exec(
      'INSERT INTO interaction_events (id, interaction_id, agent_id, occurred_at, received_at, parked, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.id,
      e.interactionId,
      e.agentId,
      e.occurredAt,
      now,
      parked ? 1 : 0,
      JSON.stringify(e),
    );
    return 'new';
  }

  /** A parked event reaches Postgres's event log now, and interactions that never queue get their facts. */
  private logParked(e: AnyEvent, now: number, revised = false): void {
    const interactionId = e.interactionId as string;
    this.outbox.putEvent(e.id, e, now, revised);
    const events = this.sql
      .exec<{ body: string }>('SELECT body FROM interaction_events WHERE interaction_id = ?', interactionId)
      .toArray()
      .map((r) => JSON.parse(r.body) as AnyEvent);
    const facts = projectInteraction({ interactionId, queueId: '', events }).interaction;
    const firstEventAt = Math.min(...events.map((x) => x.occurredAt));
    const lastEventAt = Math.max(...events.map((x) => x.occurredAt));
    this.outbox.putRecord('interaction', interactionId, events.length, { ...facts, firstEventAt, lastEventAt });
  }
}

/**
 * Lets parked events go once no visit can be open any more, and forgets routes and presence events
 * past the retention. Wakes at the earlier of the two for the oldest kept event.
 */
export class TenantPruner implements Wakeable {
  constructor(
    private readonly router: InteractionRouter,
    private readonly presence: PresenceStore,
    private readonly staleVisitMinutes: () => number,
    private readonly transact: Transact,
  ) {}

  nextWake(): number | null {
    const { parked, kept } = this.router.oldest();
    const times = [
      parked === null ? null : parked + this.staleVisitMinutes() * 60_000,
      kept === null ? null : kept + RETENTION_MS,
    ];
    const due = times.filter((t): t is number => t !== null);
    return due.length ? Math.min(...due) : null;
  }

  onAlarm(now: number): void {
    this.transact(() => {
      this.router.prune(now, this.staleVisitMinutes());
      this.presence.prune(now - RETENTION_MS);
    });
  }
}
