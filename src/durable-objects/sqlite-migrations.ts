/**
 * Forward-only schema migrations for a Durable Object's SQLite storage. Each entry runs once, in
 * order, inside the storage's implicit transaction; applied versions are kept in `_migrations`.
 */
export function migrateSqlite(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = sql.exec<{ v: number | null }>('SELECT max(version) AS v FROM _migrations').one();
  const applied = row.v ?? 0;
  migrations.forEach((ddl, index) => {
    const version = index + 1;
    if (version <= applied) return;
    sql.exec(ddl);
    sql.exec('INSERT INTO _migrations (version, applied_at) VALUES (?, ?)', version, Date.now());
  });
}

/** True when the storage already has this table (a read: it creates nothing). */
export function hasTable(sql: SqlStorage, table: string): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0;
}
