import type { Env } from '../../env';
import { callDurableObject } from '../call';
import type { TenantDO } from './tenant.do';

/** The TenantDO of a tenant (named by its id), or of the platform itself for platform idempotency. */
export function tenantStub(env: Pick<Env, 'TENANT_DO'>, name: string): DurableObjectStub<TenantDO> {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(name));
}

export const PLATFORM_DO_NAME = 'platform';

/** Calls a tenant's TenantDO by RPC (see `callDurableObject` for failures). */
export function callTenantDO<R>(
  env: Pick<Env, 'TENANT_DO'>,
  name: string,
  call: (stub: DurableObjectStub<TenantDO>) => R,
): Promise<Awaited<R>> {
  return callDurableObject(tenantStub(env, name), 'Tenant configuration', call);
}
