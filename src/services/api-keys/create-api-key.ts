import type { ApiKeyCreate, CreatedApiKey } from '../../contracts/api-keys';
import { apiKeys } from '../../db/schema';
import { invalid } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { type ServiceContext, writeThrough } from '../context';
import { issueApiKey } from './issue-api-key';

/** Creates a key in Postgres and in the TenantDO together; the secret is returned once. */
export async function createApiKey(ctx: ServiceContext, input: ApiKeyCreate, createdBy: string): Promise<CreatedApiKey> {
  if (input.expiresAt && new Date(input.expiresAt).getTime() <= ctx.now.getTime()) {
    throw invalid([{ in: 'body', pointer: '/expiresAt', detail: 'Must be in the future.' }]);
  }
  const issued = await issueApiKey(ctx.tenantId, input, ctx.now, createdBy);
  await writeThrough(ctx, {
    postgres: (tx) => tx.insert(apiKeys).values(issued.row),
    durable: () => callTenantDO(ctx.env, ctx.tenantId, (s) => s.putApiKey(issued.record)),
    undo: () => callTenantDO(ctx.env, ctx.tenantId, (s) => s.removeApiKey(issued.record.id)),
  });
  return issued.created;
}
