import { z } from '@hono/zod-openapi';
import type { Context, TypedResponse } from 'hono';
import { openDatabases } from '../db/databases';
import { attachment, CSV_CONTENT_TYPE, negotiateFormat, type ResponseFormat } from '../lib/csv';
import { errorFields } from '../lib/log';
import type { ServiceContext } from '../services/context';
import type { AppEnv } from './context';
import { serviceContext } from './service-context';

/** The `format` query parameter of a route that also answers in CSV. */
export const formatQuery = z
  .enum(['json', 'csv'])
  .optional()
  .openapi({ description: '`json` (the default) or `csv`. `Accept: text/csv` asks for CSV too; `format` wins over `Accept`.' });

/**
 * Whether the request asks for CSV, by `format` or by its `Accept` header. The answer says it depends on
 * `Accept` (`Vary`), so a cache never hands a JSON answer to a client that asked for CSV, or the reverse.
 */
export function wantsCsv(c: Context<AppEnv>, format: ResponseFormat | undefined): boolean {
  c.header('Vary', 'Accept');
  return negotiateFormat(format, c.req.header('Accept')) === 'csv';
}

/**
 * The 200 of a route answering JSON by default and CSV on request. The document lists both contents; the type
 * names only the JSON one, so `hono/client` users get the JSON answer's type from `res.json()` rather than a union
 * with `string` and `Response` (a CSV answer is read with `res.text()`). A handler returns its CSV as a `CsvAnswer`.
 */
export function jsonOrCsvContent<T extends z.ZodType>(
  schema: T,
  description: string,
  csv: string,
): { description: string; content: { 'application/json': { schema: T } } } {
  const content = {
    'application/json': { schema },
    'text/csv': {
      schema: z.string().openapi({
        description:
          'RFC 4180 CSV, UTF-8 (no byte-order mark), CRLF line ends, a header line first, sent as an attachment. A text ' +
          "cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so spreadsheets show it as text, never " +
          'run it as a formula; numbers are written as they are.',
      }),
    },
  };
  return { description: `${description} As CSV (\`format=csv\` or \`Accept: text/csv\`): ${csv}`, content };
}

/** A CSV `Response`, typed to fit a route whose declared type is its JSON answer (see `jsonOrCsvContent`). */
export type CsvAnswer = Response & TypedResponse<never, 200, 'json'>;

/** Text is handed to the client in chunks of about this many characters, not line by line. */
const CHUNK_CHARS = 16 * 1024;

/**
 * A CSV download streamed from `lines`: each pull takes lines until a chunk is full, so a producer that reads
 * pages as it goes (see `callPages`) is only asked for more as fast as the client reads. `done` runs once, when the
 * lines end, fail or the client goes away. A failure after the first bytes cannot become an error answer any more:
 * the body is aborted, so the client sees a broken download rather than a file that looks complete.
 */
export function csvResponse(
  c: Context<AppEnv>,
  filename: string,
  lines: Iterable<string> | AsyncIterable<string>,
  done: () => Promise<void> = async () => {},
): CsvAnswer {
  const it = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]();
  const encoder = new TextEncoder();
  let finished = false;
  // A pull can be under way when the client goes away: it must then neither enqueue nor report a failure.
  let cancelled = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await done().catch((err) => c.get('log').warn('csv: cleanup failed', errorFields(err)));
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let chunk = '';
        while (chunk.length < CHUNK_CHARS) {
          const next = await it.next();
          if (cancelled) return;
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            await finish();
            controller.close();
            return;
          }
          chunk += next.value;
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (err) {
        if (cancelled) return;
        c.get('log').error('csv: stream failed', errorFields(err));
        await finish();
        controller.error(err);
      }
    },
    async cancel() {
      cancelled = true;
      try {
        await it.return?.();
      } finally {
        await finish();
      }
    },
  });
  const response = new Response(body, {
    status: 200,
    headers: {
      'Content-Type': CSV_CONTENT_TYPE,
      'Content-Disposition': attachment(filename),
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Accept',
    },
  });
  return response as CsvAnswer;
}

/**
 * A service context with a database handle of its own, for a stream that reads after the handler has returned
 * (the request's handle is closed once the response is out, see `databasePerRequest`). Whoever takes it closes it.
 */
export function streamingContext(c: Context<AppEnv>): { ctx: ServiceContext; close: () => Promise<void> } {
  const handle = openDatabases(c.env);
  return { ctx: { ...serviceContext(c), databases: () => handle }, close: () => handle.close() };
}
