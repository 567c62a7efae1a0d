import type { ApiKeyCreate, CreatedApiKey } from '../../contracts/api-keys';
import { apiKeys } from '../../db/schema';
import { limitProblems } from '../../domain/api-keys';
import { invalid } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { assertReferences } from '../resources/crud';
import { issueApiKey } from './issue-api-key';

/** Creates a key in Postgres and in the TenantDO together; the secret is returned once. */
export async function createApiKey(ctx: ServiceContext, input: ApiKeyCreate, createdBy: string): Promise<CreatedApiKey> {
  const issues = limitProblems(input.scopes, input.limit ?? null);
  if (input.expiresAt && new Date(input.expiresAt).getTime() <= ctx.now.getTime()) {
    issues.push({ in: 'body', pointer: '/expiresAt', detail: 'Must be in the future.' });
  }
  if (issues.length > 0) throw invalid(issues);
  const limit = input.limit ?? null;
  if (limit) {
    // The team or agent must be the tenant's own (and not archived): a key limited to nothing would see nothing.
    await tenantTx(ctx, (tx) =>
      assertReferences(
        tx,
        ctx.tenantId,
        'teamId' in limit
          ? [{ kind: 'team', items: [{ pointer: '/limit/teamId', id: limit.teamId }] }]
          : [{ kind: 'agent', items: [{ pointer: '/limit/agentId', id: limit.agentId }] }],
      ),
    );
  }
  const issued = await issueApiKey(ctx.tenantId, input, ctx.now, createdBy);
  await writeThrough(ctx, {
    postgres: (tx) => tx.insert(apiKeys).values(issued.row),
    durable: () => callTenantDO(ctx.env, ctx.tenantId, (s) => s.putApiKey(issued.record)),
    undo: () => callTenantDO(ctx.env, ctx.tenantId, (s) => s.removeApiKey(issued.record.id)),
  });
  return issued.created;
}
