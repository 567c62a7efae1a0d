import type { Database } from '../db/client';
import type { ApiKeyScope } from '../domain/api-keys';
import type { HotConnector } from '../durable-objects/tenant/tenant.types';
import type { Env } from '../env';
import type { Logger } from '../lib/log';

/** Who is calling: set by the API-key middleware. */
export interface Principal {
  tenantId: string;
  keyId: string;
  scopes: ApiKeyScope[];
  /** The TenantDO configuration version at authentication (for the Worker's config cache). */
  configVersion: number;
}

/** A verified webhook delivery: set by the signature middleware. */
export interface WebhookSender {
  tenantId: string;
  connector: HotConnector;
  configVersion: number;
  webhookId: string;
  /** The sealed secret the signature matched. */
  sealedSecret: string;
  /** Verified against a connector just read from the TenantDO (not the Worker's cache). */
  fresh: boolean;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    log: Logger;
    /** Opens the request's database handle on first use; closed after the response. */
    database: () => Database;
    principal?: Principal;
    webhook?: WebhookSender;
    /** What the route guard allows (`platform`, `public`, or a key scope); used by idempotency. */
    guard?: string;
  };
};
