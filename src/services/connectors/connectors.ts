import { and, asc, eq, gt } from 'drizzle-orm';
import type { Connector, ConnectorCreate, ConnectorPatch, ConnectorWithSecret } from '../../contracts/connectors';
import type { Tx } from '../../db/client';
import { connectors } from '../../db/schema';
import { AppError, notFound } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { decryptSecret, encryptSecret, needsReencryption, type PlatformKeys, parsePlatformKeys } from '../../lib/secret-box';
import { generateWebhookSecret } from '../../lib/standard-webhooks';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';
import { refItems } from '../resources/resource-spec';
import { hotConnector } from '../tenants/hot-snapshot';
import { newConnectorId } from './connector-id';

type Row = typeof connectors.$inferSelect;

/** After a rotation the previous secret keeps verifying this long, so senders can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

function platformKeys(ctx: ServiceContext): PlatformKeys {
  try {
    return parsePlatformKeys(ctx.env.PLATFORM_KEYS);
  } catch (err) {
    throw Object.assign(
      new AppError('unavailable', 'SERVICE_UNAVAILABLE', 'Connector secrets cannot be sealed: PLATFORM_KEYS is not configured.'),
      {
        cause: err,
      },
    );
  }
}

export function presentConnector(r: Row): Connector {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider as Connector['provider'],
    enabled: r.enabled,
    unknownKeys: r.unknownKeys as Connector['unknownKeys'],
    queueMappings: r.queueMappings,
    agentMappings: r.agentMappings,
    webhookPath: `/v1/webhooks/${r.provider}/${r.id}`,
    previousSecretExpiresAt:
      r.previousSecretExpiresAt && r.previousSecretExpiresAt.getTime() > Date.now()
        ? r.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

async function checkMappings(tx: Tx, tenantId: string, input: ConnectorPatch): Promise<void> {
  const pointerKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  const items = (field: string, m: Record<string, string> | undefined) =>
    Object.entries(m ?? {}).flatMap(([key, id]) => refItems(`/${field}/${pointerKey(key)}`, id));
  await assertReferences(tx, tenantId, [
    { kind: 'queue', items: items('queueMappings', input.queueMappings) },
    { kind: 'agent', items: items('agentMappings', input.agentMappings) },
  ]);
}

async function loadRow(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(connectors)
    .where(and(eq(connectors.tenantId, tenantId), eq(connectors.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('connector', id);
  return row;
}

const mirror = (ctx: ServiceContext, row: Row | null, id: string) =>
  callTenantDO(ctx.env, ctx.tenantId, (s) => (row ? s.putConnector(hotConnector(row)) : s.removeConnector(id)));

/** Creates a connector with a fresh Standard Webhooks secret, sealed at rest; the secret is returned once. */
export async function createConnector(ctx: ServiceContext, input: ConnectorCreate): Promise<ConnectorWithSecret> {
  const keys = platformKeys(ctx);
  const id = newConnectorId(ctx.tenantId, ctx.now.getTime());
  const secret = generateWebhookSecret();
  const secretSealed = await encryptSecret(keys, secret, id);
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      await checkMappings(tx, ctx.tenantId, input);
      const [created] = await tx
        .insert(connectors)
        .values({
          tenantId: ctx.tenantId,
          id,
          name: input.name,
          provider: input.provider,
          enabled: input.enabled ?? true,
          unknownKeys: input.unknownKeys ?? 'reject',
          secretSealed,
          queueMappings: input.queueMappings ?? {},
          agentMappings: input.agentMappings ?? {},
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      if (!created) throw new Error('connector insert returned nothing');
      return created;
    },
    durable: (r) => mirror(ctx, r, id),
    undo: () => mirror(ctx, null, id),
  });
  return { ...presentConnector(row), secret };
}

export async function listConnectors(ctx: ServiceContext, page: PageRequest): Promise<Page<Connector>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(connectors)
      .where(and(eq(connectors.tenantId, ctx.tenantId), page.afterId ? gt(connectors.id, page.afterId) : undefined))
      .orderBy(asc(connectors.id))
      .limit(page.limit + 1),
  );
  return pageFrom(rows.map(presentConnector), page.limit);
}

