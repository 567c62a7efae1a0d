import { eq } from 'drizzle-orm';
import { AppError } from '../domain/errors';
import { decryptSecret, parsePlatformKeys } from '../lib/secret-box';
import { type Database, type DatabaseConfig, openDatabase, type Tx } from './client';
import { tenantDatabases } from './schema/tenant-databases';
import { inTenant, TenantNotHomeError, tenantMovingError } from './tenant-scope';

/** What opening a tenant's database needs: the shared database and the keys its routes are sealed with. */
export interface DatabasesConfig extends DatabaseConfig {
  PLATFORM_KEYS?: string;
}

/** Where a tenant's data lives: its own database's application-role URL, or null for the shared database. */
export interface TenantRoute {
  url: string | null;
  generation: number;
}

/**
 * The routes this isolate has learned, tenant → route. Only a hint: the fence in each database
 * (`callboard_enter_tenant`) says whether the tenant is at home there, and a stale route is looked up again.
 * Strings only — a Worker's I/O objects never outlive their request.
 */
const knownRoutes = new Map<string, TenantRoute>();
const KNOWN_ROUTES_MAX = 10_000;

function remember(tenantId: string, route: TenantRoute): void {
  if (knownRoutes.size >= KNOWN_ROUTES_MAX && !knownRoutes.has(tenantId)) knownRoutes.clear();
  knownRoutes.set(tenantId, route);
}

/** Forgets what this isolate knows of a tenant's route (after a move it coordinated). */
export function forgetRoute(tenantId: string): void {
  knownRoutes.delete(tenantId);
}

/**
 * The databases of one request, alarm or flush: the shared one (the platform's tables, and every tenant without a
 * database of its own) and, opened on first use, tenants' own databases. Every tenant transaction goes through
 * `inTenant`, which finds the tenant's database: one code path, whichever database that is.
 */
export interface Databases {
  /** The shared database (health checks, the platform's own tables). */
  shared(): Database;
  /**
   * Runs `fn` in one transaction of the tenant, in the database that holds its data (see `inTenant` in
   * tenant-scope.ts). A tenant that moved since this isolate last looked is followed to its new database once;
   * a tenant between two databases at this instant is a 503 `TENANT_MOVING`, safe to retry.
   */
  inTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openDatabases(config: DatabasesConfig): Databases {
  const handles = new Map<string, ReturnType<typeof openDatabase>>();
  const open = (url: string): Database => {
    let handle = handles.get(url);
    if (!handle) {
      handle = openDatabase({ ...config, DATABASE_URL: url });
      handles.set(url, handle);
    }
    return handle.db;
  };
  const shared = () => open(config.DATABASE_URL);
  /** In the shared database a tenant with no row yet is at home (being created, or unknown: its reads find nothing). */
  const attempt = <T>(url: string | null, tenantId: string, fn: (tx: Tx) => Promise<T>) =>
    inTenant(url === null ? shared() : open(url), tenantId, fn, { absentIsHome: url === null });
  const route = async (tenantId: string): Promise<TenantRoute> => {
    const found = await lookupRoute(shared(), tenantId, config.PLATFORM_KEYS);
    remember(tenantId, found);
    return found;
  };
  return {
    shared,
    async inTenant(tenantId, fn) {
      const first = knownRoutes.get(tenantId)?.url ?? null;
      try {
        return await attempt(first, tenantId, fn);
      } catch (err) {
        if (!(err instanceof TenantNotHomeError)) throw err;
        const next = (await route(tenantId)).url;
        // The route has not changed yet (a move is switching at this instant): try again in a moment.
        if (next === first) throw tenantMovingError(err);
        try {
          return await attempt(next, tenantId, fn);
        } catch (again) {
          if (again instanceof TenantNotHomeError) throw tenantMovingError(again);
          throw again;
        }
      }
    },
    async close() {
      const all = [...handles.values()];
      handles.clear();
      await Promise.all(all.map((h) => h.close()));
    },
  };
}

/**
 * The tenant's route in the shared database (`tenant_databases`), its URL unsealed with the platform keys. Read
 * without the fence: the shared database may no longer hold the tenant's data, but it always holds its route.
 */
async function lookupRoute(shared: Database, tenantId: string, platformKeys: string | undefined): Promise<TenantRoute> {
  const row = await inTenant(shared, tenantId, (tx) => readRoute(tx, tenantId), { fence: false });
  if (!row) return { url: null, generation: 0 };
  let keys: ReturnType<typeof parsePlatformKeys>;
  try {
    keys = parsePlatformKeys(platformKeys);
  } catch (err) {
    throw Object.assign(
      new AppError(
        'unavailable',
        'SERVICE_UNAVAILABLE',
        "The tenant's database cannot be opened: PLATFORM_KEYS is not configured.",
      ),
      { cause: err },
    );
  }
  return { url: await decryptSecret(keys, row.databaseUrlSealed, tenantId), generation: row.generation };
}

/** The tenant's `tenant_databases` row, if it has a database of its own. */
async function readRoute(tx: Tx, tenantId: string) {
  const [row] = await tx.select().from(tenantDatabases).where(eq(tenantDatabases.tenantId, tenantId));
  return row;
}

/** The tenant's route row as the shared database has it (sealed), read without the fence. */
export function tenantDatabaseRow(dbs: Databases, tenantId: string) {
  return inTenant(dbs.shared(), tenantId, (tx) => readRoute(tx, tenantId), { fence: false });
}

/** One database standing for all (benchmarks and tests that bring their own handle): no routes, no moves. */
export function singleDatabase(db: Database): Databases {
  return {
    shared: () => db,
    inTenant: (tenantId, fn) => inTenant(db, tenantId, fn, { absentIsHome: true }),
    close: async () => {},
  };
}

/** Replaces the sealed URLs of a tenant's route (a platform key rotation); false when the tenant has none. */
export function resealRoute(dbs: Databases, tenantId: string, sealed: { databaseUrlSealed: string; migrationUrlSealed: string }) {
  return inTenant(
    dbs.shared(),
    tenantId,
    async (tx) =>
      (await tx.update(tenantDatabases).set(sealed).where(eq(tenantDatabases.tenantId, tenantId)).returning()).length > 0,
    { fence: false },
  );
}
