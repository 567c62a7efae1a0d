import { callLiveHub } from '../../durable-objects/live/live-hub.client';
import { callOutbound } from '../../durable-objects/outbound/outbound.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { callWebhookSender } from '../../durable-objects/webhooks/webhook-sender.client';
import { hubRules } from '../alerts/rules';
import { type ServiceContext, tenantTx } from '../context';
import { loadOutboundMirror } from '../outbound/mirror';
import { loadHotEndpoints } from '../webhook-endpoints/endpoints';
import { loadHotSnapshot } from './hot-snapshot';

/**
 * Rebuilds the tenant's Durable Object configuration from Postgres, the source of record: the TenantDO's, the
 * WebhookSenderDO's mirror of the webhook endpoints, the live hub's alert rules and the OutboundDO's campaigns,
 * do-not-call list and quiet days (its recorded attempts stay). For operators: after restoring
 * a database, or if an undo of a half-failed admin change was itself lost.
 */
export async function resyncTenant(
  ctx: ServiceContext,
): Promise<{ tenantId: string; apiKeys: number; configVersion: number; webhookEndpoints: number }> {
  const { snapshot, endpoints } = await tenantTx(ctx, async (tx) => ({
    snapshot: await loadHotSnapshot(tx, ctx.tenantId),
    endpoints: await loadHotEndpoints(tx, ctx.tenantId, ctx.now.getTime()),
  }));
  const configVersion = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.replaceConfig(snapshot));
  const rules = await tenantTx(ctx, (tx) => hubRules(tx, ctx.tenantId, snapshot.config.settings.timeZone));
  await callLiveHub(ctx.env, ctx.tenantId, (s) => s.replaceAlertRules(ctx.tenantId, rules));
  const webhookEndpoints = await callWebhookSender(ctx.env, ctx.tenantId, (s) => s.replaceEndpoints(ctx.tenantId, endpoints));
  const outbound = await tenantTx(ctx, (tx) => loadOutboundMirror(tx, ctx.tenantId));
  await callOutbound(ctx.env, ctx.tenantId, (s) => s.replaceMirror(ctx.tenantId, outbound));
  ctx.log.info('tenant config resynced', {
    tenantId: ctx.tenantId,
    apiKeys: snapshot.apiKeys.length,
    configVersion,
    webhookEndpoints,
  });
  return { tenantId: ctx.tenantId, apiKeys: snapshot.apiKeys.length, configVersion, webhookEndpoints };
}
