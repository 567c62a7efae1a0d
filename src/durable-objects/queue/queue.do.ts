import type { EnsureEntity } from '../../db/history-writer';
import { projectInteraction } from '../../domain/calls/project';
import type { Projection } from '../../domain/calls/records';
import { AGENT_STATES, type AgentState, FLOW_OUT_OUTCOMES } from '../../domain/events/event-types';
import { type AnyEvent, sameContent } from '../../domain/events/normalized';
import { startOfLocalDay } from '../../domain/time/zones';
import type { Env } from '../../env';
import { createLogger, errorFields } from '../../lib/log';
import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL, type OutboxBatch, type RecordKind } from '../outbox';
import { SqlDurableObject } from '../sql-object';
import type { LiveSnapshot, PresenceUpdate, QueueIngest, QueueIngestResult, QueueSettings } from './queue.types';

/** A flush waits this long after the first change, so a burst of events goes to Postgres together. */
export const FLUSH_DELAY_MS = 1000;
/** Events (and so the memory of which ids were seen) are kept at least this long (docs/ARCHITECTURE.md, Invariants). */
export const SEEN_RETENTION_MS = 72 * 3600 * 1000;

const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE events (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX events_interaction ON events (interaction_id);
   CREATE TABLE interactions (
     id TEXT PRIMARY KEY,
     first_event_at INTEGER NOT NULL,
     last_event_at INTEGER NOT NULL,
     last_received_at INTEGER NOT NULL,
     stale_since INTEGER,
     active INTEGER NOT NULL
   );
   CREATE INDEX interactions_active ON interactions (active, last_received_at);
   CREATE TABLE records (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     interaction_id TEXT NOT NULL,
     body TEXT NOT NULL,
     version INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX records_interaction ON records (interaction_id);
   CREATE TABLE visits (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     enqueued_at INTEGER NOT NULL,
     outcome TEXT,
     open INTEGER NOT NULL
   );
   CREATE INDEX visits_enqueued ON visits (enqueued_at);
   CREATE INDEX visits_open ON visits (open, enqueued_at);
   CREATE INDEX visits_interaction ON visits (interaction_id);
   CREATE TABLE presence (agent_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL, event_id TEXT NOT NULL);
   CREATE TABLE entities (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));
   CREATE TABLE timelines (interaction_id TEXT PRIMARY KEY, body TEXT NOT NULL);
   ${OUTBOX_DDL}`,
  OUTBOX_DEAD_LETTERS_DDL,
];

type RecordRow = { kind: RecordKind; id: string; body: string; version: number };

/**
 * One per (tenant, queue), named `${tenantId}:${queueId}`. Each batch is one storage transaction:
 * drop event ids already seen, keep the event, project the interaction's records again from all
 * its events (an order-independent merge), bump the version of what changed, append it to the
 * outbox. Live counters are derived from the records, never incremented. An alarm drains the outbox
 * to Postgres (with backoff while Postgres is down), closes stale visits and prunes old events.
 */
export class QueueDO extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, MIGRATIONS);
  }

  /** Takes a batch of events (and agent presence) for this queue; durable when it returns. */
  async ingest(input: QueueIngest): Promise<QueueIngestResult> {
    this.ensureSchema();
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => {
      this.writeMeta(input.tenantId, input.queueId, input.settings);
      for (const e of input.ensure) {
        this.sql.exec('INSERT OR REPLACE INTO entities (kind, id, body) VALUES (?, ?, ?)', e.kind, e.id, JSON.stringify(e));
      }
      const results: QueueIngestResult['results'] = [];
      const touched = new Set<string>();
      const retimed = new Set<string>();
      for (const e of input.events) {
        const interactionId = e.interactionId;
        if (!interactionId) continue;
        const seen = this.sql.exec<{ body: string }>('SELECT body FROM events WHERE id = ?', e.id).toArray()[0];
        if (seen && (!input.revise || sameContent(JSON.parse(seen.body) as AnyEvent, e))) {
          results.push({ id: e.id, status: 'duplicate' });
          continue;
        }
        if (seen) {
          // A re-normalized delivery says something else about this event: the new content wins.
          this.sql.exec(
            'UPDATE events SET interaction_id = ?, occurred_at = ?, body = ? WHERE id = ?',
            interactionId,
            e.occurredAt,
            JSON.stringify(e),
            e.id,
          );
          this.outbox.putEvent(e.id, e, now, true);
          touched.add(interactionId);
          const before = (JSON.parse(seen.body) as AnyEvent).interactionId;
          if (before && before !== interactionId) touched.add(before);
          results.push({ id: e.id, status: 'revised' });
          continue;
        }
        this.sql.exec(
          'INSERT INTO events (id, interaction_id, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?)',
          e.id,
          interactionId,
          e.occurredAt,
          now,
          JSON.stringify(e),
        );
        this.outbox.putEvent(e.id, e, now);
        touched.add(interactionId);
        results.push({ id: e.id, status: 'accepted' });
      }
      for (const tl of input.timelines) {
        const body = JSON.stringify(tl.joins);
        const prev = this.sql
          .exec<{ body: string }>('SELECT body FROM timelines WHERE interaction_id = ?', tl.interactionId)
          .toArray()[0];
        if (prev?.body === body) continue;
        this.sql.exec('INSERT OR REPLACE INTO timelines (interaction_id, body) VALUES (?, ?)', tl.interactionId, body);
        retimed.add(tl.interactionId);
      }
      for (const id of touched) this.reproject(input.queueId, id, now, { clearStale: true });
      for (const id of retimed) if (!touched.has(id)) this.reproject(input.queueId, id, now, { clearStale: false });
      for (const p of input.presence) this.applyPresence(p);
      return { results };
    });
    await this.scheduleFlush(now);
    return result;
  }

  /** The queue's live state: waiting callers, agents by state, today's counters, outbox health. */
  live(): LiveSnapshot {
    const now = Date.now();
    const meta = this.ready ? this.readMeta() : null;
    const timeZone = meta?.settings.timeZone ?? 'UTC';
    const { start, date } = startOfLocalDay(now, timeZone);
    const flowOut = FLOW_OUT_OUTCOMES.map((o) => `'${o}'`).join(',');
    const counts = this.ready
      ? this.sql
          .exec<{ offered: number; answered: number; abandoned: number; flowed: number; unknown: number }>(
            `SELECT count(*) AS offered,
               coalesce(sum(outcome = 'answered'), 0) AS answered,
               coalesce(sum(outcome = 'abandoned'), 0) AS abandoned,
               coalesce(sum(outcome IN (${flowOut})), 0) AS flowed,
               coalesce(sum(outcome = 'unknown'), 0) AS unknown
             FROM visits WHERE enqueued_at >= ?`,
            start,
          )
          .one()
      : { offered: 0, answered: 0, abandoned: 0, flowed: 0, unknown: 0 };
    const waiting = this.ready
      ? this.sql
          .exec<{ n: number; oldest: number | null }>(
            'SELECT count(*) AS n, min(enqueued_at) AS oldest FROM visits WHERE open = 1',
          )
          .one()
      : { n: 0, oldest: null };
    const agents = this.ready
      ? this.sql
          .exec<{ agent_id: string; state: AgentState; reason: string | null; since: number }>(
            'SELECT agent_id, state, reason, since FROM presence ORDER BY agent_id',
          )
          .toArray()
      : [];
    const byState = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
    for (const a of agents) byState[a.state] += 1;
    const status = this.ready ? this.outbox.status() : null;
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

  /** Outbox backlog for /health. */
  backlog(): number {
    return this.ready ? this.outbox.status().backlog : 0;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const meta = this.readMeta();
    const log = createLogger({ tenantId: meta?.tenantId, queueId: meta?.queueId, do: 'QueueDO' }, this.env.LOG_LEVEL);
    try {
      if (meta) {
        this.sweepStale(meta.queueId, meta.settings, now);
        await this.flushOutbox(meta.tenantId, now, log, (batch) => this.ensureList(batch));
        this.prune(now);
      }
    } catch (err) {
      log.error('queue alarm failed', errorFields(err));
    } finally {
      // Re-arm whatever happened: once the runtime's own retries run out an alarm would be dropped.
      await this.scheduleNext(Date.now());
    }
  }

  /**
   * Entities a flushed batch must make sure exist: every queue and agent its records name (only its
   * own, so a row Postgres refuses is set aside alone, not with every batch that names the queue).
   */
  private ensureList(batch: OutboxBatch): EnsureEntity[] {
    const known = new Map<string, EnsureEntity>();
    for (const row of this.sql.exec<{ body: string }>('SELECT body FROM entities').toArray()) {
      const e = JSON.parse(row.body) as EnsureEntity;
      known.set(`${e.kind}:${e.id}`, e);
    }
    const ids = batch.records
      .filter((r) => (r.kind === 'visit' || r.kind === 'segment') && r.body !== null)
      .map((r) => {
        const body = r.body as { queueId?: string | null; agentId?: string | null };
        return { qid: body.queueId ?? null, aid: body.agentId ?? null };
      });
    const out = new Map<string, EnsureEntity>();
    const add = (kind: 'queue' | 'agent', id: string | null) => {
      if (!id) return;
      const key = `${kind}:${id}`;
      out.set(key, known.get(key) ?? { kind, id, name: null, externalKey: null });
    };
    for (const r of ids) {
      add('queue', r.qid);
      add('agent', r.aid);
    }
    return [...out.values()];
  }

  /** Projects an interaction again and records what changed (new version, outbox). */
  private reproject(queueId: string, interactionId: string, now: number, opts: { clearStale: boolean }): void {
    const events = this.sql
      .exec<{ body: string }>('SELECT body FROM events WHERE interaction_id = ?', interactionId)
      .toArray()
      .map((r) => JSON.parse(r.body) as AnyEvent);
    if (events.length === 0) return;
    const state = this.sql
      .exec<{ stale_since: number | null }>('SELECT stale_since FROM interactions WHERE id = ?', interactionId)
      .toArray()[0];
    const staleSince = opts.clearStale ? null : (state?.stale_since ?? null);
    const timeline = this.sql
      .exec<{ body: string }>('SELECT body FROM timelines WHERE interaction_id = ?', interactionId)
      .toArray()[0];
    const p = projectInteraction({
      interactionId,
      queueId,
      events,
      staleSince,
      timeline: timeline ? JSON.parse(timeline.body) : [],
    });
    const firstEventAt = Math.min(...events.map((e) => e.occurredAt));
    const lastEventAt = Math.max(...events.map((e) => e.occurredAt));
    this.saveRecords(interactionId, p, firstEventAt, lastEventAt);
    const active = p.visits.some((v) => v.outcome === null) || p.segments.some((s) => s.disconnectedAt === null);
    this.sql.exec(
      `INSERT INTO interactions (id, first_event_at, last_event_at, last_received_at, stale_since, active) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET first_event_at = excluded.first_event_at, last_event_at = excluded.last_event_at,
         last_received_at = CASE WHEN ? THEN excluded.last_received_at ELSE interactions.last_received_at END,
         stale_since = excluded.stale_since, active = excluded.active`,
      interactionId,
      firstEventAt,
      lastEventAt,
      now,
      staleSince,
      active ? 1 : 0,
      opts.clearStale ? 1 : 0,
    );
    this.sql.exec('DELETE FROM visits WHERE interaction_id = ?', interactionId);
    for (const v of p.visits) {
      this.sql.exec(
        'INSERT INTO visits (id, interaction_id, enqueued_at, outcome, open) VALUES (?, ?, ?, ?, ?)',
        v.id,
        interactionId,
        v.enqueuedAt,
        v.outcome,
        v.outcome === null ? 1 : 0,
      );
    }
  }

  private saveRecords(interactionId: string, p: Projection, firstEventAt: number, lastEventAt: number): void {
    const current = new Map(
      this.sql
        .exec<RecordRow>('SELECT kind, id, body, version FROM records WHERE interaction_id = ?', interactionId)
        .toArray()
        .map((r) => [`${r.kind}:${r.id}`, r]),
    );
    const next: { kind: RecordKind; id: string; body: unknown }[] = [
      { kind: 'interaction', id: interactionId, body: { ...p.interaction, firstEventAt, lastEventAt } },
      ...p.visits.map((v) => ({ kind: 'visit' as const, id: v.id, body: v })),
      ...p.segments.map((s) => ({ kind: 'segment' as const, id: s.id, body: s })),
    ];
    for (const r of next) {
      const body = JSON.stringify(r.body);
      const prev = current.get(`${r.kind}:${r.id}`);
      current.delete(`${r.kind}:${r.id}`);
      if (prev?.body === body) continue;
      const version = (prev?.version ?? 0) + 1;
      this.sql.exec(
        `INSERT INTO records (kind, id, interaction_id, body, version) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, version = excluded.version`,
        r.kind,
        r.id,
        interactionId,
        body,
        version,
      );
      this.outbox.putRecord(r.kind, r.id, version, r.body);
    }
    // Records the projection no longer produces are removed downstream too.
    for (const gone of current.values()) {
      this.sql.exec('DELETE FROM records WHERE kind = ? AND id = ?', gone.kind, gone.id);
      this.outbox.putRecord(gone.kind, gone.id, gone.version + 1, null);
    }
  }

  /** Last writer by time wins: a late, older state change never overwrites a newer one. */
  private applyPresence(p: PresenceUpdate): void {
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

  /**
   * Closes visits of interactions silent for the tenant's stale-visit minutes: their open visits
   * get outcome `unknown`. A later real event clears the mark and projects again.
   */
  private sweepStale(queueId: string, settings: QueueSettings, now: number): void {
    const cutoff = now - settings.staleVisitMinutes * 60_000;
    const stale = this.sql
      .exec<{ id: string }>(
        'SELECT id FROM interactions WHERE active = 1 AND stale_since IS NULL AND last_received_at <= ?',
        cutoff,
      )
      .toArray();
    if (stale.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const { id } of stale) {
        this.sql.exec('UPDATE interactions SET stale_since = ? WHERE id = ?', now, id);
        this.reproject(queueId, id, now, { clearStale: false });
      }
    });
  }

  /** Forgets interactions quiet for longer than the seen-id retention (they are in Postgres). */
  private prune(now: number): void {
    if (this.outbox.status().backlog > 0) return;
    const old = this.sql
      .exec<{ id: string }>('SELECT id FROM interactions WHERE last_received_at <= ? LIMIT 500', now - SEEN_RETENTION_MS)
      .toArray();
    if (old.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const { id } of old) {
        this.sql.exec('DELETE FROM events WHERE interaction_id = ?', id);
        this.sql.exec('DELETE FROM records WHERE interaction_id = ?', id);
        this.sql.exec('DELETE FROM visits WHERE interaction_id = ?', id);
        this.sql.exec('DELETE FROM interactions WHERE id = ?', id);
        this.sql.exec('DELETE FROM timelines WHERE interaction_id = ?', id);
      }
    });
  }

  /**
   * Makes sure an alarm comes within the flush delay. An alarm in the past is one being handled right
   * now, which may already have looked at the outbox: it does not count.
   */
  private async scheduleFlush(now: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const target = now + FLUSH_DELAY_MS;
    if (current === null || current <= Date.now() || current > target) await this.ctx.storage.setAlarm(target);
  }

  /** The next thing to do: flush (or retry) pending work, sweep the next visit that may go stale, prune. */
  private async scheduleNext(now: number): Promise<void> {
    const meta = this.readMeta();
    if (!meta) return;
    const status = this.outbox.status();
    const candidates: number[] = [];
    if (status.backlog > 0) candidates.push(status.nextAttemptAt ?? now + FLUSH_DELAY_MS);
    const active = this.sql
      .exec<{ t: number | null }>('SELECT min(last_received_at) AS t FROM interactions WHERE active = 1 AND stale_since IS NULL')
      .one();
    if (active.t !== null) candidates.push(active.t + meta.settings.staleVisitMinutes * 60_000);
    const oldest = this.sql.exec<{ t: number | null }>('SELECT min(last_received_at) AS t FROM interactions').one();
    if (oldest.t !== null) candidates.push(oldest.t + SEEN_RETENTION_MS);
    if (candidates.length === 0) return;
    await this.ctx.storage.setAlarm(Math.max(now + 100, Math.min(...candidates)));
  }

  private writeMeta(tenantId: string, queueId: string, settings: QueueSettings): void {
    const value = JSON.stringify({ tenantId, queueId, settings });
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      'meta',
      value,
    );
  }

  private readMeta(): { tenantId: string; queueId: string; settings: QueueSettings } | null {
    if (!this.ready) return null;
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'meta'").toArray()[0];
    return row ? JSON.parse(row.value) : null;
  }
}
