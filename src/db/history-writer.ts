import { sql } from 'drizzle-orm';
import type { Alert } from '../contracts/alerts';
import type { StateInterval } from '../domain/agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../domain/calls/records';
import type { DeliveryRecord } from '../domain/deliveries';
import type { AnyEvent } from '../domain/events/normalized';
import type { EnsureEntity } from '../durable-objects/ports';
import { createLogger } from '../lib/log';
import type { Tx } from './client';
import type { Databases } from './databases';
import { describeDbFailure, isTransactionConflict } from './errors';
import { REFRESH_MAX_RECORDS, refreshRollupsSafely, rollupRecords, rollupTouchSafely } from './kpi-rollups';

export type Versioned<T> = T & { version: number };

/** Defined with the Durable Objects' sink port (they own it); re-exported for the writer's callers. */
export type { EnsureEntity };

export interface HistoryBatch {
  ensure: EnsureEntity[];
  interactions: (InteractionFacts & { firstEventAt: number; lastEventAt: number })[];
  visits: Versioned<VisitRecord>[];
  segments: Versioned<SegmentRecord>[];
  intervals: Versioned<StateInterval>[];
  deletions: { kind: 'visit' | 'segment'; id: string; version: number }[];
  events: AnyEvent[];
  deliveries: DeliveryRecord[];
  /** Alerts as the live hub raised them (each status a new version). */
  alerts: (Alert & { version: number })[];
}

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;
const ts = (column: string) => sql.raw(`to_timestamp(r."${column}" / 1000.0)`);

/** A deadlock or serialization failure is retried at once, this many times in all. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Writes one outbox batch in one transaction of the tenant: records upserted only where their
 * version is newer, interaction facts merged field by field, events inserted once. Every statement
 * takes its rows as one jsonb parameter (no bind-parameter limit, one round trip each).
 *
 * The TenantDO and QueueDOs flush concurrently and overlap (the same interaction, its events): every
 * statement locks its rows in key order, so two flushes wait for each other instead of deadlocking,
 * and a deadlock or serialization failure that still happens is retried at once.
 */
export async function writeHistory(dbs: Databases, tenantId: string, batch: HistoryBatch): Promise<void> {
  const sorted = inKeyOrder(batch);
  for (let attempt = 1; ; attempt++) {
    try {
      await writeOnce(dbs, tenantId, sorted);
      return;
    } catch (err) {
      if (attempt >= CONFLICT_ATTEMPTS || !isTransactionConflict(err)) throw err;
    }
  }
}

const byId = <T extends { id: string }>(rows: T[]): T[] => [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Every list of rows sorted by its key (what the statements lock, in the order they lock it). */
function inKeyOrder(batch: HistoryBatch): HistoryBatch {
  return {
    ensure: [...batch.ensure].sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : a.kind + a.id > b.kind + b.id ? 1 : 0)),
    interactions: byId(batch.interactions),
    visits: byId(batch.visits),
    segments: byId(batch.segments),
    intervals: byId(batch.intervals),
    deletions: [...batch.deletions].sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : a.kind + a.id > b.kind + b.id ? 1 : 0)),
    events: byId(batch.events),
    // Not sorted: the last one carries the newest retention setting (see insertDeliveries).
    deliveries: batch.deliveries,
    alerts: byId(batch.alerts),
  };
}

async function writeOnce(dbs: Databases, tenantId: string, batch: HistoryBatch): Promise<void> {
  await dbs.inTenant(tenantId, async (tx) => {
    await ensureEntities(tx, tenantId, batch.ensure);
    // Where the batch's calls and state time are before it writes: their old buckets need recomputing too.
    const touch = await rollupTouchSafely(tx, tenantId, batch, rollupFailed(tenantId));
    if (batch.interactions.length) await upsertInteractions(tx, tenantId, batch.interactions);
    if (batch.visits.length) await upsertVisits(tx, tenantId, batch.visits);
    if (batch.segments.length) await upsertSegments(tx, tenantId, batch.segments);
    if (batch.intervals.length) await upsertIntervals(tx, tenantId, batch.intervals);
    for (const kind of ['visit', 'segment'] as const) {
      const rows = batch.deletions.filter((d) => d.kind === kind).map((d) => ({ id: d.id, version: d.version }));
      if (rows.length > 0) await deleteRecords(tx, tenantId, kind, rows);
    }
    if (touch) {
      const mode = rollupRecords(batch) > REFRESH_MAX_RECORDS ? 'mark' : 'recompute';
      await refreshRollupsSafely(tx, tenantId, touch, rollupFailed(tenantId), mode);
    }
    if (batch.events.length) await insertEvents(tx, tenantId, batch.events);
    if (batch.deliveries.length) await insertDeliveries(tx, tenantId, batch.deliveries);
    if (batch.alerts.length) await upsertAlerts(tx, tenantId, batch.alerts);
  });
}

