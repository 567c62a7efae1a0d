import type { TenantSettings } from '../../domain/settings';
import type { HotConnector, TenantConfig } from './tenant.types';

/**
 * The tenant's hot configuration (`config`: id, settings, caller salt, version) and its connectors
 * (`connectors`). Every admin write bumps the version the Workers cache by.
 */
export class ConfigStore {
  /** The config row, read once and kept in step by every write (undefined = not read yet). */
  private cached: TenantConfig | null | undefined;
  /** Connectors read so far (null: none by that id), kept in step by every write. */
  private readonly connectors = new Map<string, HotConnector | null>();

  constructor(
    private readonly sql: SqlStorage,
    /** False while the object has no storage yet (an unknown tenant): reads find nothing. */
    private readonly ready: () => boolean,
  ) {}

  get(): TenantConfig | null {
    if (!this.ready()) return null;
    if (this.cached === undefined) {
      const row = this.sql
        .exec<{ tenant_id: string; settings: string; version: number; caller_salt: string }>(
          'SELECT tenant_id, settings, version, caller_salt FROM config',
        )
        .toArray()[0];
      this.cached = row
        ? { tenantId: row.tenant_id, settings: JSON.parse(row.settings), version: row.version, callerSalt: row.caller_salt }
        : null;
    }
    return this.cached;
  }

  require(): TenantConfig {
    const config = this.get();
    if (!config) throw new Error('TenantDO has no configuration: the tenant was never initialised here');
    return config;
  }

  /** Writes the config row with the next version and returns it. */
  write(tenantId: string, settings: TenantSettings, callerSalt: string): number {
    const version = (this.get()?.version ?? 0) + 1;
    this.cached = undefined;
    this.sql.exec(
      `INSERT INTO config (id, tenant_id, settings, version, caller_salt) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, settings = excluded.settings, version = excluded.version,
         caller_salt = excluded.caller_salt`,
      tenantId,
      JSON.stringify(settings),
      version,
      callerSalt,
    );
    return version;
  }

  /** A new version with the same content (some other part of the configuration changed). */
  bump(): number {
    const c = this.require();
    return this.write(c.tenantId, c.settings, c.callerSalt);
  }

  connector(id: string): HotConnector | null {
    const known = this.connectors.get(id);
    if (known !== undefined) return known;
    const row = this.sql.exec<{ body: string }>('SELECT body FROM connectors WHERE id = ?', id).toArray()[0];
    const connector: HotConnector | null = row ? JSON.parse(row.body) : null;
    this.connectors.set(id, connector);
    return connector;
  }

  putConnector(connector: HotConnector): void {
    this.connectors.delete(connector.id);
    this.sql.exec('INSERT OR REPLACE INTO connectors (id, body) VALUES (?, ?)', connector.id, JSON.stringify(connector));
  }

  removeConnector(id: string): void {
    this.connectors.delete(id);
    this.sql.exec('DELETE FROM connectors WHERE id = ?', id);
  }

  replaceConnectors(connectors: readonly HotConnector[]): void {
    this.connectors.clear();
    this.sql.exec('DELETE FROM connectors');
    for (const c of connectors) this.putConnector(c);
  }
}
