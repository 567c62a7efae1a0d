import { createRoute, z } from '@hono/zod-openapi';
import { DeleteResultSchema } from '../../contracts/common';
import {
  CampaignCreateSchema,
  CampaignPatchSchema,
  CampaignSchema,
  DoNotCallChangeSchema,
  DoNotCallEntrySchema,
  DoNotCallResultSchema,
  OutboundCheckResultSchema,
  OutboundCheckSchema,
  QuietDaysSchema,
} from '../../contracts/outbound';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, ListQuerySchema, pageOf } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { tenantConfig } from '../../services/ingest/hot-config';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns, updateCampaign } from '../../services/outbound/campaigns';
import { checkOutbound } from '../../services/outbound/check';
import { addDoNotCall, listDoNotCall, removeDoNotCall } from '../../services/outbound/do-not-call';
import { getQuietDays, putQuietDays } from '../../services/outbound/quiet-days';
import { pageRequest } from '../../services/pagination';

const tags = ['Outbound'];
const campaignParams = IdParam('campaignId', 'cmp_01jx2c8v3m0000000000000000');
const campaignId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) => c.req.valid('param').campaignId as string;
const ListQuery = ListQuerySchema.omit({ includeArchived: true });
const QuietDaysOutSchema = z
  .object({ days: z.array(z.object({ date: z.string(), name: z.string().nullable() })) })
  .openapi('OutboundQuietDaysOut');

export const outboundRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'ingest' },
      createRoute({
        method: 'post',
        path: '/v1/outbound/check',
        operationId: 'checkOutbound',
        tags,
        summary: 'May a campaign call a number now (or at `at`)?',
        description:
          'The dialer’s question before each attempt (docs/outbound.md), answered by the tenant’s Durable Object without Postgres: the do-not-call list, the campaign’s caps and minimum gap, the tenant’s quiet days and the calling windows in the callee’s local time (the zone of the number’s country, or of its area code where the country spans zones; every candidate zone must allow). With `record: true` an allowed attempt is counted in the same step. A key of scope `ingest` (the dialer’s) or `admin`.',
        request: { body: jsonBody(OutboundCheckSchema) },
        responses: { 200: jsonContent(OutboundCheckResultSchema, 'The decision.') },
      }),
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const config = await tenantConfig(c.env, ctx.tenantId, c.get('principal')?.configVersion ?? 0);
      return c.json(await checkOutbound(ctx, config.callerSalt, c.req.valid('json')), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/outbound/campaigns',
        operationId: 'listCampaigns',
        tags,
        summary: 'List outbound campaigns',
        request: { query: ListQuery },
        responses: { 200: jsonContent(pageOf(CampaignSchema, 'CampaignPage'), 'A page of campaigns.') },
      }),
    ),
    async (c) => c.json(await listCampaigns(serviceContext(c), pageRequest(c.req.valid('query'))), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/outbound/campaigns',
        operationId: 'createCampaign',
        tags,
        summary: 'Create an outbound campaign',
        description: 'Its contact policy: calling windows in the callee’s local time, caps per number, the minimum gap.',
        request: { body: jsonBody(CampaignCreateSchema) },
        responses: { 201: jsonContent(CampaignSchema, 'The campaign.') },
      }),
    ),
    async (c) => {
      const created = await createCampaign(serviceContext(c), c.req.valid('json'));
      c.header('Location', `/v1/outbound/campaigns/${created.id}`);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/outbound/campaigns/{campaignId}',
        operationId: 'getCampaign',
        tags,
        summary: 'Get an outbound campaign',
        request: { params: campaignParams },
        responses: { 200: jsonContent(CampaignSchema, 'The campaign.') },
      }),
    ),
    async (c) => c.json(await getCampaign(serviceContext(c), campaignId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/outbound/campaigns/{campaignId}',
        operationId: 'updateCampaign',
        tags,
        summary: 'Change an outbound campaign',
        description: 'Fields given replace the campaign’s (`windows` and `caps` as a whole); checks see the change at once.',
        request: { params: campaignParams, body: jsonBody(CampaignPatchSchema) },
        responses: { 200: jsonContent(CampaignSchema, 'The campaign.') },
      }),
    ),
    async (c) => c.json(await updateCampaign(serviceContext(c), campaignId(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/outbound/campaigns/{campaignId}',
        operationId: 'deleteCampaign',
        tags,
        summary: 'Delete an outbound campaign',
        description: 'Checks against it answer 404; its attempts still count toward each number’s daily and weekly caps.',
        request: { params: campaignParams },
        responses: { 200: jsonContent(DeleteResultSchema, 'Archived.') },
      }),
    ),
    async (c) => c.json(await deleteCampaign(serviceContext(c), campaignId(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/outbound/do-not-call',
        operationId: 'listDoNotCall',
        tags,
        summary: 'The do-not-call list',
        description: 'Numbers are kept only as a salted hash and a masked form.',
        request: { query: ListQuery },
        responses: {
          200: jsonContent(
            z.object({ data: z.array(DoNotCallEntrySchema), nextCursor: z.string().nullable() }).openapi('DoNotCallPage'),
            'A page of entries.',
          ),
        },
      }),
    ),
    async (c) => c.json(await listDoNotCall(serviceContext(c), c.req.valid('query')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/outbound/do-not-call',
        operationId: 'addDoNotCall',
        tags,
        summary: 'Add numbers to the do-not-call list',
        description:
          'Up to 10,000 numbers a request, all or nothing: one invalid number is a 422 pointing at it. Numbers already on the list are left as they are.',
        request: { body: jsonBody(DoNotCallChangeSchema) },
        responses: { 200: jsonContent(DoNotCallResultSchema, 'How many were added.') },
      }),
    ),
    async (c) => c.json(await addDoNotCall(serviceContext(c), c.req.valid('json').numbers), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/outbound/do-not-call/remove',
        operationId: 'removeDoNotCall',
        tags,
        summary: 'Take numbers off the do-not-call list',
        request: { body: jsonBody(DoNotCallChangeSchema) },
        responses: { 200: jsonContent(DoNotCallResultSchema, 'How many were removed.') },
      }),
    ),
    async (c) => c.json(await removeDoNotCall(serviceContext(c), c.req.valid('json').numbers), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/outbound/quiet-days',
        operationId: 'getQuietDays',
        tags,
        summary: 'The tenant’s quiet days',
        responses: { 200: jsonContent(QuietDaysOutSchema, 'The quiet days.') },
      }),
    ),
    async (c) => c.json(await getQuietDays(serviceContext(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'put',
        path: '/v1/outbound/quiet-days',
        operationId: 'putQuietDays',
        tags,
        summary: 'Replace the tenant’s quiet days',
        description: 'No campaign calls anyone on these dates, in the callee’s local time. At most 500.',
        request: { body: jsonBody(QuietDaysSchema) },
        responses: { 200: jsonContent(QuietDaysOutSchema, 'The quiet days.') },
      }),
    ),
    async (c) => c.json(await putQuietDays(serviceContext(c), c.req.valid('json')), 200),
  );
