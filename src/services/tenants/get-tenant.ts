import { eq } from 'drizzle-orm';
import type { Tenant } from '../../contracts/tenants';
import type { Tx } from '../../db/client';
import { tenants } from '../../db/schema';
import { notFound } from '../../domain/errors';
import { type ServiceContext, tenantTx } from '../context';
import { presentTenant } from './present-tenant';

export async function loadTenantRow(tx: Tx, tenantId: string) {
  const [row] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw notFound('tenant', tenantId);
  return row;
}

export async function getTenant(ctx: ServiceContext): Promise<Tenant> {
  return presentTenant(await tenantTx(ctx, (tx) => loadTenantRow(tx, ctx.tenantId)));
}
