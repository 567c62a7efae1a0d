import type { Tx } from '../db/client';
import { AppError } from '../domain/errors';
import { decryptSecret, encryptSecret, needsReencryption, type PlatformKeys, parsePlatformKeys } from '../lib/secret-box';
import { type ServiceContext, writeThrough } from './context';

/** The platform keys that seal secrets at rest; a 503 naming what cannot be sealed when they are not configured. */
export function platformKeys(ctx: Pick<ServiceContext, 'env'>, what: string): PlatformKeys {
  try {
    return parsePlatformKeys(ctx.env.PLATFORM_KEYS);
  } catch (err) {
    throw Object.assign(
      new AppError('unavailable', 'SERVICE_UNAVAILABLE', `${what} cannot be sealed: PLATFORM_KEYS is not configured.`),
      { cause: err },
    );
  }
}

/** A row holding a secret (and, during a rotation, the previous one) sealed under the platform keys, bound to its id. */
export interface SealedRow {
  id: string;
  secretSealed: string;
  previousSecretSealed: string | null;
}

/**
 * Seals again, under the current platform key, every row's secrets that an older key sealed (after a key rotation):
 * each row written through (Postgres and its Durable Object mirror together). Answers how many were.
 */
export async function resealRows<R extends SealedRow>(
  ctx: ServiceContext,
  keys: PlatformKeys,
  rows: readonly R[],
  steps: {
    update: (tx: Tx, row: R, sealed: Pick<SealedRow, 'secretSealed' | 'previousSecretSealed'>) => Promise<R | undefined>;
    mirror: (row: R) => Promise<unknown>;
  },
): Promise<number> {
  let resealed = 0;
  for (const r of rows) {
    const stale =
      needsReencryption(keys, r.secretSealed) ||
      (r.previousSecretSealed !== null && needsReencryption(keys, r.previousSecretSealed));
    if (!stale) continue;
    const reseal = async (sealed: string | null) =>
      sealed ? encryptSecret(keys, await decryptSecret(keys, sealed, r.id), r.id) : null;
    const sealed = {
      secretSealed: (await reseal(r.secretSealed)) as string,
      previousSecretSealed: await reseal(r.previousSecretSealed),
    };
    await writeThrough(ctx, {
      postgres: async (tx) => (await steps.update(tx, r, sealed)) ?? r,
      durable: (after) => steps.mirror(after),
      undo: () => steps.mirror(r),
    });
    resealed++;
  }
  return resealed;
}
