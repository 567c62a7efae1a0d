import type { AnyEvent } from '../../domain/events/normalized';
import type { EventResult } from '../../domain/ingest-results';
import type { EnsureEntity } from '../ports';
import type { HotConnector, RouteOutcome, UnknownKeyPolicy } from './tenant.types';

/**
 * Each event's result: what routing decided, and for a routed one what its queues made of it (a queue-less
 * event goes to every queue of its interaction: revised anywhere means revised).
 */
export function routedResults(
  ids: readonly string[],
  outcomes: readonly RouteOutcome[],
  fromQueues: readonly { results: readonly { id: string; status: 'accepted' | 'duplicate' | 'revised' }[] }[],
): EventResult[] {
  const status = new Map<string, 'accepted' | 'duplicate' | 'revised'>();
  for (const q of fromQueues) for (const x of q.results) if (status.get(x.id) !== 'revised') status.set(x.id, x.status);
  return outcomes.map((o, i) => {
    const id = ids[i] ?? '';
    if (o.status === 'routed') return { id, status: status.get(id) ?? 'accepted' };
    if (o.status === 'rejected') return { id, status: 'rejected', reason: o.reason };
    return { id, status: o.status };
  });
}

/** Reads the tenant's entity tables; kept apart from the Durable Object so routing stays readable. */
export interface EntityLookup {
  entity(kind: 'queue' | 'agent', id: string): { archived: boolean } | null;
  byKey(kind: 'queue' | 'agent', provider: string, key: string): string | null;
  /** The one entity holding this key under any provider (null when none or several do). */
  byAnyKey(kind: 'queue' | 'agent', key: string): string | null;
}

export interface Resolution {
  /** Events with queueId/agentId filled in, in input order; null where the event is rejected. */
  events: (AnyEvent | null)[];
  rejected: Map<number, string>;
  errors: { index: number; field: string; detail: string }[];
  created: (EnsureEntity & { externalKey: { provider: string; key: string } })[];
}

const newEntityId = (kind: 'queue' | 'agent') => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${kind === 'queue' ? 'que' : 'agt'}_${time}${[...bytes].map((b) => alphabet[b % 32]).join('')}`;
};

/**
 * Resolves every queue and agent reference of a batch: Callboard ids must be this tenant's (else the
 * whole request is refused: nothing is written), provider keys go through the connector's mappings,
 * then the entities' own external keys; an unknown key is rejected or creates the queue/agent, as
 * the connector says. Reads only; the caller writes.
 */
export function resolveReferences(
  events: readonly AnyEvent[],
  lookup: EntityLookup,
  connector: HotConnector | null,
  policy: UnknownKeyPolicy,
): Resolution {
  const out: Resolution = { events: [], rejected: new Map(), errors: [], created: [] };
  const createdByKey = new Map<string, string>();
  // The first reason an event is rejected for is the one reported.
  const reject = (index: number, reason: string) => {
    if (!out.rejected.has(index)) out.rejected.set(index, reason);
  };

  const resolve = (
    index: number,
    kind: 'queue' | 'agent',
    id: string | null,
    key: string | null,
    provider: string,
  ): string | null => {
    const field = kind === 'queue' ? 'queueId' : 'agentId';
    if (id) {
      const found = lookup.entity(kind, id);
      if (!found) {
        out.errors.push({ index, field, detail: `No ${kind} with id '${id}' exists in this tenant.` });
        return null;
      }
      if (found.archived) reject(index, `${kind}_archived`);
      return id;
    }
    if (!key) return null;
    // Events sent through the API (provider `generic`, no connector) may name a key of any provider, if unambiguous.
    const mapped =
      (kind === 'queue' ? connector?.queueMappings : connector?.agentMappings)?.[key] ??
      lookup.byKey(kind, provider, key) ??
      (provider === 'generic' && !connector ? lookup.byAnyKey(kind, key) : null);
    if (mapped) {
      if (lookup.entity(kind, mapped)?.archived) reject(index, `${kind}_archived`);
      return mapped;
    }
    const planned = createdByKey.get(`${kind}:${key}`);
    if (planned) return planned;
    if (policy === 'create') {
      const newId = newEntityId(kind);
      createdByKey.set(`${kind}:${key}`, newId);
      out.created.push({ kind, id: newId, name: `${provider}:${key}`, externalKey: { provider, key } });
      return newId;
    }
    reject(index, `unknown_${kind}_key`);
    return null;
  };

  events.forEach((e, index) => {
    const queueId = resolve(index, 'queue', e.queueId, e.queueKey, e.provider);
    const agentId = resolve(index, 'agent', e.agentId, e.agentKey, e.provider);
    // A transfer's target, named by Callboard id, must be this tenant's too (an archived one is still history).
    if (e.type === 'transfer') {
      for (const [kind, field] of [
        ['queue', 'toQueueId'],
        ['agent', 'toAgentId'],
      ] as const) {
        const id = e.attrs[field];
        if (id && !lookup.entity(kind, id)) {
          out.errors.push({ index, field: `attrs/${field}`, detail: `No ${kind} with id '${id}' exists in this tenant.` });
        }
      }
    }
    out.events.push(out.rejected.has(index) ? null : ({ ...e, queueId, agentId } as AnyEvent));
  });
  return out;
}
