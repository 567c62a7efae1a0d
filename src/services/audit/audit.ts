import { and, desc, eq, gte, lt } from 'drizzle-orm';
import type { AuditEntry } from '../../contracts/appraisal';
import type { Tx } from '../../db/client';
import { auditLog } from '../../db/schema';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';

/** Who acts: the API key of the request. */
export type Actor = string;

type AuditInput = { action: string; resourceType: string; resourceId: string; details?: Record<string, unknown> };

/** Records a change inside the transaction that makes it: no change without its entry, no entry without its change. */
export async function audit(tx: Tx, ctx: ServiceContext, actor: Actor, entry: AuditInput): Promise<void> {
  await auditAll(tx, ctx, actor, [entry]);
}

/** Records the changes of one request (a bulk write) in one statement, an entry each. */
export async function auditAll(tx: Tx, ctx: ServiceContext, actor: Actor, entries: AuditInput[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.insert(auditLog).values(
    entries.map((entry) => ({
      tenantId: ctx.tenantId,
      id: newId('auditEntry', ctx.now.getTime()),
      at: ctx.now,
      actor,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      details: entry.details ?? {},
    })),
  );
}

export interface AuditQuery {
  resourceType?: string;
  resourceId?: string;
  from?: string;
  to?: string;
}

/** The audit log, newest first (ids sort by time; the cursor is the last id seen). */
export async function listAuditLog(tx: Tx, tenantId: string, q: AuditQuery, page: PageRequest): Promise<Page<AuditEntry>> {
  const rows = await tx
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.tenantId, tenantId),
        q.resourceType ? eq(auditLog.resourceType, q.resourceType) : undefined,
        q.resourceId ? eq(auditLog.resourceId, q.resourceId) : undefined,
        q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
        q.to ? lt(auditLog.at, new Date(q.to)) : undefined,
        page.afterId ? lt(auditLog.id, page.afterId) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(page.limit + 1);
  return pageFrom(
    rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      details: r.details,
    })),
    page.limit,
  );
}

/** `GET /v1/audit-log`. */
export function auditEntries(ctx: ServiceContext, q: AuditQuery, page: PageRequest): Promise<Page<AuditEntry>> {
  return tenantTx(ctx, (tx) => listAuditLog(tx, ctx.tenantId, q, page));
}
