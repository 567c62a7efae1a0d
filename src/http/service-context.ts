import type { Context } from 'hono';
import type { ServiceContext } from '../services/context';
import type { AppEnv } from './context';

/** The service context of an API-key route: the caller's tenant, now, the request's logger and DB. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const principal = c.get('principal');
  if (!principal) throw new Error(`route ${c.req.method} ${c.req.path} has no API-key guard`);
  return platformContext(c, principal.tenantId);
}

/** The service context of a platform route acting on one tenant. */
export function platformContext(c: Context<AppEnv>, tenantId: string): ServiceContext {
  return {
    env: c.env,
    tenantId,
    now: new Date(),
    log: c.get('log').child({ tenantId }),
    database: c.get('database'),
  };
}
