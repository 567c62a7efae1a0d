import { DEFAULT_TENANT_SETTINGS } from '../../domain/settings';
import type { OutboxBatch } from '../outbox';
import type { EnsureEntity } from '../ports';
import type { QueueSettings } from './queue.types';

export interface QueueMetaValue {
  tenantId: string;
  queueId: string;
  settings: QueueSettings;
}

/** What a queue never configured uses (the tenant's defaults) until `configure` says otherwise. */
export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  timeZone: DEFAULT_TENANT_SETTINGS.timeZone,
  staleVisitMinutes: DEFAULT_TENANT_SETTINGS.staleVisitMinutes,
  serviceLevel: DEFAULT_TENANT_SETTINGS.serviceLevel,
  name: null,
  siteId: null,
};

/**
 * Who this queue is and the tenant settings it applies (`meta`), plus the queues and agents its
 * records name (`entities`), for the flush to create in Postgres when missing.
 */
export class QueueMeta {
  /** The stored value's text as last read (undefined: read it again); every batch names the queue. */
  private stored: string | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  read(): QueueMetaValue | null {
    const text = this.text();
    if (text === null) return null;
    const value = JSON.parse(text) as QueueMetaValue;
    // Settings stored before a field existed take its default until the tenant's next `configure`.
    return { ...value, settings: { ...DEFAULT_QUEUE_SETTINGS, ...value.settings } };
  }

  /** Names the queue; settings not given keep the ones it has (the defaults if it has none). */
  write(tenantId: string, queueId: string, settings: QueueSettings | undefined): void {
    const value = JSON.stringify({ tenantId, queueId, settings: settings ?? this.read()?.settings ?? DEFAULT_QUEUE_SETTINGS });
    if (value === this.text()) return;
    // Forgotten before writing: if the transaction rolls back, the next read sees what is stored.
    this.stored = undefined;
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      'meta',
      value,
    );
  }

  private text(): string | null {
    if (this.stored === undefined) {
      this.stored = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'meta'").toArray()[0]?.value ?? null;
    }
    return this.stored;
  }

  putEntity(e: EnsureEntity): void {
    this.sql.exec('INSERT OR REPLACE INTO entities (kind, id, body) VALUES (?, ?, ?)', e.kind, e.id, JSON.stringify(e));
  }

  /**
   * Entities a flushed batch must make sure exist: every queue and agent its records name (only its
   * own, so a row Postgres refuses is set aside alone, not with every batch that names the queue).
   */
  ensureList(batch: OutboxBatch): EnsureEntity[] {
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
}
