import type { CampaignPolicy } from '../../domain/outbound/policy';
import type { Env } from '../../env';
import { type Awaitable, callDurableObject } from '../call';
import type { OutboundDO } from './outbound.do';
import type { OutboundCheck, OutboundCheckResult, OutboundMirror } from './outbound.types';

/** What callers may ask of a tenant's OutboundDO (it implements this; services depend on it, not the class). */
export interface OutboundPort {
  check(input: OutboundCheck): Awaitable<OutboundCheckResult | null>;
  putCampaign(tenantId: string, id: string, policy: CampaignPolicy | null): Awaitable<void>;
  changeDoNotCall(tenantId: string, hashes: string[], remove?: boolean): Awaitable<void>;
  setQuietDays(tenantId: string, days: string[]): Awaitable<void>;
  replaceMirror(tenantId: string, mirror: OutboundMirror): Awaitable<void>;
}

/** The OutboundDO of a tenant: one per tenant, named by its id. */
export function outboundStub(env: Pick<Env, 'OUTBOUND_DO'>, tenantId: string): DurableObjectStub<OutboundDO> {
  return env.OUTBOUND_DO.get(env.OUTBOUND_DO.idFromName(tenantId));
}

/** Calls a tenant's OutboundDO by RPC through its port (see `callDurableObject` for failures). */
export function callOutbound<R>(
  env: Pick<Env, 'OUTBOUND_DO'>,
  tenantId: string,
  call: (stub: OutboundPort) => R,
): Promise<Awaited<R>> {
  const port: OutboundPort = outboundStub(env, tenantId);
  return callDurableObject(port, 'The outbound policy', call);
}
