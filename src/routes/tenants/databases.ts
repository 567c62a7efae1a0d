import { createRoute } from '@hono/zod-openapi';
import { TenantDatabaseAssignSchema, TenantDatabaseSchema } from '../../contracts/tenant-databases';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { platformContext } from '../../http/service-context';
import {
  assignTenantDatabase,
  getTenantDatabase,
  migrateTenantDatabase,
  releaseTenantDatabase,
} from '../../services/tenant-databases/tenant-databases';
import { tenantIdParams, tenantParam } from './params';

const tags = ['Platform'];
const params = tenantIdParams;
const path = '/v1/tenants/{tenantId}/database';
const guide = 'See docs/dedicated-databases.md.';

/** A tenant's own Postgres database: where its data lives, moving it there and back, migrating it. */
export const tenantDatabasesRouter = createRouter()
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'get',
        path,
        tags,
        summary: "Where a tenant's data lives, and its latest database operation",
        operationId: 'getTenantDatabase',
        description: `The shared database or the tenant's own, and the progress of the latest move or migration (step, migrations applied, rows copied per table, counts verified). ${guide}`,
        request: { params },
        responses: { 200: jsonContent(TenantDatabaseSchema, "The tenant's database.") },
      }),
    ),
    async (c) => c.json(await getTenantDatabase(platformContext(c, tenantParam(c.req.valid('param').tenantId))), 200),
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'put',
        path,
        tags,
        summary: "Give a tenant a database of its own (moves the tenant's data there)",
        operationId: 'assignTenantDatabase',
        description: `Seals both connection strings, then moves the tenant's data in steps: migrations applied to the new database, its rows copied table by table while writes wait (ingestion goes on: the Durable Objects hold the events), counts verified, the switch, the old copy removed. Answers at once; follow the progress with GET. 409 while another operation of the tenant is under way. ${guide}`,
        request: { params, body: jsonBody(TenantDatabaseAssignSchema) },
        responses: { 202: jsonContent(TenantDatabaseSchema, 'The move has started.') },
      }),
    ),
    async (c) => {
      const ctx = platformContext(c, tenantParam(c.req.valid('param').tenantId));
      return c.json(await assignTenantDatabase(ctx, c.req.valid('json')), 202);
    },
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'delete',
        path,
        tags,
        summary: "Move a tenant's data back to the shared database",
        operationId: 'releaseTenantDatabase',
        description: `The same steps as a move to a database of its own, into the shared one. Answers at once; follow the progress with GET. ${guide}`,
        request: { params },
        responses: { 202: jsonContent(TenantDatabaseSchema, 'The move has started.') },
      }),
    ),
    async (c) => c.json(await releaseTenantDatabase(platformContext(c, tenantParam(c.req.valid('param').tenantId))), 202),
  )
  .openapi(
    defineRoute(
      'platform',
      createRoute({
        method: 'post',
        path: `${path}/migrate`,
        tags,
        summary: "Apply pending migrations to a tenant's own database",
        operationId: 'migrateTenantDatabase',
        description: `After a deploy that brought migrations: applies them, one transaction each, through the owner's URL (like \`npm run db:migrate -- --tenant <id>\`). Progress (migrations applied of all) with GET. ${guide}`,
        request: { params },
        responses: { 202: jsonContent(TenantDatabaseSchema, 'The migration has started.') },
      }),
    ),
    async (c) => c.json(await migrateTenantDatabase(platformContext(c, tenantParam(c.req.valid('param').tenantId))), 202),
  );