export async function getConnector(ctx: ServiceContext, id: string): Promise<Connector> {
  return presentConnector(await tenantTx(ctx, (tx) => loadRow(tx, ctx.tenantId, id)));
}

export async function updateConnector(ctx: ServiceContext, id: string, patch: ConnectorPatch): Promise<Connector> {
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      await checkMappings(tx, ctx.tenantId, patch);
      const [after] = await tx
        .update(connectors)
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(patch.unknownKeys !== undefined ? { unknownKeys: patch.unknownKeys } : {}),
          ...(patch.queueMappings !== undefined ? { queueMappings: patch.queueMappings } : {}),
          ...(patch.agentMappings !== undefined ? { agentMappings: patch.agentMappings } : {}),
          updatedAt: ctx.now,
        })
        .where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, id)))
        .returning();
      return { before, after: after ?? before };
    },
    durable: ({ after }) => mirror(ctx, after, id),
    undo: ({ before }) => mirror(ctx, before, id),
  });
  return presentConnector(after);
}

export async function deleteConnector(ctx: ServiceContext, id: string): Promise<{ id: string; outcome: 'deleted' }> {
  await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      await tx.delete(connectors).where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, id)));
      return before;
    },
    durable: () => mirror(ctx, null, id),
    undo: (before) => mirror(ctx, before, id),
  });
  return { id, outcome: 'deleted' };
}

/** A new signing secret; the previous one keeps verifying for 24 h so the sender can switch over. */
export async function rotateConnectorSecret(ctx: ServiceContext, id: string): Promise<ConnectorWithSecret> {
  const keys = platformKeys(ctx);
  const secret = generateWebhookSecret();
  const sealed = await encryptSecret(keys, secret, id);
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      const [after] = await tx
        .update(connectors)
        .set({
          secretSealed: sealed,
          previousSecretSealed: before.secretSealed,
          previousSecretExpiresAt: new Date(ctx.now.getTime() + PREVIOUS_SECRET_GRACE_MS),
          updatedAt: ctx.now,
        })
        .where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, id)))
        .returning();
      if (!after) throw notFound('connector', id);
      return after;
    },
    durable: (r) => mirror(ctx, r, id),
    undo: async () => {
      const before = await tenantTx(ctx, (tx) => loadRow(tx, ctx.tenantId, id));
      return mirror(ctx, before, id);
    },
  });
  return { ...presentConnector(row), secret };
}

/** Seals every connector secret of the tenant under the current platform key (after a key rotation). */
export async function reencryptConnectorSecrets(
  ctx: ServiceContext,
): Promise<{ tenantId: string; reencrypted: number; total: number }> {
  const keys = platformKeys(ctx);
  const rows = await tenantTx(ctx, (tx) => tx.select().from(connectors).where(eq(connectors.tenantId, ctx.tenantId)));
  let reencrypted = 0;
  for (const r of rows) {
    const stale =
      needsReencryption(keys, r.secretSealed) ||
      (r.previousSecretSealed !== null && needsReencryption(keys, r.previousSecretSealed));
    if (!stale) continue;
    const reseal = async (sealed: string | null) =>
      sealed ? encryptSecret(keys, await decryptSecret(keys, sealed, r.id), r.id) : null;
    const secretSealed = (await reseal(r.secretSealed)) as string;
    const previousSecretSealed = await reseal(r.previousSecretSealed);
    await writeThrough(ctx, {
      postgres: async (tx) => {
        const [after] = await tx
          .update(connectors)
          .set({ secretSealed, previousSecretSealed })
          .where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, r.id)))
          .returning();
        return after ?? r;
      },
      durable: (after) => mirror(ctx, after, r.id),
      undo: () => mirror(ctx, r, r.id),
    });
    reencrypted++;
  }
  return { tenantId: ctx.tenantId, reencrypted, total: rows.length };
}
