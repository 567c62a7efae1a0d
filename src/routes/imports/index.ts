import { createRoute, z } from '@hono/zod-openapi';
import { ImportIdSchema, ImportQuerySchema, ImportSchema, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../contracts/imports';
import { IMPORT_COLUMNS } from '../../domain/imports/format';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { getImport, runImport } from '../../services/imports/imports';
import { tenantConfig } from '../../services/ingest/hot-config';

const tags = ['Import'];

const columns = IMPORT_COLUMNS.map((c) => `- \`${c.name}\`${c.required ? ' (required)' : ''}: ${c.description}`).join('\n');

export const importsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'ingest' },
      createRoute({
        method: 'post',
        path: '/v1/imports',
        operationId: 'createImport',
        tags,
        summary: 'Import history from CSV',
        description: `A CSV file (RFC 4180, UTF-8, a header row naming the columns in any order), one row per queue visit. Instants
are ISO-8601 with an offset; durations in seconds (up to 3 decimals). Each row becomes the events its call would have
produced (ids \`imp:<rowKey>:…\`) and goes through the same ingestion as \`POST /v1/events\`: the calls give the same
records and KPIs as if they had been sent as events, and importing a row again changes nothing. The body is read as it
streams (send it chunked); the answer comes once every row is durable, with the counts and the problems of refused
rows (row, column, problem): a bad row never stops the good ones. A header that is not this format is a 422 with
nothing imported. At most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB (413) and ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows (422 \`TOO_MANY_ROWS\`): past
either the import stops, the rows before it imported. Follow a running import with \`GET /v1/imports/{importId}\`, giving
the id yourself (\`id\`). Columns:

${columns}`,
        request: {
          query: ImportQuerySchema,
          body: { required: true, content: { 'text/csv': { schema: z.string() } } },
        },
        responses: { 201: jsonContent(ImportSchema, 'The import, finished: its counts and row problems.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const principal = c.get('principal');
      const length = c.req.header('content-length');
      const result = await runImport(ctx, {
        query: c.req.valid('query'),
        body: c.req.raw.body,
        contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
        config: tenantConfig(c.env, ctx.tenantId, principal?.configVersion ?? 0),
      });
      return c.json(result, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'ingest' },
      createRoute({
        method: 'get',
        path: '/v1/imports/{importId}',
        operationId: 'getImport',
        tags,
        summary: 'An import and its progress',
        description: 'While it runs: bytes and rows read so far, rows imported, unchanged and refused. Then its outcome.',
        request: { params: z.object({ importId: ImportIdSchema }) },
        responses: { 200: jsonContent(ImportSchema, 'The import.') },
      }),
    ),
    async (c) => c.json(await getImport(serviceContext(c), c.req.valid('param').importId), 200),
  );
