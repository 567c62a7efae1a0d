import { eq } from 'drizzle-orm';
import { apiKeys } from '../../db/schema';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { keyRecord } from '../api-keys/issue-api-key';
import { type ServiceContext, tenantTx } from '../context';
import { loadTenantRow } from './get-tenant';

/**
 * Rebuilds the tenant's TenantDO configuration from Postgres, the source of record. For operators:
 * after restoring a database, or if an undo of a half-failed admin change was itself lost.
 */
export async function resyncTenant(ctx: ServiceContext): Promise<{ tenantId: string; apiKeys: number; configVersion: number }> {
  const { tenant, keys } = await tenantTx(ctx, async (tx) => ({
    tenant: await loadTenantRow(tx, ctx.tenantId),
    keys: await tx.select().from(apiKeys).where(eq(apiKeys.tenantId, ctx.tenantId)),
  }));
  const configVersion = await callTenantDO(ctx.env, ctx.tenantId, (s) =>
    s.replaceConfig({ config: { tenantId: tenant.id, settings: tenant.settings }, apiKeys: keys.map(keyRecord) }),
  );
  ctx.log.info('tenant config resynced', { tenantId: ctx.tenantId, apiKeys: keys.length, configVersion });
  return { tenantId: ctx.tenantId, apiKeys: keys.length, configVersion };
}
