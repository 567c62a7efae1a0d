import type { AgentState } from '../../domain/events/event-types';
import type { PresenceUpdate } from './queue.types';

/** The agents' current states as the TenantDO fans them out to this queue (`presence`). */
export class PresenceMirror {
  constructor(private readonly sql: SqlStorage) {}

  /** Last writer by time wins: a late, older state change never overwrites a newer one. */
  apply(p: PresenceUpdate): void {
    this.sql.exec(
      `INSERT INTO presence (agent_id, state, reason, since, event_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since,
         event_id = excluded.event_id
       WHERE excluded.since > presence.since OR (excluded.since = presence.since AND excluded.event_id > presence.event_id)`,
      p.agentId,
      p.state,
      p.reason,
      p.since,
      p.eventId,
    );
  }

  list(): { agent_id: string; state: AgentState; reason: string | null; since: number }[] {
    return this.sql
      .exec<{ agent_id: string; state: AgentState; reason: string | null; since: number }>(
        'SELECT agent_id, state, reason, since FROM presence ORDER BY agent_id',
      )
      .toArray();
  }
}
