import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client';
import { type HistoryBatch, writeHistory } from '../src/db/history-writer';
import type { AnyEvent } from '../src/domain/events/normalized';
import { createTenant } from './factories';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { T0 } from './helpers/ingest';

/** A flush's batch: the facts of these interactions and one event of each, in the order given. */
function batch(tenantId: string, ids: string[], source: string): HistoryBatch {
  return {
    ensure: [],
    interactions: ids.map((id, i) => ({
      id,
      direction: 'inbound' as const,
      callerHash: null,
      callerMasked: null,
      startedAt: T0 + i,
      endedAt: null,
      hangupCause: null,
      endedBy: null,
      disposition: null,
      survey: null,
      ivr: null,
      firstEventAt: T0 + i,
      lastEventAt: T0 + i,
    })),
    visits: [],
    segments: [],
    intervals: [],
    deletions: [],
    events: ids.map(
      (id, i) =>
        ({
          id: `${id}:${source}`,
          type: 'interaction.started',
          tenantId,
          provider: 'generic',
          occurredAt: T0 + i,
          occurredAtSource: 'provider',
          receivedAt: T0 + i,
          interactionId: id,
          legId: null,
          queueId: null,
          queueKey: null,
          agentId: null,
          agentKey: null,
          direction: 'inbound',
          callerHash: null,
          callerMasked: null,
          attrs: {},
        }) as AnyEvent,
    ),
    deliveries: [],
  };
}

describe('concurrent flushes of overlapping interactions', () => {
  it('never deadlock: the TenantDO and QueueDOs write the same interactions in opposite orders at once', async () => {
    const t = await createTenant();
    const writers = [openDatabase(env), openDatabase(env), openDatabase(env)];
    try {
      for (let round = 0; round < 6; round++) {
        const ids = Array.from({ length: 300 }, (_, i) => `deadlock-${round}-${String(i).padStart(3, '0')}`);
        const reversed = [...ids].reverse();
        const shuffled = [...ids].sort((a, b) => (a.slice(-1) + a).localeCompare(b.slice(-1) + b));
        const results = await Promise.allSettled([
          writeHistory(writers[0]?.db as never, t.id, batch(t.id, ids, 'tenant')),
          writeHistory(writers[1]?.db as never, t.id, batch(t.id, reversed, 'queue')),
          writeHistory(writers[2]?.db as never, t.id, batch(t.id, shuffled, 'queue')),
        ]);
        const failed = results
          .filter((r) => r.status === 'rejected')
          .map((r) => String((r as PromiseRejectedResult).reason?.cause ?? (r as PromiseRejectedResult).reason).slice(0, 120));
        expect(failed, `round ${round}`).toEqual([]);
      }
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
    const counts = await asTenant(t.id, (sql) =>
      sql(`SELECT (SELECT count(*)::int FROM interactions) AS interactions, (SELECT count(*)::int FROM events) AS events`),
    );
    expect(counts[0]).toEqual({ interactions: 1800, events: 3600 });
  }, 60_000);
});
