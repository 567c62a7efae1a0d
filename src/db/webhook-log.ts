import { sql } from 'drizzle-orm';
import type { WebhookAttemptRecord, WebhookEndpointDisabled } from '../domain/webhooks/attempts';
import type { HistorySink, SinkBatch } from '../durable-objects/ports';
import { type Databases, type DatabasesConfig, openDatabases } from './databases';
import { describeDbFailure, isDataError } from './errors';

/** Attempts older than this are purged as new ones are written. */
export const WEBHOOK_LOG_RETENTION_DAYS = 30;

export interface WebhookLogBatch {
  attempts: WebhookAttemptRecord[];
  disabled: WebhookEndpointDisabled[];
}

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;
const ts = (column: string) => sql.raw(`to_timestamp(r."${column}" / 1000.0)`);

/** The WebhookSenderDO's outbox rows as the writer takes them. */
export function webhookLogBatch(records: SinkBatch['records']): WebhookLogBatch {
  const batch: WebhookLogBatch = { attempts: [], disabled: [] };
  for (const r of records) {
    if (r.body === null) continue;
    if (r.kind === 'webhook_attempt') batch.attempts.push(r.body as WebhookAttemptRecord);
    else if (r.kind === 'webhook_endpoint') batch.disabled.push(r.body as WebhookEndpointDisabled);
  }
  return batch;
}

/**
 * Writes one outbox batch of the WebhookSenderDO in one transaction of the tenant: attempts inserted once
 * (those of an endpoint deleted meanwhile are skipped), the log past its retention purged, and endpoints the
 * sender disabled marked so — unless an admin changed them since (their revision moved on: the admin's change wins).
 */
export async function writeWebhookLog(dbs: Databases, tenantId: string, batch: WebhookLogBatch): Promise<void> {
  await dbs.inTenant(tenantId, async (tx) => {
    if (batch.attempts.length > 0) {
      await tx.execute(sql`
        INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, message_id, event_type, attempt, status, http_status,
          response_body, response_truncated, error, duration_ms, attempted_at, next_attempt_at)
        SELECT ${tenantId}, r.id, r."endpointId", r."messageId", r."eventType", r.attempt, r.status, r."httpStatus",
          r."responseBody", coalesce(r."responseTruncated", false), r.error, r."durationMs", ${ts('attemptedAt')}, ${ts('nextAttemptAt')}
        FROM jsonb_to_recordset(${json(batch.attempts)}) AS r(id text, "endpointId" text, "messageId" text, "eventType" text,
          attempt int, status text, "httpStatus" int, "responseBody" text, "responseTruncated" boolean, error text,
          "durationMs" int, "attemptedAt" bigint, "nextAttemptAt" bigint)
        WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = ${tenantId} AND e.id = r."endpointId")
        ORDER BY r.id COLLATE "C"
        ON CONFLICT (tenant_id, id) DO NOTHING`);
      await tx.execute(sql`
        DELETE FROM webhook_deliveries
        WHERE tenant_id = ${tenantId} AND attempted_at < now() - make_interval(days => ${WEBHOOK_LOG_RETENTION_DAYS}::int)`);
    }
    if (batch.disabled.length > 0) {
      await tx.execute(sql`
        UPDATE webhook_endpoints e SET enabled = false, disabled_at = ${ts('disabledAt')}, disabled_reason = r."disabledReason",
          updated_at = now()
        FROM jsonb_to_recordset(${json(batch.disabled)}) AS r(id text, revision int, "disabledAt" bigint, "disabledReason" text)
        WHERE e.tenant_id = ${tenantId} AND e.id = r.id AND e.revision = r.revision`);
    }
  });
}

/** The WebhookSenderDO's outbox drains into Postgres through this (wired in `src/index.ts`). */
export function postgresWebhookLogSink(config: DatabasesConfig): HistorySink {
  return {
    open() {
      const dbs = openDatabases(config);
      return {
        write: (tenantId, batch) => writeWebhookLog(dbs, tenantId, webhookLogBatch(batch.records)),
        close: () => dbs.close(),
      };
    },
    isDataError,
    describeFailure: describeDbFailure,
  };
}
