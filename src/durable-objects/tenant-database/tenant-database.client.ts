import type { MoveState } from '../../domain/tenant-move';
import type { Env } from '../../env';
import { type Awaitable, callDurableObject } from '../call';
import type { TenantDatabaseDO } from './tenant-database.do';

/** What callers may ask of a tenant's TenantDatabaseDO (services depend on this, not on the class). */
export interface TenantDatabasePort {
  start(state: MoveState): Awaitable<{ started: boolean; state: MoveState }>;
  status(): Awaitable<MoveState | null>;
}

export function tenantDatabaseStub(env: Pick<Env, 'TENANT_DATABASE'>, tenantId: string): DurableObjectStub<TenantDatabaseDO> {
  return env.TENANT_DATABASE.get(env.TENANT_DATABASE.idFromName(tenantId));
}

/** Calls a tenant's TenantDatabaseDO by RPC through its port (see `callDurableObject` for failures). */
export function callTenantDatabase<R>(
  env: Pick<Env, 'TENANT_DATABASE'>,
  tenantId: string,
  call: (stub: TenantDatabasePort) => R,
): Promise<Awaited<R>> {
  const port: TenantDatabasePort = tenantDatabaseStub(env, tenantId);
  return callDurableObject(port, "The tenant's database operations", call);
}
