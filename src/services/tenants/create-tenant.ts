import type { CreatedTenant, TenantCreate } from '../../contracts/tenants';
import { apiKeys, tenants } from '../../db/schema';
import { applySettingsPatch, DEFAULT_TENANT_SETTINGS } from '../../domain/settings';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { randomHex } from '../../lib/crypto';
import { newId } from '../../lib/ids';
import { issueApiKey } from '../api-keys/issue-api-key';
import { type ServiceContext, writeThrough } from '../context';
import { presentTenant } from './present-tenant';

/**
 * Creates a tenant with its first admin key. `ctx.tenantId` is ignored: the tenant is new, and the
 * transaction is scoped to its fresh id.
 */
export async function createTenant(ctx: Omit<ServiceContext, 'tenantId'>, input: TenantCreate): Promise<CreatedTenant> {
  const tenantId = newId('tenant', ctx.now.getTime());
  const scoped: ServiceContext = { ...ctx, tenantId, log: ctx.log.child({ tenantId }) };
  const settings = applySettingsPatch(DEFAULT_TENANT_SETTINGS, input.settings ?? {});
  const issued = await issueApiKey(tenantId, { name: 'Initial admin key', scopes: ['admin'] }, ctx.now, 'platform');
  const callerSalt = randomHex(32);
  const row = await writeThrough(scoped, {
    postgres: async (tx) => {
      const [created] = await tx
        .insert(tenants)
        .values({ id: tenantId, name: input.name, settings, callerSalt, createdAt: ctx.now, updatedAt: ctx.now })
        .returning();
      await tx.insert(apiKeys).values(issued.row);
      if (!created) throw new Error('tenant insert returned nothing');
      return created;
    },
    durable: () =>
      callTenantDO(ctx.env, tenantId, (s) =>
        s.replaceConfig({
          config: { tenantId, settings, callerSalt },
          apiKeys: [issued.record],
          queues: [],
          agents: [],
          connectors: [],
        }),
      ),
    undo: () => callTenantDO(ctx.env, tenantId, (s) => s.removeApiKey(issued.record.id)),
  });
  scoped.log.info('tenant created', { keyId: issued.record.id });
  return { tenant: presentTenant(row), apiKey: issued.created };
}
