import { AppError, unavailable } from '../../domain/errors';
import type { Env } from '../../env';
import type { TenantDO } from './tenant.do';

/** The TenantDO of a tenant (named by its id), or of the platform itself for platform idempotency. */
export function tenantStub(env: Pick<Env, 'TENANT_DO'>, name: string): DurableObjectStub<TenantDO> {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(name));
}

export const PLATFORM_DO_NAME = 'platform';

/**
 * Calls a TenantDO by RPC. Infrastructure failures (the object unreachable, overloaded, reset) become
 * `unavailable` (503, retry is safe); an exception thrown by the object's own code is a bug and stays one.
 */
export async function callTenantDO<R>(
  env: Pick<Env, 'TENANT_DO'>,
  name: string,
  call: (stub: DurableObjectStub<TenantDO>) => R,
): Promise<Awaited<R>> {
  try {
    return await call(tenantStub(env, name));
  } catch (err) {
    if (err instanceof AppError) throw err;
    const flags = err as { remote?: boolean; retryable?: boolean; overloaded?: boolean };
    if (flags.retryable || flags.overloaded || !flags.remote) {
      throw Object.assign(unavailable('Tenant configuration is unavailable; retry the request.'), { cause: err });
    }
    throw err;
  }
}
