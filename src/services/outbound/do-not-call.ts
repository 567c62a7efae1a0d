import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { DoNotCallEntrySchema } from '../../contracts/outbound';
import { outboundDoNotCall } from '../../db/schema';
import { type FieldIssue, invalid } from '../../domain/errors';
import { callOutbound } from '../../durable-objects/outbound/outbound.client';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { hashCaller } from '../ingest/caller-hash';
import { loadTenantRow } from '../tenants/get-tenant';
import { parseCalleeNumber } from './number-zones';

type Entry = import('zod').infer<typeof DoNotCallEntrySchema>;

/** Every number valid (else a 422 naming each bad one, nothing written), hashed under the tenant's caller salt. */
async function hashNumbers(ctx: ServiceContext, numbers: string[]): Promise<Map<string, string>> {
  const issues: FieldIssue[] = [];
  const parsed = numbers.map((n, i) => {
    const p = parseCalleeNumber(n);
    if (!p)
      issues.push({
        in: 'body',
        pointer: `/numbers/${i}`,
        detail: 'Not a valid phone number in E.164 (+ and the country code).',
      });
    return p;
  });
  if (issues.length > 0)
    throw invalid(issues.slice(0, 100), `${issues.length} of the numbers are not valid; nothing was changed.`);
  const salt = (await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId))).callerSalt;
  const out = new Map<string, string>();
  for (const p of parsed) {
    if (!p) continue;
    const { hash, masked } = await hashCaller(salt, p.e164);
    out.set(hash, masked);
  }
  return out;
}

/** Adds numbers to the tenant's do-not-call list (bulk); only their salted hash and a masked form are stored. */
export async function addDoNotCall(ctx: ServiceContext, numbers: string[]): Promise<{ changed: number; unchanged: number }> {
  const hashes = await hashNumbers(ctx, numbers);
  const added = await writeThrough(ctx, {
    postgres: async (tx) => {
      const rows = [...hashes].map(([numberHash, masked]) => ({
        tenantId: ctx.tenantId,
        numberHash,
        masked,
        createdAt: ctx.now,
      }));
      const inserted: string[] = [];
      for (let i = 0; i < rows.length; i += 1000) {
        const got = await tx
          .insert(outboundDoNotCall)
          .values(rows.slice(i, i + 1000))
          .onConflictDoNothing()
          .returning({ numberHash: outboundDoNotCall.numberHash });
        inserted.push(...got.map((r) => r.numberHash));
      }
      return inserted;
    },
    durable: (inserted) => callOutbound(ctx.env, ctx.tenantId, (s) => s.changeDoNotCall(ctx.tenantId, inserted)),
    undo: (inserted) => callOutbound(ctx.env, ctx.tenantId, (s) => s.changeDoNotCall(ctx.tenantId, inserted, true)),
  });
  return { changed: added.length, unchanged: numbers.length - added.length };
}

export async function removeDoNotCall(ctx: ServiceContext, numbers: string[]): Promise<{ changed: number; unchanged: number }> {
  const hashes = [...(await hashNumbers(ctx, numbers)).keys()];
  const removed = await writeThrough(ctx, {
    postgres: async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < hashes.length; i += 1000) {
        const got = await tx
          .delete(outboundDoNotCall)
          .where(
            and(eq(outboundDoNotCall.tenantId, ctx.tenantId), inArray(outboundDoNotCall.numberHash, hashes.slice(i, i + 1000))),
          )
          .returning({ numberHash: outboundDoNotCall.numberHash });
        out.push(...got.map((r) => r.numberHash));
      }
      return out;
    },
    durable: (gone) => callOutbound(ctx.env, ctx.tenantId, (s) => s.changeDoNotCall(ctx.tenantId, gone, true)),
    undo: (gone) => callOutbound(ctx.env, ctx.tenantId, (s) => s.changeDoNotCall(ctx.tenantId, gone)),
  });
  return { changed: removed.length, unchanged: numbers.length - removed.length };
}

/** The list, masked, by hash. */
export async function listDoNotCall(
  ctx: ServiceContext,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: Entry[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  if (page.cursor && !after) throw invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(outboundDoNotCall)
      .where(and(eq(outboundDoNotCall.tenantId, ctx.tenantId), after ? gt(outboundDoNotCall.numberHash, after) : undefined))
      .orderBy(asc(outboundDoNotCall.numberHash))
      .limit(page.limit + 1),
  );
  const data = rows
    .slice(0, page.limit)
    .map((r) => ({ numberHash: r.numberHash, masked: r.masked, createdAt: r.createdAt.toISOString() }));
  const last = data.at(-1);
  return { data, nextCursor: rows.length > page.limit && last ? encodeCursor(last.numberHash) : null };
}
