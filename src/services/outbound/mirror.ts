import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { outboundCampaigns, outboundDoNotCall, outboundQuietDays } from '../../db/schema';
import type { OutboundMirror } from '../../durable-objects/outbound/outbound.types';

/** The OutboundDO's whole mirror from Postgres, the source of record (for a resync). */
export async function loadOutboundMirror(tx: Tx, tenantId: string): Promise<OutboundMirror> {
  const campaigns = await tx
    .select({ id: outboundCampaigns.id, policy: outboundCampaigns.policy })
    .from(outboundCampaigns)
    .where(and(eq(outboundCampaigns.tenantId, tenantId), isNull(outboundCampaigns.archivedAt)));
  const dnc = await tx
    .select({ numberHash: outboundDoNotCall.numberHash })
    .from(outboundDoNotCall)
    .where(eq(outboundDoNotCall.tenantId, tenantId));
  const quiet = await tx
    .select({ day: outboundQuietDays.day })
    .from(outboundQuietDays)
    .where(eq(outboundQuietDays.tenantId, tenantId));
  return { campaigns, doNotCall: dnc.map((r) => r.numberHash), quietDays: quiet.map((r) => r.day) };
}