const rollupLog = createLogger({ component: 'kpi-rollups' }, 'warn');
const rollupFailed = (tenantId: string) => (err: unknown) =>
  rollupLog.warn('KPI rollups not refreshed; their buckets are listed as dirty', { tenantId, ...describeDbFailure(err) });

async function ensureEntities(tx: Tx, tenantId: string, entities: EnsureEntity[]): Promise<void> {
  for (const kind of ['queue', 'agent'] as const) {
    const rows = entities.filter((e) => e.kind === kind).map((e) => ({ id: e.id, name: e.name, auto: e.name !== null }));
    if (rows.length === 0) continue;
    const table = sql.raw(kind === 'queue' ? 'queues' : 'agents');
    const insert = (suffix: ReturnType<typeof sql.raw>) => sql`
      INSERT INTO ${table} (tenant_id, id, name, archived_at)
      SELECT ${tenantId}, r.id, coalesce(r.name, r.id) || ${suffix}, CASE WHEN r.auto THEN NULL ELSE now() END
      FROM jsonb_to_recordset(${json(rows)}) AS r(id text, name text, auto boolean)
      WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.tenant_id = ${tenantId} AND t.id = r.id)
      ORDER BY r.id COLLATE "C"
      ON CONFLICT DO NOTHING
      RETURNING 1`;
    // Usually every entity exists: one statement finds that out. A live name may be taken by an admin's
    // queue: then a second pass adds the id to the names still missing to make them unique.
    const first = await tx.execute(sql`
      WITH inserted AS (${insert(sql.raw(`''`))})
      SELECT (SELECT count(*) FROM inserted)::int AS inserted,
             (SELECT count(*) FROM jsonb_to_recordset(${json(rows)}) AS r(id text)
               WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.tenant_id = ${tenantId} AND t.id = r.id))::int AS missing`);
    const counts = first.rows[0] as { inserted: number; missing: number } | undefined;
    if (counts && counts.missing > counts.inserted) await tx.execute(insert(sql.raw(`' (' || r.id || ')'`)));
    const keys = entities.filter((e) => e.kind === kind && e.externalKey).map((e) => ({ id: e.id, ...e.externalKey }));
    if (keys.length === 0) continue;
    const keyTable = sql.raw(kind === 'queue' ? 'queue_external_keys' : 'agent_external_keys');
    const owner = sql.raw(kind === 'queue' ? 'queue_id' : 'agent_id');
    await tx.execute(sql`
      INSERT INTO ${keyTable} (tenant_id, ${owner}, provider, key)
      SELECT ${tenantId}, r.id, r.provider, r.key FROM jsonb_to_recordset(${json(keys)}) AS r(id text, provider text, key text)
      ORDER BY r.id COLLATE "C", r.provider, r.key
      ON CONFLICT DO NOTHING`);
  }
}

/** Removes records that no longer exist, where Postgres has an older version; rows locked in key order. */
async function deleteRecords(tx: Tx, tenantId: string, kind: 'visit' | 'segment', rows: { id: string; version: number }[]) {
  const table = sql.raw(kind === 'visit' ? 'queue_visits' : 'agent_segments');
  await tx.execute(sql`
    DELETE FROM ${table} t USING (
      SELECT x.id, x.version FROM ${table} x JOIN jsonb_to_recordset(${json(rows)}) AS r(id text, version int)
        ON x.tenant_id = ${tenantId} AND x.id = r.id AND x.version < r.version
      ORDER BY x.id COLLATE "C" FOR UPDATE OF x) d
    WHERE t.tenant_id = ${tenantId} AND t.id = d.id`);
}

