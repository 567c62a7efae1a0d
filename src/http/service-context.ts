import type { Context } from 'hono';
import type { ServiceContext } from '../services/context';
import type { AppEnv } from './context';

/** What every use case gets from the request: bindings, the time, the request's logger and database. */
export function requestServices(c: Context<AppEnv>): Omit<ServiceContext, 'tenantId'> {
  return { env: c.env, now: new Date(), log: c.get('log'), databases: c.get('databases') };
}

/** The service context of an API-key route: the caller's own tenant. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const principal = c.get('principal');
  if (!principal) throw new Error(`route ${c.req.method} ${c.req.path} has no API-key guard`);
  return platformContext(c, principal.tenantId);
}

/** Who makes a change, for the audit log: the API key of the request. */
export function actorOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (!principal) throw new Error(`route ${c.req.method} ${c.req.path} has no API-key guard`);
  return principal.keyId;
}

/** The service context of a platform route acting on the tenant it names. */
export function platformContext(c: Context<AppEnv>, tenantId: string): ServiceContext {
  const base = requestServices(c);
  return { ...base, tenantId, log: base.log.child({ tenantId }) };
}
