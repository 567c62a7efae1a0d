import { and, eq } from 'drizzle-orm';
import {
  type Import,
  type ImportProblem,
  type ImportQuery,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_PROBLEMS,
  MAX_IMPORT_ROWS,
} from '../../contracts/imports';
import { sqlState, UNIQUE_VIOLATION } from '../../db/errors';
import { imports } from '../../db/schema';
import { AppError, conflict, invalid, notFound } from '../../domain/errors';
import type { WireEvent } from '../../domain/events/wire';
import { CsvReader } from '../../domain/imports/csv';
import { type Header, type ImportRow, readHeader, readRow, rowEvents } from '../../domain/imports/format';
import type { TenantConfig } from '../../durable-objects/tenant/tenant.types';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx } from '../context';
import { ingestEvents } from '../ingest/ingest-events';

/**
 * The limits of one import (the contract's), and how many events go to the ingest path at once: far
 * above an API client's 1,000, since the work per request (one TenantDO round trip, one storage
 * transaction per QueueDO) is paid once per batch, and the QueueDOs of one batch work in parallel.
 * Mutable only so that tests can reach the limits with small files.
 */
export const IMPORT_LIMITS = { bytes: MAX_IMPORT_BYTES, rows: MAX_IMPORT_ROWS, batchEvents: 5000 };

type Row = ImportRow & { events: WireEvent[] };

interface Progress {
  bytesRead: number;
  rowsRead: number;
  rowsImported: number;
  rowsUnchanged: number;
  rowsFailed: number;
  problems: ImportProblem[];
  problemsTruncated: boolean;
}

/**
 * `POST /v1/imports`: reads the CSV body as it streams in (never whole), turns each valid row into the
 * events its call would have produced and sends them through `ingestEvents` in large batches — the
 * same path as `POST /v1/events`, so imported calls give exactly the records and KPIs of calls sent as
 * events, and a row imported again is all duplicates. Progress and the row problems are kept in the
 * `imports` table after every batch. A file whose header is wrong is a 422 with nothing imported; a
 * body or row count past the limits stops the import there (413 / 422), the rows before it imported.
 */
