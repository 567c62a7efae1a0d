import { subscribes } from '../../domain/webhooks/events';
import type { HotWebhookEndpoint } from './webhook-sender.types';

/**
 * The mirror of a tenant's webhook endpoints (Postgres is the source of record: admin changes are written
 * through), with each endpoint's delivery health: since when its deliveries have failed without one getting
 * through. Never opens a transaction itself.
 */
export class EndpointStore {
  constructor(private readonly sql: SqlStorage) {}

  tenantId(): string | null {
    return this.sql.exec<{ tenant_id: string }>('SELECT tenant_id FROM config WHERE id = 1').toArray()[0]?.tenant_id ?? null;
  }

  setTenant(tenantId: string): void {
    const known = this.tenantId();
    if (known !== null && known !== tenantId) throw new Error(`this WebhookSenderDO belongs to ${known}, not ${tenantId}`);
    if (known === null) this.sql.exec('INSERT INTO config (id, tenant_id) VALUES (1, ?)', tenantId);
  }

  get(id: string): HotWebhookEndpoint | null {
    const row = this.sql.exec<{ body: string }>('SELECT body FROM endpoints WHERE id = ?', id).toArray()[0];
    return row ? (JSON.parse(row.body) as HotWebhookEndpoint) : null;
  }

  all(): HotWebhookEndpoint[] {
    return this.sql
      .exec<{ body: string }>('SELECT body FROM endpoints ORDER BY id')
      .toArray()
      .map((r) => JSON.parse(r.body) as HotWebhookEndpoint);
  }

  /** Enabled endpoints subscribed to `type`. */
  subscribers(type: string): HotWebhookEndpoint[] {
    return this.all().filter((e) => e.enabled && subscribes(e.eventTypes, type));
  }

  /**
   * Puts an endpoint as an admin left it. One that comes back enabled after being disabled, or gets a new URL,
   * starts afresh: its failure streak is forgotten and its waiting messages are due now.
   */
  put(endpoint: HotWebhookEndpoint, now: number): void {
    const before = this.get(endpoint.id);
    this.sql.exec(
      `INSERT INTO endpoints (id, body, enabled) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, enabled = excluded.enabled`,
      endpoint.id,
      JSON.stringify(endpoint),
      endpoint.enabled ? 1 : 0,
    );
    if (endpoint.enabled && before && (!before.enabled || before.url !== endpoint.url)) {
      this.sql.exec('UPDATE endpoints SET failing_since = NULL WHERE id = ?', endpoint.id);
      this.sql.exec(
        'UPDATE messages SET next_attempt_at = ? WHERE endpoint_id = ? AND next_attempt_at > ?',
        now,
        endpoint.id,
        now,
      );
    }
  }

  /** Forgets an endpoint and every message waiting for it. */
  remove(id: string): void {
    this.sql.exec('DELETE FROM endpoints WHERE id = ?', id);
    this.sql.exec('DELETE FROM messages WHERE endpoint_id = ?', id);
    this.sql.exec('DELETE FROM payloads WHERE message_id NOT IN (SELECT message_id FROM messages)');
  }

  /** Makes the mirror exactly these endpoints (a resync from Postgres). */
  replaceAll(endpoints: readonly HotWebhookEndpoint[], now: number): void {
    const keep = new Set(endpoints.map((e) => e.id));
    for (const e of this.all()) if (!keep.has(e.id)) this.remove(e.id);
    for (const e of endpoints) this.put(e, now);
  }

  failingSince(id: string): number | null {
    return (
      this.sql.exec<{ f: number | null }>('SELECT failing_since AS f FROM endpoints WHERE id = ?', id).toArray()[0]?.f ?? null
    );
  }

  noteDelivered(id: string): void {
    this.sql.exec('UPDATE endpoints SET failing_since = NULL WHERE id = ?', id);
  }

  noteFailed(id: string, at: number): void {
    this.sql.exec('UPDATE endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?', at, id);
  }

  /** Disables an endpoint (its messages wait until it is enabled again); returns it as it now is. */
  disable(id: string, at: number, reason: string): HotWebhookEndpoint | null {
    const endpoint = this.get(id);
    if (!endpoint) return null;
    const disabled: HotWebhookEndpoint = { ...endpoint, enabled: false, disabledAt: at, disabledReason: reason };
    this.sql.exec('UPDATE endpoints SET body = ?, enabled = 0 WHERE id = ?', JSON.stringify(disabled), id);
    return disabled;
  }
}
