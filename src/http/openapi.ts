import { OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ApiKeyScope } from '../domain/api-keys';
import type { FieldIssue } from '../domain/errors';
import { UNSTORABLE_TEXT_MESSAGE, unstorablePaths } from '../domain/text';
import { requireApiKey, requireApiKeyOrLiveToken, requirePlatformToken } from './auth';
import type { AppEnv } from './context';
import { idempotency } from './idempotency';
import { jsonPointer, PROBLEM_CONTENT_TYPE, ProblemError, zodFieldIssues } from './problem';

const TARGETS: Record<string, FieldIssue['in']> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/**
 * A router whose validation failures are 422 problems with a pointer per field. Every string a
 * request carries (path ids, query filters, body fields and keys) must also be text Postgres can
 * store: a NUL in `GET /v1/queues/%00` or in a queue's name is a client mistake, never a 500.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      const where = TARGETS[result.target] ?? 'body';
      const failed = (errors: FieldIssue[]) =>
        new ProblemError(
          'VALIDATION_FAILED',
          `The request ${where === 'body' ? 'body' : `${where} parameters`} failed validation.`,
          { errors },
        );
      if (!result.success) throw failed(zodFieldIssues(result.error, where));
      const unstorable = unstorablePaths(result.data);
      if (unstorable.length > 0) {
        throw failed(unstorable.map((path) => ({ in: where, pointer: jsonPointer(path), detail: UNSTORABLE_TEXT_MESSAGE })));
      }
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code.' }),
    requestId: z.string().openapi({ example: 'req_01jx0000000000000000000000' }),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'query', 'path', 'header']),
          pointer: z.string().openapi({ example: '/serviceLevel/thresholdSeconds', description: 'RFC 6901 JSON pointer.' }),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or an unreadable header.',
  401: 'Missing, unknown, revoked or expired credentials.',
  403: 'The API key lacks the required scope, or is limited to a team or an agent this request reaches beyond (`KEY_LIMITED`).',
  404: 'No such resource in your tenant.',
  409: 'Conflict: a unique value is taken, the resource is archived, or the Idempotency-Key was used for another request.',
  413: 'Body too large.',
  415: 'Body is not JSON.',
  422: 'Validation failed; `errors[]` points at each field.',
  429: 'Rate limited; see `Retry-After`.',
  503: 'A dependency failed transiently; safe to retry.',
};

function problemResponses(statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_DESCRIPTIONS[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
    ]),
  );
}

export type Guard = { scope: ApiKeyScope } | 'platform' | 'public';

export const SCOPE_EXTENSION = 'x-required-scope';
/** Set on operations that let keys limited to a team or an agent through, saying how they apply the limit (docs/roles.md). */
export const KEY_LIMITS_EXTENSION = 'x-key-limits';

/**
 * A route with its guard (API-key scope, platform token or public), the Idempotency-Key handling
 * of mutating methods, and the error responses that follow from its shape, so the document and
 * the behaviour cannot drift apart.
 */
export function defineRoute<R extends RouteConfig>(
  guard: Guard,
  route: R,
  /**
   * `idempotencyKey: false` for a route idempotent by its content (the header would make it buffer its body).
   * `keyLimits`: the route honours keys limited to a team or an agent, and how, in a sentence (the `x-key-limits`
   * extension); without it such keys are refused with 403 `KEY_LIMITED` (docs/roles.md).
   */
  options: { idempotencyKey?: boolean; liveToken?: boolean; keyLimits?: string } = {},
): R {
  const mutating = route.method !== 'get' && route.method !== 'head';
  const replays = mutating && options.idempotencyKey !== false;
  const keyScope = typeof guard === 'object' && 'scope' in guard ? guard.scope : null;
  const middleware: MiddlewareHandler<AppEnv>[] = [];
  if (guard === 'platform') middleware.push(requirePlatformToken());
  else if (keyScope) {
    const limits = { honoursLimits: options.keyLimits !== undefined };
    middleware.push(options.liveToken ? requireApiKeyOrLiveToken(keyScope, limits) : requireApiKey(keyScope, limits));
  }
  // Webhooks are idempotent by event id; the header is for API clients.
  if (replays && (guard === 'platform' || keyScope)) middleware.push(idempotency());

  const statuses = new Set<number>();
  if (guard !== 'public') statuses.add(401);
  const add = (...codes: number[]) => {
    for (const code of codes) statuses.add(code);
  };
  if (keyScope) add(403, 429);
  if (route.request?.body) add(400, 413, 415);
  if (route.request?.body || route.request?.query || route.request?.params) statuses.add(422);
  if (route.request?.params) statuses.add(404);
  if (mutating && (guard === 'platform' || keyScope)) statuses.add(409);
  if (guard !== 'public') statuses.add(503);

  const headers =
    replays && guard !== 'public'
      ? {
          headers: z.object({
            'idempotency-key': z.string().optional().openapi({ description: 'Replays the first response for 24 h.' }),
          }),
        }
      : {};
  return {
    ...route,
    request: { ...headers, ...route.request },
    middleware: [...middleware, ...((route.middleware as MiddlewareHandler<AppEnv>[] | undefined) ?? [])],
    security: guard === 'platform' ? [{ platformToken: [] }] : guard === 'public' ? [] : [{ apiKey: [] }],
    ...(keyScope ? { [SCOPE_EXTENSION]: keyScope } : {}),
    ...(keyScope && options.keyLimits !== undefined ? { [KEY_LIMITS_EXTENSION]: options.keyLimits } : {}),
    responses: { ...problemResponses([...statuses].sort()), ...route.responses },
  };
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size (1–200).' }),
  cursor: z.string().min(1).max(200).optional().openapi({ description: '`nextCursor` from the previous page.' }),
  includeArchived: z.enum(['true', 'false']).default('false').openapi({ description: 'Include archived resources.' }),
});

/** A page of items with an opaque cursor to the next one (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** A path parameter `name`, typed by its name so `hono/client` knows it (`{ queueId: string }`). */
/** The `{version}` path parameter of a resource's versions (appraisal rules, QA forms): 1, 2, … */
export const versionParam = {
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
};

export const IdParam = <N extends string>(name: N, example: string) =>
  z.object({
    [name]: z
      .string()
      .min(1)
      .max(64)
      .openapi({ param: { name, in: 'path' }, example }),
  } as Record<N, z.ZodString>);
