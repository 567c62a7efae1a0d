import { z } from 'zod';
import { Timestamp } from './common';

/** Bodies above this answer 413: read as they stream, never held whole. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
/** Data rows above this answer 422 `TOO_MANY_ROWS`. */
export const MAX_IMPORT_ROWS = 1_000_000;
/** Row problems kept per import; the counts go on. */
export const MAX_IMPORT_PROBLEMS = 1000;

export const ImportIdSchema = z
  .string()
  .regex(/^imp_[A-Za-z0-9_-]{1,60}$/, '`imp_` and 1–60 letters, digits, `_` or `-`.')
  .describe('The import id (`imp_…`).');

export const ImportQuerySchema = z.object({
  id: ImportIdSchema.optional().describe(
    'An id of your choosing (`imp_…`), so that a client can follow the progress (`GET /v1/imports/{importId}`) while it still uploads.',
  ),
  unknownKeys: z
    .enum(['reject', 'create'])
    .default('reject')
    .describe('A queue or agent external key no resource holds: the row is refused (`reject`), or the queue/agent is created.'),
});
export type ImportQuery = z.infer<typeof ImportQuerySchema>;

export const ImportProblemSchema = z
  .strictObject({
    row: z.number().int().min(1).describe('The line the row starts on; the header is line 1.'),
    column: z.string().nullable().describe('The column, or null for the row as a whole.'),
    problem: z.string(),
  })
  .meta({ id: 'ImportProblem' });
export type ImportProblem = z.infer<typeof ImportProblemSchema>;

export const ImportSchema = z
  .strictObject({
    id: ImportIdSchema,
    status: z
      .enum(['running', 'completed', 'failed'])
      .describe('`failed`: the import stopped before the end of the file (`error`).'),
    unknownKeys: z.enum(['reject', 'create']),
    bytesRead: z.number().int().describe('Bytes of the body read so far (a client knows its file size: progress).'),
    rowsRead: z.number().int().describe('Data rows read so far.'),
    rowsImported: z.number().int().describe('Rows that added or changed history.'),
    rowsUnchanged: z.number().int().describe('Rows whose every event was already there (imported before).'),
    rowsFailed: z.number().int().describe('Rows refused; the first ones are in `problems`.'),
    problems: z.array(ImportProblemSchema).describe(`The first ${MAX_IMPORT_PROBLEMS} problems, in file order.`),
    problemsTruncated: z.boolean(),
    error: z
      .strictObject({ code: z.string(), detail: z.string() })
      .nullable()
      .describe('Why the import stopped early; rows before it are imported.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Import' });
export type Import = z.infer<typeof ImportSchema>;