export async function runImport(
  ctx: ServiceContext,
  input: {
    query: ImportQuery;
    body: ReadableStream<Uint8Array> | null;
    contentLength: number | null;
    config: TenantConfig | Promise<TenantConfig>;
  },
): Promise<Import> {
  if (input.contentLength !== null && input.contentLength > IMPORT_LIMITS.bytes) {
    throw new AppError('invalid', 'PAYLOAD_TOO_LARGE', `An import body is at most ${IMPORT_LIMITS.bytes} bytes.`);
  }
  const id = input.query.id ?? newId('import');
  try {
    await tenantTx(ctx, (tx) =>
      tx
        .insert(imports)
        .values({ tenantId: ctx.tenantId, id, status: 'running', options: { unknownKeys: input.query.unknownKeys } }),
    );
  } catch (err) {
    if (sqlState(err) === UNIQUE_VIOLATION) throw conflict('CONFLICT', `An import with id '${id}' exists already.`);
    throw err;
  }
  const progress: Progress = {
    bytesRead: 0,
    rowsRead: 0,
    rowsImported: 0,
    rowsUnchanged: 0,
    rowsFailed: 0,
    problems: [],
    problemsTruncated: false,
  };
  const save = (status: 'running' | 'completed' | 'failed', error: { code: string; detail: string } | null = null) => {
    // Found while reading or by the ingest path a batch later: shown in file order (a stable sort keeps a row's own order).
    progress.problems.sort((a, b) => a.row - b.row);
    return tenantTx(ctx, (tx) =>
      tx
        .update(imports)
        .set({
          status,
          bytesRead: progress.bytesRead,
          rowsRead: progress.rowsRead,
          rowsImported: progress.rowsImported,
          rowsUnchanged: progress.rowsUnchanged,
          rowsFailed: progress.rowsFailed,
          problems: progress.problems,
          problemsTruncated: progress.problemsTruncated,
          error,
          updatedAt: new Date(),
          ...(status === 'running' ? {} : { finishedAt: new Date() }),
        })
        .where(and(eq(imports.tenantId, ctx.tenantId), eq(imports.id, id))),
    );
  };

  const config = await input.config;
  const report = (p: ImportProblem) => {
    if (progress.problems.length < MAX_IMPORT_PROBLEMS) progress.problems.push(p);
    else progress.problemsTruncated = true;
  };
  const fail = (row: Row, column: string | null, problem: string) => {
    report({ row: row.line, column, problem });
    progress.rowsFailed += 1;
  };

  let pending: Row[] = [];
  let pendingEvents = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingEvents = 0;
    await ingestRows(ctx, batch, input.query.unknownKeys, config, progress, fail);
    await save('running');
  };

  try {
    let header: Header | null = null;
    const handle = async (records: ReturnType<CsvReader['push']>) => {
      for (const record of records) {
        if (header === null) {
          if (record.error) throw headerProblem([{ row: record.line, column: null, problem: record.error }]);
          const read = readHeader(record.fields);
          if ('problems' in read) throw headerProblem(read.problems);
          header = read.header;
          continue;
        }
        progress.rowsRead += 1;
        if (progress.rowsRead > IMPORT_LIMITS.rows) {
          progress.rowsRead -= 1;
          throw new AppError(
            'invalid',
            'TOO_MANY_ROWS',
            `An import takes at most ${IMPORT_LIMITS.rows} rows; the rows after line ${record.line - 1} were not read. Split the file: the rows before are imported, and importing them again changes nothing.`,
          );
        }
        if (record.error) {
          report({ row: record.line, column: null, problem: record.error });
          progress.rowsFailed += 1;
          continue;
        }
        const read = readRow(record.line, record.fields, header, ctx.now.getTime());
        if ('problems' in read) {
          for (const p of read.problems) report(p);
          progress.rowsFailed += 1;
          continue;
        }
        const events = rowEvents(read.row);
        pending.push({ ...read.row, events });
        pendingEvents += events.length;
        if (pendingEvents >= IMPORT_LIMITS.batchEvents) await flush();
      }
    };

    const reader = new CsvReader();
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    if (input.body) {
      const stream = input.body.getReader();
      for (;;) {
        const { done, value } = await stream.read();
        if (done) break;
        // Past the limit, the bytes up to it are still read (so where it stops does not depend on how the
        // body was chunked); a row cut by the limit is not complete, so it is not imported.
        const allowed = Math.min(value.byteLength, IMPORT_LIMITS.bytes - progress.bytesRead);
        const over = allowed < value.byteLength;
        progress.bytesRead += allowed;
        let text: string;
        try {
          text = decoder.decode(over ? value.subarray(0, allowed) : value, { stream: true });
        } catch {
          throw new AppError(
            'invalid',
            'VALIDATION_FAILED',
            `The body is not UTF-8 (at data row ${progress.rowsRead + 1} or just after it).`,
          );
        }
        await handle(reader.push(text));
        if (over) {
          await stream.cancel().catch(() => {});
          throw new AppError(
            'invalid',
            'PAYLOAD_TOO_LARGE',
            `An import body is at most ${IMPORT_LIMITS.bytes} bytes; the rest was not read (the rows before it are imported).`,
          );
        }
      }
    }
    try {
      await handle(reader.push(decoder.decode()));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('invalid', 'VALIDATION_FAILED', 'The body is not UTF-8 (it ends within a character).');
    }
    await handle(reader.end());
    if (header === null) throw headerProblem([{ row: 1, column: null, problem: 'The file is empty: it needs a header row.' }]);
    await flush();
    await save('completed');
  } catch (err) {
    // A limit or an unreadable byte stops the reading, not the rows read before it.
    if (err instanceof AppError && err.kind === 'invalid') {
      await flush().catch((flushErr) =>
        ctx.log.error('ingesting the rows before a stop failed', { id, error: String(flushErr) }),
      );
    }
    const error =
      err instanceof AppError
        ? { code: err.code, detail: err.message }
        : { code: 'INTERNAL_ERROR', detail: 'The import failed.' };
    await save('failed', error).catch((saveErr) =>
      ctx.log.error('saving a failed import failed', { id, error: String(saveErr) }),
    );
    throw err;
  }
  return getImport(ctx, id);
}

function headerProblem(problems: ImportProblem[]): AppError {
  return invalid(
    problems.map((p) => ({ in: 'body' as const, pointer: p.column ? `/header/${p.column}` : '/header', detail: p.problem })),
    `The header row is not the Callboard import format: ${problems.map((p) => p.problem).join(' ')}`,
  );
}

