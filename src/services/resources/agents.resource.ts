import { and, eq, inArray } from 'drizzle-orm';
import type { Agent, AgentCreate, AgentPatch } from '../../contracts/agents';
import type { Tx } from '../../db/client';
import { agentQueues, agents } from '../../db/schema';
import { invalid } from '../../domain/errors';
import { recordMembership } from './agent-memberships';
import { agentKeys } from './external-keys';
import { resourceTimestamps } from './present';
import { presentFields, type ResourceSpec, refItems } from './resource-spec';

type Row = typeof agents.$inferSelect;

/** The day employment ends comes after the first (`leftOn` is exclusive). */
function checkEmployment<T extends { hiredOn?: unknown; leftOn?: unknown }>(values: T): T {
  const { hiredOn, leftOn } = values;
  if (typeof hiredOn === 'string' && typeof leftOn === 'string' && leftOn <= hiredOn) {
    throw invalid([{ in: 'body', pointer: '/leftOn', detail: 'Must be after `hiredOn` (it is the day after the last day).' }]);
  }
  return values;
}

async function queueIdsFor(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, string[]>> {
  const byAgent = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byAgent;
  const rows = await tx
    .select({ agentId: agentQueues.agentId, queueId: agentQueues.queueId })
    .from(agentQueues)
    .where(and(eq(agentQueues.tenantId, tenantId), inArray(agentQueues.agentId, ids)))
    .orderBy(agentQueues.queueId);
  for (const r of rows) byAgent.get(r.agentId)?.push(r.queueId);
  return byAgent;
}

export const agentSpec: ResourceSpec<Row, Agent, AgentCreate, AgentPatch> = {
  noun: 'agent',
  idKind: 'agent',
  table: agents,
  insertValues: (input) =>
    checkEmployment({
      name: input.name,
      email: input.email ?? null,
      teamId: input.teamId ?? null,
      siteId: input.siteId ?? null,
      hiredOn: input.hiredOn ?? null,
      leftOn: input.leftOn ?? null,
    }),
  updateValues: (patch, current) => {
    const set = presentFields(patch, ['name', 'email', 'teamId', 'siteId', 'hiredOn', 'leftOn']);
    checkEmployment({ hiredOn: current.hiredOn, leftOn: current.leftOn, ...set });
    return set;
  },
  references: (input) => [
    { kind: 'team', items: refItems('/teamId', input.teamId) },
    { kind: 'site', items: refItems('/siteId', input.siteId) },
    { kind: 'queue', items: refItems('/queueIds', input.queueIds) },
  ],
  relations: {
    write: async (tx, tenantId, id, input, at) => {
      await recordMembership(tx, tenantId, id, input, at.now, at.created);
      if (input.externalKeys !== undefined) await agentKeys.replace(tx, tenantId, id, input.externalKeys);
      if (input.queueIds !== undefined) {
        await tx.delete(agentQueues).where(and(eq(agentQueues.tenantId, tenantId), eq(agentQueues.agentId, id)));
        if (input.queueIds.length > 0) {
          await tx.insert(agentQueues).values(input.queueIds.map((queueId) => ({ tenantId, agentId: id, queueId })));
        }
      }
    },
    release: async (tx, tenantId, id) => {
      await agentKeys.release(tx, tenantId, id);
      await tx.delete(agentQueues).where(and(eq(agentQueues.tenantId, tenantId), eq(agentQueues.agentId, id)));
    },
  },
  present: async (tx, tenantId, rows) => {
    const ids = rows.map((r) => r.id);
    const [keys, memberships] = [await agentKeys.loadFor(tx, tenantId, ids), await queueIdsFor(tx, tenantId, ids)];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      teamId: r.teamId,
      siteId: r.siteId,
      queueIds: memberships.get(r.id) ?? [],
      externalKeys: keys.get(r.id) ?? [],
      hiredOn: r.hiredOn,
      leftOn: r.leftOn,
      ...resourceTimestamps(r),
    }));
  },
  uniqueFields: { agents_email_unique: '/email', agent_external_keys_unique: '/externalKeys' },
  hotPath: {
    kind: 'agent',
    view: (a) => ({
      id: a.id,
      name: a.name,
      archived: a.archivedAt !== null,
      queueIds: a.queueIds,
      externalKeys: a.externalKeys,
      teamId: a.teamId,
      siteId: a.siteId,
    }),
  },
};
