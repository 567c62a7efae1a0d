import type { LiveToken } from '../../contracts/live-stream';
import type { ApiKeyLimit } from '../../domain/api-keys';
import { signLiveToken } from '../../lib/live-token';
import { parsePlatformKeys } from '../../lib/secret-box';
import type { ServiceContext } from '../context';
import { allowedQueues } from './live';

/**
 * A live token for a browser (a wallboard link on a wall TV): the stream with read access to the queues asked for
 * (all by default), until `ttlSeconds` from now, limited as the key that asked for it is (docs/roles.md). A token opened through another token (`allowed`) can only narrow it.
 */
export async function issueLiveToken(
  ctx: Pick<ServiceContext, 'env' | 'tenantId' | 'now'>,
  input: { keyId: string; queueIds: string[] | undefined; ttlSeconds: number; origin: string; limit?: ApiKeyLimit | null },
): Promise<LiveToken> {
  const queueIds = await allowedQueues(ctx, input.queueIds ?? null, null);
  const expiresAt = ctx.now.getTime() + input.ttlSeconds * 1000;
  const token = await signLiveToken(parsePlatformKeys(ctx.env.PLATFORM_KEYS), {
    tenantId: ctx.tenantId,
    keyId: input.keyId,
    queueIds,
    expiresAt,
    limit: input.limit ?? null,
  });
  const ws = input.origin.replace(/^http/, 'ws');
  return {
    token,
    expiresAt: new Date(expiresAt).toISOString(),
    queueIds,
    limit: input.limit ?? null,
    streamUrl: `${ws}/v1/live/stream?token=${encodeURIComponent(token)}`,
    wallboardUrl: `${input.origin}/wallboard#token=${encodeURIComponent(token)}`,
  };
}