/** Tries of one batch when the ingest path answers 503, before the import fails (rows before it stay imported). */
const UNAVAILABLE_ATTEMPTS = 3;

/** What an event's rejection says about its row, and which column it points at. */
const REJECTIONS: Record<string, { column: string | null; problem: string }> = {
  unknown_queue_key: {
    column: 'queue',
    problem: 'No queue has this external key (import with unknownKeys=create to create it).',
  },
  unknown_agent_key: {
    column: 'agent',
    problem: 'No agent has this external key (import with unknownKeys=create to create it).',
  },
  queue_archived: { column: 'queue', problem: 'The queue is archived.' },
  agent_archived: { column: 'agent', problem: 'The agent is archived.' },
  occurred_in_future: { column: null, problem: 'An instant of the row is in the future.' },
};

/**
 * Ingests the events of some rows and counts each row: imported (some event new or revised),
 * unchanged (all duplicates) or failed (an event rejected: every event of a row names its queue and
 * agent, so a bad reference rejects them all). A Callboard id that is not the tenant's refuses a whole
 * request: those rows are reported and the rest sent again.
 */
async function ingestRows(
  ctx: ServiceContext,
  rows: Row[],
  unknownKeys: ImportQuery['unknownKeys'],
  config: TenantConfig,
  progress: Progress,
  fail: (row: Row, column: string | null, problem: string) => void,
): Promise<void> {
  let remaining = rows;
  let attempt = 0;
  for (;;) {
    const events = remaining.flatMap((r) => r.events);
    if (events.length === 0) return;
    attempt += 1;
    try {
      const result = await ingestEvents(ctx, {
        events,
        provider: 'generic',
        connectorId: null,
        connectorSecret: null,
        unknownKeys,
        config,
      });
      let k = 0;
      for (const row of remaining) {
        const results = result.results.slice(k, k + row.events.length);
        k += row.events.length;
        const rejected = results.find((r) => r.status === 'rejected');
        if (rejected) {
          const known = REJECTIONS[rejected.reason ?? ''];
          fail(row, known?.column ?? null, known?.problem ?? `Refused: ${rejected.reason ?? 'rejected'}.`);
        } else if (results.every((r) => r.status === 'duplicate')) progress.rowsUnchanged += 1;
        else progress.rowsImported += 1;
      }
      return;
    } catch (err) {
      // A Durable Object hiccup (503): sending the batch again is safe, repeats are dropped by id (a row whose
      // events had landed before the failure then counts as unchanged).
      if (err instanceof AppError && err.kind === 'unavailable' && attempt < UNAVAILABLE_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 250 * attempt));
        continue;
      }
      if (!(err instanceof AppError) || err.code !== 'UNKNOWN_REFERENCE') throw err;
      // `/events/<index>/<field>`: the rows holding those events go, with the field's column.
      const owner: Row[] = remaining.flatMap((r) => r.events.map(() => r));
      const bad = new Map<Row, string>();
      for (const issue of err.extra.issues ?? []) {
        const [, , index, field] = issue.pointer.split('/');
        const row = owner[Number(index)];
        if (row && !bad.has(row)) bad.set(row, field === 'agentId' ? 'agent' : 'queue');
      }
      if (bad.size === 0) throw err;
      for (const [row, column] of bad) fail(row, column, `No ${column} with this id exists in this tenant.`);
      remaining = remaining.filter((r) => !bad.has(r));
    }
  }
}

/** `GET /v1/imports/{importId}`. */
export async function getImport(ctx: ServiceContext, id: string): Promise<Import> {
  const [row] = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(imports)
      .where(and(eq(imports.tenantId, ctx.tenantId), eq(imports.id, id))),
  );
  if (!row) throw notFound('import', id);
  const options = row.options as { unknownKeys: Import['unknownKeys'] };
  return {
    id: row.id,
    status: row.status as Import['status'],
    unknownKeys: options.unknownKeys,
    bytesRead: row.bytesRead,
    rowsRead: row.rowsRead,
    rowsImported: row.rowsImported,
    rowsUnchanged: row.rowsUnchanged,
    rowsFailed: row.rowsFailed,
    problems: row.problems as ImportProblem[],
    problemsTruncated: row.problemsTruncated,
    error: (row.error as Import['error']) ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
