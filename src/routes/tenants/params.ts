import { isTenantId } from '../../domain/api-keys';
import { notFound } from '../../domain/errors';
import { IdParam } from '../../http/openapi';

/** The `{tenantId}` of a platform route. */
export const tenantIdParams = IdParam('tenantId', 'tnt_01jx2c8v3m0000000000000000');

/** A platform route's tenant: a malformed id cannot exist, so it is a 404 like an unknown one. */
export function tenantParam(tenantId: string | undefined): string {
  if (!tenantId || !isTenantId(tenantId)) throw notFound('tenant', tenantId ?? '');
  return tenantId;
}
