import type { Alert } from '../../contracts/alerts';
import type { Logger } from '../../lib/log';
import { errorFields } from '../../lib/log';
import type { Wakeable } from '../lifecycle';
import type { WebhookEvent } from '../webhooks/webhook-sender.client';
import type { AlertEvent } from './alert-book';

/** A relay that failed waits this long, doubling, at most `MAX_RETRY_MS`. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

/**
 * Alert events on their way to the tenant's outgoing webhooks (`publishWebhookEvent`, docs/webhooks-out.md):
 * written in the same storage transaction as the alert's new status (`hook_pending`), handed to the webhook
 * sender at once and, if that fails, by the alarm with backoff — at least once; the sender drops an event id
 * it already took. The event id is the alert's id and status, so each status goes out once.
 */
export class WebhookRelay implements Wakeable {
  constructor(
    private readonly sql: SqlStorage,
    private readonly publish: (event: WebhookEvent) => Promise<unknown>,
  ) {}

  /** Inside the transaction that changed the alerts. */
  put(events: readonly AlertEvent[], now: number): void {
    for (const e of events) {
      const event: WebhookEvent = {
        type: e.type,
        id: `${e.alert.id}:${e.alert.status}`,
        occurredAt: occurredAt(e.alert, now),
        data: e.alert,
      };
      this.sql.exec(
        'INSERT OR IGNORE INTO hook_pending (id, body, attempts, next_at) VALUES (?, ?, 0, ?)',
        event.id,
        JSON.stringify(event),
        now,
      );
    }
  }

  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM hook_pending').one().n;
  }

  nextWake(now: number): number | null {
    const t = this.sql.exec<{ t: number | null }>('SELECT min(next_at) AS t FROM hook_pending').one().t;
    return t === null ? null : Math.max(now, t);
  }

  async onAlarm(now: number, log: Logger): Promise<void> {
    await this.send(now, log);
  }

  /** Hands every due event to the webhook sender; a failed one waits its backoff. */
  async send(now: number, log: Logger | null): Promise<void> {
    const due = this.sql
      .exec<{ id: string; body: string; attempts: number }>(
        'SELECT id, body, attempts FROM hook_pending WHERE next_at <= ? ORDER BY next_at LIMIT 100',
        now,
      )
      .toArray();
    for (const row of due) {
      try {
        await this.publish(JSON.parse(row.body) as WebhookEvent);
        this.sql.exec('DELETE FROM hook_pending WHERE id = ?', row.id);
      } catch (err) {
        const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** row.attempts);
        this.sql.exec('UPDATE hook_pending SET attempts = attempts + 1, next_at = ? WHERE id = ?', now + wait, row.id);
        log?.warn('alert not handed to the webhook sender yet; retried', { id: row.id, ...errorFields(err) });
      }
    }
  }
}

/** When the event happened: the status's own instant. */
function occurredAt(a: Alert, now: number): number {
  const at = a.status === 'resolved' ? a.resolvedAt : a.status === 'acknowledged' ? a.acknowledgedAt : a.triggeredAt;
  return at ? Date.parse(at) : now;
}

export const WEBHOOK_RELAY_DDL = `CREATE TABLE hook_pending (id TEXT PRIMARY KEY, body TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL);
  CREATE INDEX hook_pending_next ON hook_pending (next_at);`;
