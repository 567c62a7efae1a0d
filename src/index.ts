import { createApp } from './app';

import { postgresHistorySink } from './db/history-sink';
import { postgresMover } from './db/tenant-move';
import { postgresWebhookLogSink } from './db/webhook-log';
import { LiveHubDO as LiveHubObject } from './durable-objects/live/live-hub.do';
import { OutboundDO as OutboundObject } from './durable-objects/outbound/outbound.do';
import { QueueDO as QueueObject } from './durable-objects/queue/queue.do';
import { TenantDO as TenantObject } from './durable-objects/tenant/tenant.do';
import { TenantDatabaseDO as TenantDatabaseObject } from './durable-objects/tenant-database/tenant-database.do';
import { WebhookSenderDO as WebhookSenderObject } from './durable-objects/webhooks/webhook-sender.do';
import type { Env } from './env';

/** The Durable Objects as the runtime creates them, wired to Postgres (they only know the `HistorySink` port). */
export class TenantDO extends TenantObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresHistorySink(env));
  }
}

export class QueueDO extends QueueObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresHistorySink(env));
  }
}

export class LiveHubDO extends LiveHubObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresHistorySink(env));
  }
}

export class WebhookSenderDO extends WebhookSenderObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresWebhookLogSink(env));
  }
}

export class OutboundDO extends OutboundObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresHistorySink(env));
  }
}

export class TenantDatabaseDO extends TenantDatabaseObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, postgresMover(env));
  }
}

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
