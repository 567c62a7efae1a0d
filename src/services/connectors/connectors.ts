import { and, asc, eq, gt, sql } from 'drizzle-orm';
import {
  type Connector,
  type ConnectorCreate,
  type ConnectorCredentials,
  type ConnectorPatch,
  type ConnectorWarning,
  type ConnectorWithSecret,
  GENERATED_SECRET_PROVIDERS,
  providerIssues,
} from '../../contracts/connectors';
import type { Tx } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION, violatedConstraint } from '../../db/errors';
import { connectors } from '../../db/schema';
import { conflict, invalid, notFound } from '../../domain/errors';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { decryptSecret, encryptSecret, type PlatformKeys } from '../../lib/secret-box';
import { generateWebhookSecret } from '../../lib/standard-webhooks';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';
import { refItems } from '../resources/resource-spec';
import { platformKeys, resealRows } from '../sealed-secrets';
import { hotConnector } from '../tenants/hot-snapshot';
import { newConnectorId } from './connector-id';
import { resealDeliveryBodies } from './deliveries';

type Row = typeof connectors.$inferSelect;

/** After a rotation the previous secret keeps verifying this long, so senders can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

const connectorKeys = (ctx: ServiceContext) => platformKeys(ctx, 'Connector secrets');

/** Seals a connector's credentials (JSON) under the current platform key, bound to the connector id. */
export function sealCredentials(keys: PlatformKeys, connectorId: string, credentials: ConnectorCredentials): Promise<string> {
  return encryptSecret(keys, JSON.stringify(credentials), connectorId);
}

/** Opens sealed credentials (an early form sealed the bare Standard Webhooks secret). */
export async function openCredentials(keys: PlatformKeys, connectorId: string, sealed: string): Promise<ConnectorCredentials> {
  const plain = await decryptSecret(keys, sealed, connectorId);
  return plain.startsWith('{') ? (JSON.parse(plain) as ConnectorCredentials) : { secret: plain };
}

/** The names of the credentials that are set, for display (never the values). */
function credentialNames(provider: string): string[] {
  return (GENERATED_SECRET_PROVIDERS as readonly string[]).includes(provider) ? ['secret'] : [];
}

export function presentConnector(r: Row, credentials?: ConnectorCredentials, warnings: ConnectorWarning[] = []): Connector {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider as Connector['provider'],
    enabled: r.enabled,
    unknownKeys: r.unknownKeys as Connector['unknownKeys'],
    queueMappings: r.queueMappings,
    agentMappings: r.agentMappings,
    options: r.options,
    credentials: credentials
      ? Object.keys(credentials).sort()
      : r.credentialNames.length > 0
        ? r.credentialNames
        : credentialNames(r.provider),
    webhookPath: `/v1/webhooks/${r.provider}/${r.id}`,
    previousSecretExpiresAt:
      r.previousSecretExpiresAt && r.previousSecretExpiresAt.getTime() > Date.now()
        ? r.previousSecretExpiresAt.toISOString()
        : null,
    warnings,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** How far back a delivery's note still makes a connector warning. */
const WARNING_WINDOW = '24 hours';
/** Notes an adapter leaves in a delivery's `ignored` list that are about the connector's settings. */
const WARNING_NOTES: Record<string, ConnectorWarning['code']> = { timeZone: 'TIMEZONE_MISMATCH' };

/**
 * Warnings derived from the delivery log at read time: the newest note of each kind in a delivery received
 * since the connector last changed (so fixing the setting clears it) and within the last day.
 */
async function connectorWarnings(tx: Tx, tenantId: string, rows: Row[]): Promise<Map<string, ConnectorWarning[]>> {
  const out = new Map<string, ConnectorWarning[]>(rows.map((r) => [r.id, []]));
  if (rows.length === 0) return out;
  const found = await tx.execute<{ connector_id: string; what: string; reason: string; received_at: string; id: string }>(sql`
    SELECT DISTINCT ON (d.connector_id, n.what) d.connector_id, n.what, n.reason, d.received_at, d.id
    FROM connector_deliveries d
    JOIN connectors c ON c.tenant_id = d.tenant_id AND c.id = d.connector_id
    CROSS JOIN LATERAL jsonb_to_recordset(d.ignored) AS n(what text, reason text)
    WHERE d.tenant_id = ${tenantId} AND d.connector_id IN ${rows.map((r) => r.id)}
      AND d.received_at > greatest(c.updated_at, now() - ${WARNING_WINDOW}::interval)
      AND n.what IN ${Object.keys(WARNING_NOTES)}
    ORDER BY d.connector_id, n.what, d.received_at DESC`);
  for (const w of found.rows) {
    out.get(w.connector_id)?.push({
      code: WARNING_NOTES[w.what] as ConnectorWarning['code'],
      detail: w.reason,
      lastSeenAt: new Date(w.received_at).toISOString(),
      deliveryId: w.id,
    });
  }
  return out;
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

/** A connector's name is unique among the tenant's live connectors: taken is a 409 on the name, as for queues. */
function nameTaken(err: unknown): never {
  if (sqlState(err) !== UNIQUE_VIOLATION || violatedConstraint(err) !== 'connectors_name_unique') throw err;
  throw conflict('CONFLICT', 'Another connector already has this name.', [
    { in: 'body', pointer: '/name', detail: 'Already taken by another connector.' },
  ]);
}

const mirror = (ctx: ServiceContext, row: Row | null, id: string) =>
  callTenantDO(ctx.env, ctx.tenantId, (s) => (row ? s.putConnector(hotConnector(row)) : s.removeConnector(id)));

/**
 * Creates a connector. Standard Webhooks providers (generic, asterisk, freeswitch) get a fresh secret,
 * returned once; the others keep what the admin entered. Credentials are sealed at rest.
 */
export async function createConnector(ctx: ServiceContext, input: ConnectorCreate): Promise<ConnectorWithSecret> {
  const keys = connectorKeys(ctx);
  const id = newConnectorId(ctx.tenantId, ctx.now.getTime());
  const generated = (GENERATED_SECRET_PROVIDERS as readonly string[]).includes(input.provider);
  const secret = generated ? generateWebhookSecret() : undefined;
  const credentials: ConnectorCredentials = generated ? { secret } : (input.credentials ?? {});
  const secretSealed = await sealCredentials(keys, id, credentials);
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
          credentialNames: Object.keys(credentials).sort(),
          queueMappings: input.queueMappings ?? {},
          agentMappings: input.agentMappings ?? {},
          options: input.options ?? {},
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      if (!created) throw new Error('connector insert returned nothing');
      return created;
    },
    durable: (r) => mirror(ctx, r, id),
    undo: () => mirror(ctx, null, id),
  }).catch(nameTaken);
  return { ...presentConnector(row, credentials), ...(secret ? { secret } : {}) };
}

