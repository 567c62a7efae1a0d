import type { HistorySink } from '../durable-objects/ports';
import { type DatabasesConfig, openDatabases } from './databases';
import { describeDbFailure, isDataError } from './errors';
import { historyBatch, writeHistory } from './history-writer';

/** The Durable Objects' outboxes drain into Postgres through this (wired in `src/index.ts`). */
export function postgresHistorySink(config: DatabasesConfig): HistorySink {
  return {
    open() {
      const dbs = openDatabases(config);
      return {
        write: (tenantId, batch) => writeHistory(dbs, tenantId, historyBatch(batch.records, batch.events, batch.ensure)),
        close: () => dbs.close(),
      };
    },
    isDataError,
    describeFailure: describeDbFailure,
  };
}
