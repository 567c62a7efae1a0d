import type { OutboxBatch } from '../outbox';
import type { EnsureEntity } from '../ports';
import type { EntityLookup } from './tenant.routing';
import type { HotAgent, HotQueue } from './tenant.types';

type Kind = 'queue' | 'agent';

/**
 * The tenant's queues and agents (`entities`) and their provider keys (`entity_keys`): what
 * reference resolution reads (`lookup`), and what auto-create writes.
 */
export class EntityDirectory {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Reads for one resolution, each answer remembered for the rest of it (a batch names the same few
   * queues and agents over and over); take a new one after writing entities.
   */
  lookup(): EntityLookup {
    const memo = new Map<string, unknown>();
    const once = <T>(key: string, read: () => T): T => {
      if (memo.has(key)) return memo.get(key) as T;
      const value = read();
      memo.set(key, value);
      return value;
    };
    return {
      entity: (kind, id) =>
        once(`e|${kind}|${id}`, () => {
          const row = this.sql
            .exec<{ archived: number }>('SELECT archived FROM entities WHERE kind = ? AND id = ?', kind, id)
            .toArray()[0];
          return row ? { archived: row.archived === 1 } : null;
        }),
      byKey: (kind, provider, key) =>
        once(
          `k|${kind}|${provider}|${key}`,
          () =>
            this.sql
              .exec<{ entity_id: string }>(
                'SELECT entity_id FROM entity_keys WHERE kind = ? AND provider = ? AND key = ?',
                kind,
                provider,
                key,
              )
              .toArray()[0]?.entity_id ?? null,
        ),
      byAnyKey: (kind, key) =>
        once(`a|${kind}|${key}`, () => {
          const rows = this.sql
            .exec<{ entity_id: string }>(
              'SELECT DISTINCT entity_id FROM entity_keys WHERE kind = ? AND key = ? LIMIT 2',
              kind,
              key,
            )
            .toArray();
          return rows.length === 1 ? (rows[0]?.entity_id ?? null) : null;
        }),
    };
  }

  /** Queues the tenant has (archived ones included). */
  queueIds(): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM entities WHERE kind = 'queue' ORDER BY id")
      .toArray()
      .map((r) => r.id);
  }

  /** A queue as the TenantDO holds it (null: unknown). */
  queue(id: string): HotQueue | null {
    const row = this.sql.exec<{ body: string }>("SELECT body FROM entities WHERE kind = 'queue' AND id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.body) as HotQueue) : null;
  }

  /** Every agent as the TenantDO holds it (for live totals by team and site). */
  agents(): HotAgent[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM entities WHERE kind = 'agent'")
      .toArray()
      .map((r) => JSON.parse(r.body) as HotAgent);
  }

  /** Every queue as the TenantDO holds it. */
  queues(): HotQueue[] {
    return this.sql
      .exec<{ body: string }>("SELECT body FROM entities WHERE kind = 'queue' ORDER BY id")
      .toArray()
      .map((r) => JSON.parse(r.body) as HotQueue);
  }

  /** The queues that get an agent's presence. */
  agentQueues(agentId: string): string[] {
    const row = this.sql
      .exec<{ body: string }>("SELECT body FROM entities WHERE kind = 'agent' AND id = ?", agentId)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as HotAgent).queueIds : [];
  }

  /** How a flush names an entity Postgres may lack: auto-created ones live, the others archived. */
  ensureOf(kind: Kind, id: string): EnsureEntity {
    const row = this.sql.exec<{ body: string }>('SELECT body FROM entities WHERE kind = ? AND id = ?', kind, id).toArray()[0];
    const hot = row ? (JSON.parse(row.body) as { name: string; auto?: boolean }) : null;
    return { kind, id, name: hot?.auto ? hot.name : null, externalKey: null };
  }

  /**
   * Entities a flushed batch of the TenantDO must make sure exist: the queues and agents it created
   * (auto-create), and the agents its state intervals name.
   */
  ensureList(batch: OutboxBatch): EnsureEntity[] {
    const ensure = batch.records.filter((r) => r.kind === 'queue' || r.kind === 'agent').map((r) => r.body as EnsureEntity);
    const agentIds = new Set(
      batch.records.filter((r) => r.kind === 'interval').map((r) => (r.body as { agentId: string }).agentId),
    );
    for (const id of agentIds) if (!ensure.some((e) => e.id === id)) ensure.push(this.ensureOf('agent', id));
    return ensure;
  }

  clear(): void {
    this.sql.exec('DELETE FROM entities');
    this.sql.exec('DELETE FROM entity_keys');
  }

  putQueue(q: HotQueue & { auto?: boolean }): void {
    this.put('queue', q.id, q, q.archived, q.externalKeys);
  }

  putAgent(a: HotAgent & { auto?: boolean }): void {
    this.put('agent', a.id, a, a.archived, a.externalKeys);
  }

  remove(kind: Kind, id: string): void {
    this.sql.exec('DELETE FROM entities WHERE kind = ? AND id = ?', kind, id);
    this.sql.exec('DELETE FROM entity_keys WHERE kind = ? AND entity_id = ?', kind, id);
  }

  private put(kind: Kind, id: string, body: unknown, archived: boolean, keys: { provider: string; key: string }[]): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO entities (kind, id, body, archived) VALUES (?, ?, ?, ?)',
      kind,
      id,
      JSON.stringify(body),
      archived ? 1 : 0,
    );
    this.sql.exec('DELETE FROM entity_keys WHERE kind = ? AND entity_id = ?', kind, id);
    for (const k of keys) {
      this.sql.exec(
        'INSERT OR REPLACE INTO entity_keys (kind, provider, key, entity_id) VALUES (?, ?, ?, ?)',
        kind,
        k.provider,
        k.key,
        id,
      );
    }
  }
}