export async function listConnectors(ctx: ServiceContext, page: PageRequest): Promise<Page<Connector>> {
  const { rows, warnings } = await tenantTx(ctx, async (tx) => {
    const rows = await tx
      .select()
      .from(connectors)
      .where(and(eq(connectors.tenantId, ctx.tenantId), page.afterId ? gt(connectors.id, page.afterId) : undefined))
      .orderBy(asc(connectors.id))
      .limit(page.limit + 1);
    return { rows, warnings: await connectorWarnings(tx, ctx.tenantId, rows.slice(0, page.limit)) };
  });
  return pageFrom(
    rows.map((r) => presentConnector(r, undefined, warnings.get(r.id))),
    page.limit,
  );
}

export async function getConnector(ctx: ServiceContext, id: string): Promise<Connector> {
  const { row, warnings } = await tenantTx(ctx, async (tx) => {
    const row = await loadRow(tx, ctx.tenantId, id);
    return { row, warnings: await connectorWarnings(tx, ctx.tenantId, [row]) };
  });
  return presentConnector(row, undefined, warnings.get(row.id));
}

export async function updateConnector(ctx: ServiceContext, id: string, patch: ConnectorPatch): Promise<Connector> {
  const keys = patch.credentials ? connectorKeys(ctx) : null;
  const { after } = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      await checkMappings(tx, ctx.tenantId, patch);
      const provider = before.provider as ConnectorCreate['provider'];
      if (patch.credentials && (GENERATED_SECRET_PROVIDERS as readonly string[]).includes(provider)) {
        throw invalid([
          { in: 'body', pointer: '/credentials', detail: `Rotate a ${provider} connector's secret with POST /rotate-secret.` },
        ]);
      }
      const issues = providerIssues(
        provider,
        patch.credentials,
        patch.options ?? before.options,
        patch.credentials !== undefined,
      );
      if (issues.length)
        throw invalid(issues.map((i) => ({ in: 'body' as const, pointer: `/${i.path.join('/')}`, detail: i.message })));
      const rotated = keys && patch.credentials ? await sealCredentials(keys, id, patch.credentials) : null;
      const [after] = await tx
        .update(connectors)
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(patch.unknownKeys !== undefined ? { unknownKeys: patch.unknownKeys } : {}),
          ...(patch.queueMappings !== undefined ? { queueMappings: patch.queueMappings } : {}),
          ...(patch.agentMappings !== undefined ? { agentMappings: patch.agentMappings } : {}),
          ...(patch.options !== undefined ? { options: patch.options } : {}),
          ...(rotated
            ? {
                secretSealed: rotated,
                credentialNames: Object.keys(patch.credentials ?? {}).sort(),
                previousSecretSealed: before.secretSealed,
                previousSecretExpiresAt: new Date(ctx.now.getTime() + PREVIOUS_SECRET_GRACE_MS),
              }
            : {}),
          updatedAt: ctx.now,
        })
        .where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, id)))
        .returning();
      return { before, after: after ?? before };
    },
    durable: ({ after }) => mirror(ctx, after, id),
    undo: ({ before }) => mirror(ctx, before, id),
  }).catch(nameTaken);
  return presentConnector(after, patch.credentials);
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
  const keys = connectorKeys(ctx);
  const secret = generateWebhookSecret();
  const sealed = await sealCredentials(keys, id, { secret });
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      const before = await loadRow(tx, ctx.tenantId, id, true);
      if (!(GENERATED_SECRET_PROVIDERS as readonly string[]).includes(before.provider)) {
        throw invalid(
          [
            {
              in: 'path',
              pointer: '/connectorId',
              detail: `A ${before.provider} connector's credentials come from ${before.provider}: PATCH them.`,
            },
          ],
          'Only connectors with a generated signing secret can rotate it here.',
        );
      }
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
): Promise<{ tenantId: string; reencrypted: number; total: number; deliveryBodies: { resealed: number; remaining: number } }> {
  const keys = connectorKeys(ctx);
  const rows = await tenantTx(ctx, (tx) => tx.select().from(connectors).where(eq(connectors.tenantId, ctx.tenantId)));
  const reencrypted = await resealRows(ctx, keys, rows, {
    update: async (tx, r, sealed) =>
      (
        await tx
          .update(connectors)
          .set(sealed)
          .where(and(eq(connectors.tenantId, ctx.tenantId), eq(connectors.id, r.id)))
          .returning()
      )[0],
    mirror: (after) => mirror(ctx, after, after.id),
  });
  return { tenantId: ctx.tenantId, reencrypted, total: rows.length, deliveryBodies: await resealDeliveryBodies(ctx) };
}
