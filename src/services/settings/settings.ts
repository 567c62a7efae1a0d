import { eq } from 'drizzle-orm';
import { tenants } from '../../db/schema';
import { applySettingsPatch, type TenantSettings, type TenantSettingsPatch } from '../../domain/settings';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { loadTenantRow } from '../tenants/get-tenant';

export async function getSettings(ctx: ServiceContext): Promise<TenantSettings> {
  return (await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId))).settings;
}

/** Merges a partial change into the settings, in Postgres and in the TenantDO together. */
export async function updateSettings(ctx: ServiceContext, patch: TenantSettingsPatch): Promise<TenantSettings> {
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const [row] = await tx.select().from(tenants).where(eq(tenants.id, ctx.tenantId)).for('update');
      if (!row) throw new Error(`tenant ${ctx.tenantId} vanished`);
      const next = applySettingsPatch(row.settings, patch);
      await tx.update(tenants).set({ settings: next, updatedAt: ctx.now }).where(eq(tenants.id, ctx.tenantId));
      return { before: row.settings, after: next };
    },
    durable: ({ after }) => callTenantDO(ctx.env, ctx.tenantId, (s) => s.setSettings(after)),
    undo: ({ before }) => callTenantDO(ctx.env, ctx.tenantId, (s) => s.setSettings(before)),
  });
  return after;
}
