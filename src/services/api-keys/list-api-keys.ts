import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { ApiKey } from '../../contracts/api-keys';
import { apiKeys } from '../../db/schema';
import { notFound } from '../../domain/errors';
import { type ServiceContext, tenantTx } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { presentApiKey } from './issue-api-key';

/** Keys of the tenant, oldest first; revoked keys only when asked for. */
export async function listApiKeys(ctx: ServiceContext, page: PageRequest & { includeRevoked: boolean }): Promise<Page<ApiKey>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.tenantId, ctx.tenantId),
          page.afterId ? gt(apiKeys.id, page.afterId) : undefined,
          page.includeRevoked ? undefined : isNull(apiKeys.revokedAt),
        ),
      )
      .orderBy(asc(apiKeys.id))
      .limit(page.limit + 1),
  );
  return pageFrom(rows.map(presentApiKey), page.limit);
}

export async function getApiKey(ctx: ServiceContext, id: string): Promise<ApiKey> {
  const [row] = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, ctx.tenantId), eq(apiKeys.id, id))),
  );
  if (!row) throw notFound('API key', id);
  return presentApiKey(row);
}
