import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

/**
 * One import of history (`POST /v1/imports`): its progress while the body streams in, then its
 * outcome. The rows themselves become events (their ids from the row keys), so this table only
 * counts and reports; `problems` keeps the first rows refused (capped), each with row, column, problem.
 */
export const imports = pgTable(
  'imports',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    status: text('status').notNull(),
    /** The options the import ran with (`unknownKeys`), and a name the client gave. */
    options: jsonb('options').notNull(),
    bytesRead: bigint('bytes_read', { mode: 'number' }).notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsImported: integer('rows_imported').notNull().default(0),
    rowsUnchanged: integer('rows_unchanged').notNull().default(0),
    rowsFailed: integer('rows_failed').notNull().default(0),
    /** `{ row, column, problem }`, sorted by row; `problemsTruncated` once the cap dropped some. */
    problems: jsonb('problems').notNull().default(sql`'[]'::jsonb`),
    problemsTruncated: boolean('problems_truncated').notNull().default(false),
    /** Why the import stopped before the end of its body (a limit, a failure), when it did. */
    error: jsonb('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    index('imports_created_idx').on(t.tenantId, t.createdAt),
    check('imports_status_check', sql`${t.status} in ('running', 'completed', 'failed')`),
    tenantIsolation(),
  ],
).enableRLS();
