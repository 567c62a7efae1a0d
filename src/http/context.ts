import type { Databases } from '../db/databases';
import type { ApiKeyLimit, ApiKeyScope } from '../domain/api-keys';
import type { Env } from '../env';
import type { LiveTokenClaims } from '../lib/live-token';
import type { Logger } from '../lib/log';

/** Who is calling: set by the API-key middleware. */
export interface Principal {
  tenantId: string;
  keyId: string;
  scopes: ApiKeyScope[];
  /**
   * The team or agent the key (or the key behind a live token) is limited to; null: the whole tenant. Only routes
   * declared with `keyLimits` let a limited principal through, and they apply it (src/http/key-limits.ts).
   */
  limit: ApiKeyLimit | null;
  /** The TenantDO configuration version at authentication (for the Worker's config cache). */
  configVersion: number;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    log: Logger;
    /** Opens the request's databases on first use (src/db/databases.ts); closed after the response. */
    databases: () => Databases;
    principal?: Principal;
    /** Set when the live stream was opened with a live token instead of an API key: what the token allows. */
    liveToken?: LiveTokenClaims;
    /** What the route guard allows (`platform`, `public`, `webhook`, or a key scope); used by idempotency. */
    guard?: string;
  };
};
