import { callLiveHub } from '../../durable-objects/live/live-hub.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { hubRules } from '../alerts/rules';
import { type ServiceContext, tenantTx } from '../context';
import { loadHotSnapshot } from './hot-snapshot';

/**
 * Rebuilds the tenant's TenantDO configuration (and its live hub's alert rules) from Postgres, the source of record. For operators:
 * after restoring a database, or if an undo of a half-failed admin change was itself lost.
 */
export async function resyncTenant(ctx: ServiceContext): Promise<{ tenantId: string; apiKeys: number; configVersion: number }> {
  const snapshot = await tenantTx(ctx, (tx) => loadHotSnapshot(tx, ctx.tenantId));
  const configVersion = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.replaceConfig(snapshot));
  const rules = await tenantTx(ctx, (tx) => hubRules(tx, ctx.tenantId, snapshot.config.settings.timeZone));
  await callLiveHub(ctx.env, ctx.tenantId, (s) => s.replaceAlertRules(ctx.tenantId, rules));
  ctx.log.info('tenant config resynced', { tenantId: ctx.tenantId, apiKeys: snapshot.apiKeys.length, configVersion });
  return { tenantId: ctx.tenantId, apiKeys: snapshot.apiKeys.length, configVersion };
}
