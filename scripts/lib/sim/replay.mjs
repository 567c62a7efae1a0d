// Replaying a CSV in the import format (docs/imports.md) as live traffic: each row becomes the events
// `POST /v1/imports` would make of it — the very same code, src/domain/imports/ (the CSV reader, the row
// reader and `rowEvents`), bundled with esbuild on the fly — sorted by time and sent through
// POST /v1/events on the simulator's clock.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

let mapping = null;

/** @typedef {{ id: string, type: string, occurredAt: string, interactionId: string, attrs?: { outcome?: string }, [k: string]: unknown }} ReplayEvent */

/**
 * The import mapping of the Worker's own source: `{ CsvReader, readHeader, readRow, rowEvents, IMPORT_EVENT_PREFIX }`.
 * Bundled into memory once (zod included) and imported from a data: URL, so nothing is written.
 */
export async function importMapping() {
  if (mapping) return mapping;
  const { build } = await import('esbuild');
  const result = await build({
    stdin: {
      contents: [
        "export { CsvReader } from './src/domain/imports/csv.ts';",
        "export { readHeader, readRow, rowEvents, IMPORT_EVENT_PREFIX } from './src/domain/imports/format.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'replay-mapping.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].text;
  mapping = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return mapping;
}

/**
 * Reads a CSV file in the import format: its valid rows and the problems of the others (as the import
 * reports them). `nowMs` bounds instants as the import does; pass Infinity for a replay moved in time.
 */
export async function readImportFile(file, nowMs) {
  const m = await importMapping();
  const reader = new m.CsvReader();
  const rows = [];
  const problems = [];
  let header = null;
  const take = (records) => {
    for (const record of records) {
      if (record.error && header) {
        problems.push({ row: record.line, column: null, problem: record.error });
        continue;
      }
      if (!header) {
        if (record.error) throw new Error(`${path.basename(file)}: the header: ${record.error}`);
        const h = m.readHeader(record.fields);
        if ('problems' in h) throw new Error(`${path.basename(file)}: ${h.problems.map((p) => p.problem).join(' ')}`);
        header = h.header;
        continue;
      }
      const r = m.readRow(record.line, record.fields, header, nowMs);
      if ('problems' in r) problems.push(...r.problems);
      else rows.push(r.row);
    }
  };
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  for await (const chunk of stream) take(reader.push(chunk));
  take(reader.end());
  return { rows, problems };
}

/**
 * The replay's facts at the file's own times, in time order: each row's events (`rowEvents`, with the
 * import's ids), `t` counted from the first of them.
 * @param {object[]} rows rows of `readImportFile`
 * @param {Awaited<ReturnType<typeof importMapping>>} m
 * @returns {{ t: number, at: number, type: string, outcome?: string, event: ReplayEvent }[]}
 */
export function replayFacts(rows, m) {
  const events = [];
  for (const row of rows) for (const event of m.rowEvents(row)) events.push({ at: Date.parse(event.occurredAt), event });
  // Stable: a row's events keep their order at the same instant (a join before its leave).
  events.sort((a, b) => a.at - b.at);
  const first = events[0]?.at ?? 0;
  return events.map(({ at, event }) => ({ t: at - first, at, type: event.type, outcome: event.attrs?.outcome, event }));
}

/**
 * The same facts moved by `shiftMs`. Moved, they are other calls than the file's (their instants differ),
 * so their ids and interaction ids carry the run's tag instead of the import's `imp:` prefix: a replay at
 * the file's own times sends exactly the import's events (replaying an imported file changes nothing),
 * a moved one adds calls of its own.
 * @param {ReturnType<typeof replayFacts>} facts
 * @param {{ shiftMs: number, tag: string, prefix: string }} o `prefix`: the mapping's IMPORT_EVENT_PREFIX
 */
export function moveFacts(facts, { shiftMs, tag, prefix }) {
  return facts.map((f) => {
    const at = f.at + shiftMs;
    const e = f.event;
    const event = {
      ...e,
      id: `sim-${tag}:${e.id.startsWith(prefix) ? e.id.slice(prefix.length) : e.id}`,
      occurredAt: new Date(at).toISOString(),
      interactionId: `sim-${tag}:${e.interactionId}`,
    };
    return { ...f, at, event };
  });
}
