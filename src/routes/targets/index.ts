import { createRoute, z } from '@hono/zod-openapi';
import { LocalDate } from '../../contracts/common';
import {
  EffectiveTargetSchema,
  TargetCreateSchema,
  TargetPatchSchema,
  TargetReviewSchema,
  TargetSchema,
  TargetSuggestionSchema,
  TargetSuggestRequestSchema,
} from '../../contracts/targets';
import { limitAgentId } from '../../domain/key-limits';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, pageOf } from '../../http/openapi';
import { actorOf, serviceContext } from '../../http/service-context';
import { reachFor } from '../../services/key-limits/reach';
import { pageRequest } from '../../services/pagination';
import {
  createTarget,
  deleteTarget,
  effectiveTarget,
  getTarget,
  listTargets,
  reviewTargets,
  suggestTargets,
  updateTarget,
} from '../../services/targets/targets';

const tags = ['Targets'];
const targetParams = IdParam('targetId', 'tgt_01jx2c8v3m0000000000000000');
const targetId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').targetId as string;
const id64 = z.string().min(1).max(64);

const TargetListQuerySchema = z.object({
  metric: id64.optional(),
  teamId: id64.optional(),
  agentId: id64.optional(),
  at: LocalDate.optional().openapi({ description: 'Only the targets in effect on this day.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional(),
});

export const targetsRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/targets',
        operationId: 'listTargets',
        tags,
        summary: 'List KPI targets',
        request: { query: TargetListQuerySchema },
        responses: { 200: jsonContent(pageOf(TargetSchema, 'TargetPage'), 'A page of targets.') },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await listTargets(serviceContext(c), q, pageRequest(q)), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/targets',
        operationId: 'createTarget',
        tags,
        summary: 'Set a KPI target',
        description:
          'For the centre (no team, no agent), a team, or one agent, over days `[validFrom, validTo)`. An agent without its own target has its team’s, else the centre’s (`GET /v1/targets/effective`). One target per metric and per centre, team or agent at a time (`409 TARGET_OVERLAPS`).',
        request: { body: jsonBody(TargetCreateSchema) },
        responses: { 201: jsonContent(TargetSchema, 'The target.') },
      }),
    ),
    async (c) => {
      const created = await createTarget(serviceContext(c), actorOf(c), c.req.valid('json'));
      c.header('Location', `/v1/targets/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/targets/effective',
        operationId: 'getEffectiveTarget',
        tags,
        summary: 'The target an agent has on a day',
        description: 'Its own, else its team’s that day, else the centre’s; `value: null` when none applies.',
        request: { query: z.object({ metric: id64, agentId: id64, date: LocalDate }) },
        responses: { 200: jsonContent(EffectiveTargetSchema, 'The target and whose it is.') },
      }),
      { keyLimits: '`agentId` must be one of its agents (a team key: one ever in its team; an agent key: itself), else a 403.' },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = c.req.valid('query');
      const reach = await reachFor(ctx, keyLimit(c));
      return c.json(await effectiveTarget(ctx, reach ? { ...q, agentId: limitAgentId(reach, q.agentId) ?? q.agentId } : q), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/targets/suggest',
        operationId: 'suggestTargets',
        tags,
        summary: 'Suggest targets from a past period',
        description:
          'Per team and for the centre: the average of the agents’ values of the metric over the period (each agent once), made easier by `marginPercent` (default 10 %) and rounded (5 s, half a point, a whole count) towards the easier side. A proposal: nothing is saved; an admin sets the ones accepted with `POST /v1/targets`.',
        request: { body: jsonBody(TargetSuggestRequestSchema) },
        responses: { 200: jsonContent(TargetSuggestionSchema, 'The suggestions.') },
      }),
      { idempotencyKey: false },
    ),
    async (c) => c.json(await suggestTargets(serviceContext(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/targets/review',
        operationId: 'reviewTargets',
        tags,
        summary: 'Review targets against a past period',
        description:
          'For each target of the metric in effect on the period’s first day: the agents it applied to (the cascade, with their team that day) who have a value in the period, how many met it, and the verdict — `too_easy` when 90 % or more did, `too_hard` when 10 % or fewer did.',
        request: { query: z.object({ metric: id64, from: LocalDate, to: LocalDate.openapi({ description: 'Exclusive.' }) }) },
        responses: { 200: jsonContent(TargetReviewSchema, 'A review per target.') },
      }),
    ),
    async (c) => c.json(await reviewTargets(serviceContext(c), c.req.valid('query')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/targets/{targetId}',
        operationId: 'getTarget',
        tags,
        summary: 'Get a KPI target',
        request: { params: targetParams },
        responses: { 200: jsonContent(TargetSchema, 'The target.') },
      }),
    ),
    async (c) => c.json(await getTarget(serviceContext(c), targetId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/targets/{targetId}',
        operationId: 'updateTarget',
        tags,
        summary: 'Change a target’s value or end',
        request: { params: targetParams, body: jsonBody(TargetPatchSchema) },
        responses: { 200: jsonContent(TargetSchema, 'The target.') },
      }),
    ),
    async (c) => c.json(await updateTarget(serviceContext(c), actorOf(c), targetId(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/targets/{targetId}',
        operationId: 'deleteTarget',
        tags,
        summary: 'Delete a target',
        description: 'Logged in the audit log with what it was.',
        request: { params: targetParams },
        responses: { 200: jsonContent(z.object({ id: z.string(), outcome: z.literal('deleted') }), 'Deleted.') },
      }),
    ),
    async (c) => c.json(await deleteTarget(serviceContext(c), actorOf(c), targetId(c)), 200),
  );
