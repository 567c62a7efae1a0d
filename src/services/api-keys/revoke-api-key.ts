import { and, eq } from 'drizzle-orm';
import type { ApiKey } from '../../contracts/api-keys';
import { apiKeys } from '../../db/schema';
import { notFound } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { type ServiceContext, writeThrough } from '../context';
import { closeLiveConnectionsOf } from '../live/live';
import { keyRecord, presentApiKey } from './issue-api-key';

/**
 * Revokes a key (idempotent: a revoked key keeps its first revocation time). Effective immediately, live
 * connections included: those the key (or a token it asked for) opened are closed.
 */
export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<ApiKey> {
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const [row] = await tx
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, ctx.tenantId), eq(apiKeys.id, id)))
        .for('update');
      if (!row) throw notFound('API key', id);
      if (row.revokedAt) return { before: row, after: row };
      const [updated] = await tx
        .update(apiKeys)
        .set({ revokedAt: ctx.now })
        .where(and(eq(apiKeys.tenantId, ctx.tenantId), eq(apiKeys.id, id)))
        .returning();
      return { before: row, after: updated ?? row };
    },
    durable: ({ after }) =>
      callTenantDO(ctx.env, ctx.tenantId, (s) => s.revokeApiKey(id, (after.revokedAt ?? ctx.now).getTime())),
    undo: ({ before }) => callTenantDO(ctx.env, ctx.tenantId, (s) => s.putApiKey(keyRecord(before))),
  });
  await closeLiveConnectionsOf(ctx, id);
  return presentApiKey(after);
}