async function upsertInteractions(tx: Tx, tenantId: string, rows: HistoryBatch['interactions']): Promise<void> {
  const later = (col: string) =>
    sql.raw(`CASE WHEN EXCLUDED.ended_at IS NOT NULL AND (interactions.ended_at IS NULL OR EXCLUDED.ended_at >= interactions.ended_at)
      THEN coalesce(EXCLUDED.${col}, interactions.${col}) ELSE interactions.${col} END`);
  const newest = (col: string) =>
    sql.raw(`CASE WHEN interactions.${col} IS NULL OR (EXCLUDED.${col} IS NOT NULL AND (EXCLUDED.${col}->>'at')::bigint >= (interactions.${col}->>'at')::bigint)
      THEN coalesce(EXCLUDED.${col}, interactions.${col}) ELSE interactions.${col} END`);
  await tx.execute(sql`
    INSERT INTO interactions (tenant_id, id, direction, caller_hash, caller_masked, started_at, ended_at, hangup_cause, ended_by,
                              disposition, survey, ivr, first_event_at, last_event_at)
    SELECT ${tenantId}, r.id, r.direction, r."callerHash", r."callerMasked", ${ts('startedAt')}, ${ts('endedAt')}, r."hangupCause",
           r."endedBy", r.disposition, r.survey, r.ivr, ${ts('firstEventAt')}, ${ts('lastEventAt')}
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, direction text, "callerHash" text, "callerMasked" text, "startedAt" bigint,
      "endedAt" bigint, "hangupCause" text, "endedBy" text, disposition jsonb, survey jsonb, ivr jsonb, "firstEventAt" bigint, "lastEventAt" bigint)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      direction = coalesce(interactions.direction, EXCLUDED.direction),
      caller_hash = coalesce(interactions.caller_hash, EXCLUDED.caller_hash),
      caller_masked = coalesce(interactions.caller_masked, EXCLUDED.caller_masked),
      started_at = least(interactions.started_at, EXCLUDED.started_at),
      hangup_cause = ${later('hangup_cause')},
      ended_by = ${later('ended_by')},
      ended_at = greatest(interactions.ended_at, EXCLUDED.ended_at),
      disposition = ${newest('disposition')},
      survey = ${newest('survey')},
      ivr = ${newest('ivr')},
      first_event_at = least(interactions.first_event_at, EXCLUDED.first_event_at),
      last_event_at = greatest(interactions.last_event_at, EXCLUDED.last_event_at),
      updated_at = now()`);
}

async function upsertVisits(tx: Tx, tenantId: string, rows: HistoryBatch['visits']): Promise<void> {
  await tx.execute(sql`
    INSERT INTO queue_visits (tenant_id, id, interaction_id, queue_id, leg_id, enqueued_at, enqueued_at_source, left_at, outcome,
                              closed_by, wait_ms, agent_id, answered_at, version)
    SELECT ${tenantId}, r.id, r."interactionId", r."queueId", r."legId", ${ts('enqueuedAt')}, r."enqueuedAtSource", ${ts('leftAt')},
           r.outcome, r."closedBy", r."waitMs", r."agentId", ${ts('answeredAt')}, r.version
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, "interactionId" text, "queueId" text, "legId" text, "enqueuedAt" bigint,
      "enqueuedAtSource" text, "leftAt" bigint, outcome text, "closedBy" text, "waitMs" bigint, "agentId" text, "answeredAt" bigint, version int)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      leg_id = EXCLUDED.leg_id, enqueued_at = EXCLUDED.enqueued_at, enqueued_at_source = EXCLUDED.enqueued_at_source,
      left_at = EXCLUDED.left_at, outcome = EXCLUDED.outcome, closed_by = EXCLUDED.closed_by, wait_ms = EXCLUDED.wait_ms,
      agent_id = EXCLUDED.agent_id, answered_at = EXCLUDED.answered_at, version = EXCLUDED.version, updated_at = now()
    WHERE queue_visits.version < EXCLUDED.version`);
}

async function upsertSegments(tx: Tx, tenantId: string, rows: HistoryBatch['segments']): Promise<void> {
  await tx.execute(sql`
    INSERT INTO agent_segments (tenant_id, id, interaction_id, agent_id, queue_id, visit_id, connected_at, disconnected_at, talk_ms,
                                hold_ms, hold_count, wrapup_started_at, wrapup_ended_at, acw_ms, transferred, ended_by, version)
    SELECT ${tenantId}, r.id, r."interactionId", r."agentId", r."queueId", r."visitId", ${ts('connectedAt')}, ${ts('disconnectedAt')},
           r."talkMs", r."holdMs", r."holdCount", ${ts('wrapupStartedAt')}, ${ts('wrapupEndedAt')}, r."acwMs", r.transferred, r."endedBy", r.version
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, "interactionId" text, "agentId" text, "queueId" text, "visitId" text,
      "connectedAt" bigint, "disconnectedAt" bigint, "talkMs" bigint, "holdMs" bigint, "holdCount" int, "wrapupStartedAt" bigint,
      "wrapupEndedAt" bigint, "acwMs" bigint, transferred boolean, "endedBy" text, version int)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      visit_id = EXCLUDED.visit_id, connected_at = EXCLUDED.connected_at, disconnected_at = EXCLUDED.disconnected_at,
      talk_ms = EXCLUDED.talk_ms, hold_ms = EXCLUDED.hold_ms, hold_count = EXCLUDED.hold_count,
      wrapup_started_at = EXCLUDED.wrapup_started_at, wrapup_ended_at = EXCLUDED.wrapup_ended_at, acw_ms = EXCLUDED.acw_ms,
      transferred = EXCLUDED.transferred, ended_by = EXCLUDED.ended_by, version = EXCLUDED.version, updated_at = now()
    WHERE agent_segments.version < EXCLUDED.version`);
}

