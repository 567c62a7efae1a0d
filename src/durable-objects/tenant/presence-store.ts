import { projectPresence } from '../../domain/agents/presence';
import { type AnyEvent, type NormalizedEvent, sameContent } from '../../domain/events/normalized';
import type { Outbox } from '../outbox';
import type { PresenceUpdate } from '../queue/queue.types';

type StateEvent = NormalizedEvent<'agent.state_changed'>;

/**
 * Agent presence: each agent's state changes (`agent_events`), its state intervals projected from
 * them (`intervals`, into the outbox) and its current state (`presence`, fanned out to its queues).
 */
export class PresenceStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
  ) {}

  /** Keeps a presence event, projects the agent's intervals again, records what changed. */
  record(e: StateEvent, now: number, revise: boolean): 'accepted' | 'duplicate' | 'revised' {
    const agentId = e.agentId as string;
    const kept = this.sql.exec<{ body: string }>('SELECT body FROM agent_events WHERE id = ?', e.id).toArray()[0];
    if (kept && (!revise || sameContent(JSON.parse(kept.body) as AnyEvent, e))) return 'duplicate';
    this.sql.exec(
      'INSERT OR REPLACE INTO agent_events (id, agent_id, received_at, body) VALUES (?, ?, ?, ?)',
      e.id,
      agentId,
      now,
      JSON.stringify(e),
    );
    this.outbox.putEvent(e.id, e, now, kept !== undefined);
    const events = this.sql
      .exec<{ body: string }>('SELECT body FROM agent_events WHERE agent_id = ?', agentId)
      .toArray()
      .map((r) => JSON.parse(r.body) as StateEvent);
    const current = new Map(
      this.sql
        .exec<{ id: string; body: string; version: number }>(
          'SELECT id, body, version FROM intervals WHERE agent_id = ?',
          agentId,
        )
        .toArray()
        .map((r) => [r.id, r]),
    );
    const intervals = projectPresence(agentId, events);
    for (const interval of intervals) {
      const body = JSON.stringify(interval);
      const prev = current.get(interval.id);
      if (prev?.body === body) continue;
      const version = (prev?.version ?? 0) + 1;
      this.sql.exec(
        'INSERT INTO intervals (id, agent_id, body, version) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = excluded.version',
        interval.id,
        agentId,
        body,
        version,
      );
      this.outbox.putRecord('interval', interval.id, version, interval);
    }
    const last = intervals.at(-1);
    if (last) {
      const lastEvent = events.find((x) => `${agentId}|${x.id}` === last.id);
      this.sql.exec(
        `INSERT INTO presence (agent_id, state, reason, since, event_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since, event_id = excluded.event_id`,
        agentId,
        last.state,
        last.reason,
        last.startedAt,
        lastEvent?.id ?? last.id,
      );
    }
    return kept ? 'revised' : 'accepted';
  }

  current(agentId: string): PresenceUpdate | null {
    const row = this.sql
      .exec<{ state: PresenceUpdate['state']; reason: string | null; since: number; event_id: string }>(
        'SELECT state, reason, since, event_id FROM presence WHERE agent_id = ?',
        agentId,
      )
      .toArray()[0];
    return row ? { agentId, state: row.state, reason: row.reason, since: row.since, eventId: row.event_id } : null;
  }

  /** Forgets state changes older than `cutoff`, except each agent's latest (its open interval can still be ended). */
  prune(cutoff: number): void {
    this.sql.exec('DELETE FROM agent_events WHERE received_at <= ? AND id NOT IN (SELECT event_id FROM presence)', cutoff);
  }
}
