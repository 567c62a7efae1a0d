import { and, eq, inArray, ne, or } from 'drizzle-orm';
import type { ExternalKey } from '../../contracts/common';
import type { Tx } from '../../db/client';
import { agentExternalKeys, queueExternalKeys } from '../../db/schema';
import { conflict, type FieldIssue } from '../../domain/errors';

type KeyTable = typeof queueExternalKeys | typeof agentExternalKeys;

/** External keys of queues or agents: each (provider, key) belongs to one resource of the tenant. */
export function externalKeyStore(table: KeyTable, noun: string) {
  const owner = table.owner;

  return {
    async loadFor(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, ExternalKey[]>> {
      const byOwner = new Map<string, ExternalKey[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return byOwner;
      const rows = await tx
        .select({ owner, provider: table.provider, key: table.key })
        .from(table)
        .where(and(eq(table.tenantId, tenantId), inArray(owner, ids)))
        .orderBy(table.provider, table.key);
      for (const r of rows) byOwner.get(r.owner)?.push({ provider: r.provider as ExternalKey['provider'], key: r.key });
      return byOwner;
    },

    /** Replaces the resource's keys; a key held by another resource is a 409 pointing at it. */
    async replace(tx: Tx, tenantId: string, id: string, keys: ExternalKey[]): Promise<void> {
      if (keys.length > 0) {
        const taken = await tx
          .select({ owner, provider: table.provider, key: table.key })
          .from(table)
          .where(
            and(
              eq(table.tenantId, tenantId),
              ne(owner, id),
              or(...keys.map((k) => and(eq(table.provider, k.provider), eq(table.key, k.key)))),
            ),
          );
        if (taken.length > 0) {
          const issues: FieldIssue[] = keys.flatMap((k, i) => {
            const holder = taken.find((t) => t.provider === k.provider && t.key === k.key);
            return holder
              ? [{ in: 'body' as const, pointer: `/externalKeys/${i}`, detail: `Already mapped to ${noun} '${holder.owner}'.` }]
              : [];
          });
          throw conflict('CONFLICT', `An external key is already mapped to another ${noun}.`, issues);
        }
      }
      await tx.delete(table).where(and(eq(table.tenantId, tenantId), eq(owner, id)));
      if (keys.length > 0) {
        await tx.insert(table).values(keys.map((k) => ({ tenantId, owner: id, provider: k.provider, key: k.key })));
      }
    },

    async release(tx: Tx, tenantId: string, id: string): Promise<void> {
      await tx.delete(table).where(and(eq(table.tenantId, tenantId), eq(owner, id)));
    },
  };
}

export const queueKeys = externalKeyStore(queueExternalKeys, 'queue');
export const agentKeys = externalKeyStore(agentExternalKeys, 'agent');