async function upsertIntervals(tx: Tx, tenantId: string, rows: HistoryBatch['intervals']): Promise<void> {
  await tx.execute(sql`
    INSERT INTO agent_state_intervals (tenant_id, id, agent_id, state, reason, started_at, ended_at, version)
    SELECT ${tenantId}, r.id, r."agentId", r.state, r.reason, ${ts('startedAt')}, ${ts('endedAt')}, r.version
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, "agentId" text, state text, reason text, "startedAt" bigint, "endedAt" bigint, version int)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      state = EXCLUDED.state, reason = EXCLUDED.reason, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
      version = EXCLUDED.version, updated_at = now()
    WHERE agent_state_intervals.version < EXCLUDED.version`);
}

/** Alerts: a newer version (a later status) replaces the row; a replayed older one changes nothing. */
async function upsertAlerts(tx: Tx, tenantId: string, rows: HistoryBatch['alerts']): Promise<void> {
  await tx.execute(sql`
    INSERT INTO alerts (tenant_id, id, rule_id, rule_name, severity, status, scope, subject, agent_id, condition, value,
      resolved_value, triggered_at, acknowledged_at, acknowledged_by, resolved_at, version)
    SELECT ${tenantId}, r.id, r."ruleId", r."ruleName", r.severity, r.status, r.scope, r.subject, r."agentId", r.condition,
      r.value, r."resolvedValue", r."triggeredAt", r."acknowledgedAt", r."acknowledgedBy", r."resolvedAt", r.version
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, "ruleId" text, "ruleName" text, severity text, status text, scope jsonb,
      subject text, "agentId" text, condition jsonb, value float8, "resolvedValue" float8, "triggeredAt" timestamptz,
      "acknowledgedAt" timestamptz, "acknowledgedBy" text, "resolvedAt" timestamptz, version int)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      status = EXCLUDED.status, value = EXCLUDED.value, resolved_value = EXCLUDED.resolved_value,
      acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by,
      resolved_at = EXCLUDED.resolved_at, version = EXCLUDED.version, updated_at = now()
    WHERE alerts.version < EXCLUDED.version`);
}

/** The columns `insertEvents` reads; the rest of an event (and any null: a missing key reads as NULL) is not sent. */
const EVENT_FIELDS = [
  'id',
  'type',
  'provider',
  'occurredAt',
  'occurredAtSource',
  'receivedAt',
  'interactionId',
  'legId',
  'queueId',
  'agentId',
  'queueKey',
  'agentKey',
  'attrs',
] as const;

async function insertEvents(tx: Tx, tenantId: string, events: AnyEvent[]): Promise<void> {
  const rows = events.map((e) => {
    const row: Record<string, unknown> = {};
    for (const f of EVENT_FIELDS) if (e[f] !== null && e[f] !== undefined) row[f] = e[f];
    return row;
  });
  await tx.execute(sql`
    INSERT INTO events (tenant_id, id, type, provider, occurred_at, occurred_at_source, received_at, interaction_id, leg_id,
                        queue_id, agent_id, queue_key, agent_key, attrs)
    SELECT ${tenantId}, r.id, r.type, r.provider, ${ts('occurredAt')}, r."occurredAtSource", ${ts('receivedAt')}, r."interactionId",
           r."legId", r."queueId", r."agentId", r."queueKey", r."agentKey", r.attrs
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, type text, provider text, "occurredAt" bigint, "occurredAtSource" text,
      "receivedAt" bigint, "interactionId" text, "legId" text, "queueId" text, "agentId" text, "queueKey" text, "agentKey" text, attrs jsonb)
    ORDER BY r.id COLLATE "C"
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      type = EXCLUDED.type, occurred_at = EXCLUDED.occurred_at, occurred_at_source = EXCLUDED.occurred_at_source,
      received_at = EXCLUDED.received_at, interaction_id = EXCLUDED.interaction_id, leg_id = EXCLUDED.leg_id,
      queue_id = EXCLUDED.queue_id, agent_id = EXCLUDED.agent_id, queue_key = EXCLUDED.queue_key, agent_key = EXCLUDED.agent_key,
      attrs = EXCLUDED.attrs
    -- Only a re-normalized (revised) event replaces the row: it was received later, and says something else.
    WHERE EXCLUDED.received_at > events.received_at
      AND (events.type, events.occurred_at, events.interaction_id, events.queue_id, events.agent_id, events.attrs)
        IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.occurred_at, EXCLUDED.interaction_id, EXCLUDED.queue_id, EXCLUDED.agent_id, EXCLUDED.attrs)`);
}

