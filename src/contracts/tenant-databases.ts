import { z } from 'zod';
import { MOVE_STEPS } from '../domain/tenant-move';
import { Timestamp } from './common';

/** A Postgres connection string (`postgres://` or `postgresql://`, with a user and a database). */
const PostgresUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.username !== '' && url.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'Must be a postgres:// URL with a user and a database.');

export const TenantDatabaseAssignSchema = z
  .strictObject({
    databaseUrl: PostgresUrl.describe(
      "The application role's URL (on Neon, the pooled host): every read and write of the tenant. Must not bypass row-level security.",
    ),
    migrationUrl: PostgresUrl.describe(
      "The owner role's URL: migrations are applied through it (and by `npm run db:migrate -- --tenant`).",
    ),
  })
  .meta({ id: 'TenantDatabaseAssign' });
export type TenantDatabaseAssign = z.infer<typeof TenantDatabaseAssignSchema>;

const DatabaseRef = z
  .object({
    kind: z.enum(['shared', 'dedicated']),
    host: z.string().nullable().describe('Host of a dedicated database (never its credentials); null for the shared one.'),
    database: z.string().nullable(),
  })
  .meta({ id: 'TenantDatabaseRef' });

export const TenantDatabaseOperationSchema = z
  .object({
    id: z.string(),
    kind: z
      .enum(['move', 'migrate'])
      .describe('`move`: the data to another database; `migrate`: pending migrations applied to its own.'),
    from: DatabaseRef,
    to: DatabaseRef,
    step: z
      .enum([...MOVE_STEPS, 'failed'])
      .describe('migrate → prepare → fence → copy → verify → switch → purge → done (or failed).'),
    migrations: z.object({ applied: z.number().int(), total: z.number().int() }).nullable(),
    tables: z
      .array(
        z.object({
          table: z.string(),
          rows: z.number().int().describe('Rows copied.'),
          sourceRows: z.number().int().optional(),
          targetRows: z.number().int().optional(),
        }),
      )
      .describe('Progress per table, in the order they are copied.'),
    removedRows: z.number().int().describe('Rows of the tenant removed from the old database after the switch (purge).'),
    attempts: z.number().int().describe('Failed attempts of the current step in a row.'),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .meta({ id: 'TenantDatabaseOperation' });
export type TenantDatabaseOperation = z.infer<typeof TenantDatabaseOperationSchema>;

export const TenantDatabaseSchema = z
  .object({
    tenantId: z.string(),
    home: DatabaseRef.describe("Where the tenant's data lives now."),
    generation: z.number().int().describe('Bumped at every switch of database.'),
    operation: TenantDatabaseOperationSchema.nullable().describe('The latest move or migration, under way or finished.'),
  })
  .meta({ id: 'TenantDatabase' });
export type TenantDatabase = z.infer<typeof TenantDatabaseSchema>;
