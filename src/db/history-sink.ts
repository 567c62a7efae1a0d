import type { HistorySink } from '../durable-objects/ports';
import { openDatabase } from './client';
import { describeDbFailure, isDataError } from './errors';
import { historyBatch, writeHistory } from './history-writer';

/** The Durable Objects' outboxes drain into Postgres through this (wired in `src/index.ts`). */
export function postgresHistorySink(config: Parameters<typeof openDatabase>[0]): HistorySink {
  return {
    open() {
      const { db, close } = openDatabase(config);
      return {
        write: (tenantId, batch) => writeHistory(db, tenantId, historyBatch(batch.records, batch.events, batch.ensure)),
        close,
      };
    },
    isDataError,
    describeFailure: describeDbFailure,
  };
}
