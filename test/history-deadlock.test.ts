import { describe, expect, it } from 'vitest';
import { openDatabases } from '../src/db/databases';
import { emptyHistoryBatch, type HistoryBatch, writeHistory } from '../src/db/history-writer';
import { createTenant, type TestTenant } from './factories';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { normalizedEvent, T0 } from './helpers/ingest';

/** A flush's batch: the facts of these interactions and one event of each, in the order given. */
function batch(t: TestTenant, ids: string[], source: string): HistoryBatch {
  return {
    ...emptyHistoryBatch(),
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
    events: ids.map((id, i) =>
      normalizedEvent(t, {
        id: `${id}:${source}`,
        type: 'interaction.started',
        occurredAt: T0 + i,
        receivedAt: T0 + i,
        interactionId: id,
        direction: 'inbound',
      }),
    ),
  };
}

describe('concurrent flushes of overlapping interactions', () => {
  it('never deadlock: the TenantDO and QueueDOs write the same interactions in opposite orders at once', async () => {
    const t = await createTenant();
    const writers = [openDatabases(env), openDatabases(env), openDatabases(env)];
    try {
      for (let round = 0; round < 6; round++) {
        const ids = Array.from({ length: 300 }, (_, i) => `deadlock-${round}-${String(i).padStart(3, '0')}`);
        const reversed = [...ids].reverse();
        const shuffled = [...ids].sort((a, b) => (a.slice(-1) + a).localeCompare(b.slice(-1) + b));
        const results = await Promise.allSettled([
          writeHistory(writers[0] as (typeof writers)[number], t.id, batch(t, ids, 'tenant')),
          writeHistory(writers[1] as (typeof writers)[number], t.id, batch(t, reversed, 'queue')),
          writeHistory(writers[2] as (typeof writers)[number], t.id, batch(t, shuffled, 'queue')),
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
