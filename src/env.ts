import type { LiveHubDO } from './durable-objects/live/live-hub.do';
import type { OutboundDO } from './durable-objects/outbound/outbound.do';
import type { QueueDO } from './durable-objects/queue/queue.do';
import type { TenantDO } from './durable-objects/tenant/tenant.do';
import type { TenantDatabaseDO } from './durable-objects/tenant-database/tenant-database.do';
import type { WebhookSenderDO } from './durable-objects/webhooks/webhook-sender.do';

/** Worker bindings. Secrets come from `wrangler secret put` in production, `--var` locally. */
export interface Env {
  /** Postgres URL of the application role (never the owner: RLS must apply). */
  DATABASE_URL: string;
  /** Bearer token of the platform operator; platform routes answer 401 while it is unset. */
  PLATFORM_TOKEN?: string;
  /**
   * Platform keys sealing connector secrets (AES-256-GCM): `"<version>:<base64 key>,…"`, the first
   * one current. Rotate by putting a new key first and calling POST /v1/tenants/{id}/reencrypt.
   */
  PLATFORM_KEYS?: string;
  /** Local only: `host:port` of the WebSocket-to-TCP proxy that stands in for Neon's endpoint. */
  NEON_WS_PROXY?: string;
  /** Postgres connect timeout in ms (default 5,000). */
  DATABASE_CONNECT_TIMEOUT_MS?: string;
  /** Postgres statement timeout in ms (default 20,000): reads answer 503 rather than hang. */
  DATABASE_STATEMENT_TIMEOUT_MS?: string;
  /**
   * The most visits and segments one KPI request reads from the history records (answers from records, by
   * direction, explanations, repeat-caller FCR, ranges whose rollups are being recomputed; default 100,000): a Worker holds them in
   * memory. Beyond it the request is refused with a problem naming the limit.
   */
  KPI_MAX_RANGE_RECORDS?: string;
  /**
   * `1`: webhook endpoints may also be plain `http://` to 127.0.0.1, localhost or [::1] (set by `npm start` and the
   * tests, never in production, where endpoints must be `https://`).
   */
  ALLOW_HTTP_WEBHOOKS?: string;
  /** How long a webhook endpoint has to answer, in ms (default 10,000). */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Live stream connections one tenant may hold open at once (default 2,000). */
  LIVE_MAX_CONNECTIONS?: string;
  /** debug | info | warn | error (default info). */
  LOG_LEVEL?: string;
  TENANT_DO: DurableObjectNamespace<TenantDO>;
  QUEUE_DO: DurableObjectNamespace<QueueDO>;
  LIVE_HUB: DurableObjectNamespace<LiveHubDO>;
  WEBHOOK_SENDER: DurableObjectNamespace<WebhookSenderDO>;
  OUTBOUND_DO: DurableObjectNamespace<OutboundDO>;
  TENANT_DATABASE: DurableObjectNamespace<TenantDatabaseDO>;
}
