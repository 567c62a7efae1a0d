import type { ConnectorOptions } from '../../contracts/connectors';
import type { ApiKeyLimit, ApiKeyScope, RateLimitPolicy } from '../../domain/api-keys';
import type { DeliveryRecord } from '../../domain/deliveries';
import type { AnyEvent } from '../../domain/events/normalized';
import type { EventResult, ResultSlot } from '../../domain/ingest-results';
import type { Provider } from '../../domain/providers';
import type { ServiceLevelOverride, TenantSettings } from '../../domain/settings';
import type { EnsureEntity } from '../ports';
import type { InteractionTimeline, PresenceUpdate } from '../queue/queue.types';

/** An API key as the TenantDO knows it: enough to authenticate and rate-limit, nothing more. */
export interface KeyRecord {
  id: string;
  hash: string;
  scopes: ApiKeyScope[];
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  rateLimit: RateLimitPolicy | null;
  /** The team or agent the key is limited to (docs/roles.md); null or absent: the whole tenant. */
  limit?: ApiKeyLimit | null;
}

export interface ExternalKeyRef {
  provider: string;
  key: string;
}

/** A queue as ingestion and its live state need it. */
export interface HotQueue {
  id: string;
  name: string;
  archived: boolean;
  externalKeys: ExternalKeyRef[];
  /** Absent in what was stored before the live state needed it (read as null). */
  siteId?: string | null;
  /** The queue's own service-level override (the tenant's policy applies where it says nothing). */
  serviceLevel?: ServiceLevelOverride | null;
}

/** An agent as ingestion needs it: who it is and which queues get its presence (and, for live totals, its team and site now). */
export interface HotAgent {
  id: string;
  name: string;
  archived: boolean;
  queueIds: string[];
  externalKeys: ExternalKeyRef[];
  teamId?: string | null;
  siteId?: string | null;
}

export type UnknownKeyPolicy = 'reject' | 'create';

/** The sealed credentials that verify a connector's deliveries now: the current ones, and the previous during their grace. */
export function liveSecrets(c: HotConnector, now: number): string[] {
  return c.secrets.filter((_, i) => i === 0 || (c.previousSecretExpiresAt !== null && now < c.previousSecretExpiresAt));
}

/** A connector as the webhook path needs it (its credentials stay sealed here; the Worker opens them). */

export interface HotConnector {
  id: string;
  provider: Provider;
  enabled: boolean;
  unknownKeys: UnknownKeyPolicy;
  /** Sealed credentials (JSON), current first; the previous ones only until `previousSecretExpiresAt`. */
  secrets: string[];
  previousSecretExpiresAt: number | null;
  queueMappings: Record<string, string>;
  agentMappings: Record<string, string>;
  options: ConnectorOptions;
}

/** The hot-path configuration of one tenant. */
export interface TenantConfig {
  tenantId: string;
  /** Bumped by every change; Workers cache the snapshot per version. */
  version: number;
  settings: TenantSettings;
  callerSalt: string;
}

export interface TenantSnapshot {
  config: Omit<TenantConfig, 'version'>;
  apiKeys: KeyRecord[];
  queues: HotQueue[];
  agents: HotAgent[];
  connectors: HotConnector[];
}

export type AuthorizeResult =
  | {
      ok: true;
      tenantId: string;
      keyId: string;
      scopes: ApiKeyScope[];
      limit: ApiKeyLimit | null;
      configVersion: number;
      rateLimit: { limit: number; remaining: number; resetSeconds: number };
    }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number };

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyBegin =
  | { state: 'started' }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

export interface RouteInput {
  events: AnyEvent[];
  connectorId: string | null;
  /** The sealed secret the delivery's signature matched (the Worker's copy may be seconds old). */
  connectorSecret: string | null;
  unknownKeys: UnknownKeyPolicy;
  /** Re-normalization: events already seen whose content changed replace the old ones. */
  revise?: boolean;
}

export type RouteOutcome =
  | { status: 'routed'; queueId: string }
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'revised' }
  | { status: 'rejected'; reason: string };

/**
 * Events, presence, auto-created entities and interaction timelines for one QueueDO: what the TenantDO
 * hands each queue of a routed request (a *delivery* is the provider's HTTP request; see docs/ARCHITECTURE.md).
 */
export interface QueueBatch {
  queueId: string;
  events: AnyEvent[];
  presence: PresenceUpdate[];
  ensure: EnsureEntity[];
  timelines: InteractionTimeline[];
  revise?: boolean;
  /**
   * The webhook delivery to log in this batch's transaction: when it is the request's only batch and routing
   * left nothing to relay, its commit is the delivery's last — the TenantDO writes nothing after it.
   */
  delivery?: QueueDelivery;
}

/** A delivery a QueueDO logs: completed with the results `routedResults` makes, the ones the TenantDO answers. */
export interface QueueDelivery {
  record: Omit<DeliveryRecord, 'retentionDays'>;
  slots: ResultSlot[];
  /** The request's events: their ids and what routing made of each. */
  ids: string[];
  outcomes: RouteOutcome[];
  retentionDays: number;
}

export type RouteRefusal =
  | { ok: false; reason: 'unknown_reference'; errors: { index: number; field: string; detail: string }[] }
  | { ok: false; reason: 'connector_unavailable' | 'secret_revoked'; errors: never[] };

/**
 * One ingest request in one round trip: the TenantDO routes the events, hands each QueueDO its queue
 * batch (in parallel) and, for a webhook delivery, logs it with what its events became.
 */
export interface TenantIngest extends RouteInput {
  delivery?: {
    /** The log record without its outcome and counts (`completeDelivery` fills them in). */
    record: Omit<DeliveryRecord, 'retentionDays'>;
    /** The delivery's whole answer, position by position; `routed` slots index `events`. */
    slots: ResultSlot[];
  };
}

export type TenantIngestResult =
  | RouteRefusal
  /** A QueueDO failed: nothing is acknowledged (503), the sender retries, repeats are duplicates. */
  | { ok: false; reason: 'queue_unavailable'; queueId: string; errors: never[] }
  /** One result per event of `events`, once every QueueDO committed. */
  | { ok: true; results: EventResult[] };

/** Everything the webhook path needs of a connector, in one round trip. */
export interface ConnectorLookup {
  connector: HotConnector;
  configVersion: number;
  callerSalt: string;
}

/** What became of a logged delivery: an unverified one's source may be over its limit (answer 429). */
export interface DeliveryReceipt {
  retryAfterSeconds: number | null;
}

/** The tenant's queues and agents as live totals group them (`TenantDO.liveDirectory`). */
export interface LiveDirectory {
  queues: { id: string; name: string; siteId: string | null; archived: boolean }[];
  agents: { id: string; teamId: string | null; siteId: string | null; queueIds: string[]; archived: boolean }[];
  /** null: the tenant is not configured. */
  settings: TenantSettings | null;
}