/** Logs deliveries once each, and purges the tenant's deliveries past its raw-retention days. */
async function insertDeliveries(tx: Tx, tenantId: string, rows: DeliveryRecord[]): Promise<void> {
  await tx.execute(sql`
    INSERT INTO connector_deliveries (tenant_id, id, connector_id, request_id, received_at, outcome, http_status, verified, reason, detail,
      method, url, content_type, headers, body, body_truncated, events, accepted, duplicates, rejected, ignored, suppressed, body_sealed)
    SELECT ${tenantId}, r.id, r."connectorId", r."requestId", ${ts('receivedAt')}, r.outcome, r."httpStatus", r.verified, r.reason, r.detail,
      r.method, r.url, r."contentType", r.headers, r.body, r."bodyTruncated", r.events, r.accepted, r.duplicates, r.rejected, r.ignored,
      coalesce(r.suppressed, 0), r."bodySealed"
    FROM jsonb_to_recordset(${json(rows)}) AS r(id text, "connectorId" text, "requestId" text, "receivedAt" bigint, outcome text,
      "httpStatus" int, verified boolean, reason text, detail text, method text, url text, "contentType" text, headers jsonb, body text,
      "bodyTruncated" boolean, events int, accepted int, duplicates int, rejected int, ignored jsonb, suppressed int, "bodySealed" text)
    ORDER BY r.id COLLATE "C"
    -- A row counting a flood of unverified deliveries is written again as its count grows.
    ON CONFLICT (tenant_id, id) DO UPDATE SET suppressed = EXCLUDED.suppressed, detail = EXCLUDED.detail, http_status = EXCLUDED.http_status
      WHERE EXCLUDED.suppressed > connector_deliveries.suppressed`);
  const days = (rows.at(-1) as DeliveryRecord).retentionDays; // the newest setting
  await tx.execute(sql`
    DELETE FROM connector_deliveries WHERE tenant_id = ${tenantId} AND received_at < now() - make_interval(days => ${days}::int)`);
}

/** Turns an outbox batch into what `writeHistory` takes. */
/** A batch with nothing to write yet. */
export function emptyHistoryBatch(ensure: EnsureEntity[] = []): HistoryBatch {
  return {
    ensure,
    interactions: [],
    visits: [],
    segments: [],
    intervals: [],
    deletions: [],
    events: [],
    deliveries: [],
    alerts: [],
  };
}

export function historyBatch(
  records: { kind: string; id: string; version: number; body: unknown }[],
  events: { body: unknown }[],
  ensure: EnsureEntity[],
): HistoryBatch {
  const batch = emptyHistoryBatch(ensure);
  for (const r of records) {
    if (r.body === null) {
      if (r.kind === 'visit' || r.kind === 'segment') batch.deletions.push({ kind: r.kind, id: r.id, version: r.version });
      continue;
    }
    if (r.kind === 'interaction') batch.interactions.push(r.body as HistoryBatch['interactions'][number]);
    else if (r.kind === 'visit') batch.visits.push({ ...(r.body as VisitRecord), version: r.version });
    else if (r.kind === 'segment') batch.segments.push({ ...(r.body as SegmentRecord), version: r.version });
    else if (r.kind === 'interval') batch.intervals.push({ ...(r.body as StateInterval), version: r.version });
    else if (r.kind === 'delivery') batch.deliveries.push(r.body as DeliveryRecord);
    else if (r.kind === 'alert') batch.alerts.push({ ...(r.body as Alert), version: r.version });
  }
  batch.events = events.map((e) => e.body as AnyEvent);
  return batch;
}
