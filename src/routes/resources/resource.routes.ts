import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DeleteResultSchema } from '../../contracts/common';
import { notFound } from '../../domain/errors';
import type { AppEnv } from '../../http/context';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { resourceIdsWithin } from '../../services/key-limits/reach';
import { pageRequest } from '../../services/pagination';
import { createResource, deleteResource, getResource, listResources, updateResource } from '../../services/resources/crud';
import type { AnyResourceSpec } from '../../services/resources/resource-spec';

interface ResourceRoutesOptions<
  Path extends `/v1/${string}`,
  Id extends string,
  Item extends z.ZodType,
  Create extends z.ZodType,
  Patch extends z.ZodType,
> {
  /** Collection path, e.g. `/v1/queues`. */
  path: Path;
  tag: string;
  /** Singular, capitalised, for names and summaries: `Queue`. */
  name: string;
  idParam: Id;
  idExample: string;
  spec: AnyResourceSpec;
  schemas: { item: Item; create: Create; patch: Patch };
  /**
   * Which of them a key limited to a team or an agent may list and get (docs/roles.md); without it such keys are
   * refused on this resource's reads, as everywhere.
   */
  keyLimits?: 'agent' | 'team';
}

/** The validated part of a request: inside this generic factory TypeScript cannot resolve a route's input type. */
const validated = (c: { req: object }, target: 'json' | 'param') =>
  (c.req as { valid: (target: 'json' | 'param') => Record<string, unknown> }).valid(target);

/**
 * The five routes of an admin resource: list (cursor pages), create, get, patch, delete-or-archive.
 * Reads need the `read` scope, changes `admin`. Every id in a path is looked up inside the caller's
 * tenant only, so another tenant's id is a plain 404.
 */
export function resourceRoutes<
  Path extends `/v1/${string}`,
  Id extends string,
  Item extends z.ZodType,
  Create extends z.ZodType,
  Patch extends z.ZodType,
>(o: ResourceRoutesOptions<Path, Id, Item, Create, Patch>) {
  const noun = o.name.toLowerCase();
  // Literal types of the paths and schemas, so `hono/client` sees each resource's routes and items.
  const itemPath = `${o.path}/{${o.idParam}}` as `${Path}/{${Id}}`;
  const params = IdParam(o.idParam, o.idExample);
  const item = jsonContent(o.schemas.item, `The ${noun}.`);
  const limits = o.keyLimits
    ? {
        keyLimits:
          o.keyLimits === 'agent'
            ? 'A team key: the agents ever in its team; an agent key: itself. Others are left out of the list, and a 404.'
            : 'A team key: its team; an agent key: the teams it has been in. Others are left out of the list, and a 404.',
      }
    : {};
  /** The ids a limited key may see, or undefined for a key of the whole tenant. */
  const within = async (c: Context<AppEnv>): Promise<string[] | undefined> => {
    const limit = keyLimit(c);
    return limit && o.keyLimits ? resourceIdsWithin(serviceContext(c), limit, o.keyLimits) : undefined;
  };

  return createRouter()
    .openapi(
      defineRoute(
        { scope: 'read' },
        createRoute({
          method: 'get',
          path: o.path,
          operationId: `list${o.name}s`,
          tags: [o.tag],
          summary: `List ${noun}s`,
          description: `Oldest first; archived ${noun}s only with \`includeArchived=true\`.`,
          request: { query: ListQuerySchema },
          responses: { 200: jsonContent(pageOf(o.schemas.item, `${o.name}Page`), `A page of ${noun}s.`) },
        }),
        limits,
      ),
      async (c) => {
        const query = c.req.valid('query');
        const page = await listResources(serviceContext(c), o.spec, {
          ...pageRequest(query),
          includeArchived: query.includeArchived === 'true',
          onlyIds: await within(c),
        });
        return c.json(page, 200);
      },
    )
    .openapi(
      defineRoute(
        { scope: 'admin' },
        createRoute({
          method: 'post',
          path: o.path,
          operationId: `create${o.name}`,
          tags: [o.tag],
          summary: `Create a ${noun}`,
          request: { body: jsonBody(o.schemas.create) },
          responses: { 201: item },
        }),
      ),
      async (c) => {
        const created = (await createResource(serviceContext(c), o.spec, validated(c, 'json'))) as { id: string };
        c.header('Location', `${o.path}/${created.id}`);
        return c.json(created, 201);
      },
    )
    .openapi(
      defineRoute(
        { scope: 'read' },
        createRoute({
          method: 'get',
          path: itemPath,
          operationId: `get${o.name}`,
          tags: [o.tag],
          summary: `Get a ${noun}`,
          request: { params },
          responses: { 200: item },
        }),
        limits,
      ),
      async (c) => {
        const id = validated(c, 'param')[o.idParam] as string;
        const ids = await within(c);
        if (ids && !ids.includes(id)) throw notFound(noun, id);
        return c.json(await getResource(serviceContext(c), o.spec, id), 200);
      },
    )
    .openapi(
      defineRoute(
        { scope: 'admin' },
        createRoute({
          method: 'patch',
          path: itemPath,
          operationId: `update${o.name}`,
          tags: [o.tag],
          summary: `Update a ${noun}`,
          description: 'Only the fields sent change; `null` clears a nullable field.',
          request: { params, body: jsonBody(o.schemas.patch) },
          responses: { 200: item },
        }),
      ),
      async (c) => {
        const id = validated(c, 'param')[o.idParam] as string;
        return c.json(await updateResource(serviceContext(c), o.spec, id, validated(c, 'json')), 200);
      },
    )
    .openapi(
      defineRoute(
        { scope: 'admin' },
        createRoute({
          method: 'delete',
          path: itemPath,
          operationId: `delete${o.name}`,
          tags: [o.tag],
          summary: `Delete a ${noun}`,
          description: `Deletes the ${noun}, or archives it when history or other resources refer to it (it then keeps its id, leaves lists, and lets go of its external keys).`,
          request: { params },
          responses: { 200: jsonContent(DeleteResultSchema, 'What happened to it.') },
        }),
      ),
      async (c) => c.json(await deleteResource(serviceContext(c), o.spec, validated(c, 'param')[o.idParam] as string), 200),
    );
}
