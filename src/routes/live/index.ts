import { createRoute, z } from '@hono/zod-openapi';
import { LiveSnapshotSchema, SitesLiveSchema, TenantLiveSchema } from '../../contracts/live';
import { LiveServerMessageSchema, LiveTokenRequestSchema, LiveTokenSchema } from '../../contracts/live-stream';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { openLiveStream, queueLive, sitesLive, tenantLive } from '../../services/live/live';
import { issueLiveToken } from '../../services/live/tokens';

const StreamQuerySchema = z.object({
  queues: z
    .string()
    .max(4096)
    .regex(/^[^,]+(,[^,]+)*$/)
    .optional()
    .openapi({ description: 'Comma-separated queue ids (default: every queue of the tenant, or of the token).' }),
  token: z.string().max(9000).optional().openapi({ description: 'A live token (`POST /v1/live/tokens`), for browsers.' }),
});

export const liveRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/queues/{queueId}/live',
        operationId: 'getQueueLive',
        tags: ['Live'],
        summary: "A queue's live state",
        description:
          "Straight from the queue's Durable Object (works while Postgres is down): waiting callers, agents by state and time in state, today's KPIs in the tenant's zone and the last 15/30/60 minutes' (the catalog's definitions, each with numerator and denominator), outbox backlog.",
        request: { params: IdParam('queueId', 'que_01jx2c8v3m0000000000000000') },
        responses: { 200: jsonContent(LiveSnapshotSchema, 'The live snapshot.') },
      }),
    ),
    async (c) => c.json(await queueLive(serviceContext(c), c.req.valid('param').queueId as string), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/live',
        operationId: 'getLive',
        tags: ['Live'],
        summary: 'Every queue live, with totals per tenant, site and team',
        description:
          "Fanned in from every queue's Durable Object in parallel (works while Postgres is down). For pushes instead of polling, open `GET /v1/live/stream`.",
        responses: { 200: jsonContent(TenantLiveSchema, 'Every queue and the totals.') },
      }),
    ),
    async (c) => c.json(await tenantLive(serviceContext(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/live/sites',
        operationId: 'getLiveSites',
        tags: ['Live'],
        summary: 'Cross-site load: each site now, and where to overflow',
        description:
          "Per site: its queues' callers waiting and longest wait, its agents available and staffed, today's and the last hour's service level (the totals of `GET /v1/live`); and overflow suggestions — for each queue with callers waiting and no agent of its own site available to it, the other sites whose agents serving it are available now, each explained in a sentence. From the Durable Objects (works while Postgres is down). Keys limited to a team or an agent are refused: the load of a site is every team's.",
        responses: { 200: jsonContent(SitesLiveSchema, 'Each site and the overflow suggestions.') },
      }),
    ),
    async (c) => c.json(await sitesLive(serviceContext(c)), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/live/tokens',
        operationId: 'createLiveToken',
        tags: ['Live'],
        summary: 'A short-lived token for a browser to open the live stream',
        description:
          'Signed, stateless, read-only: the stream (and the wallboard) for the queues named, until it expires. Revoking the API key that asked for it closes its connections.',
        request: { body: jsonBody(LiveTokenRequestSchema) },
        responses: { 201: jsonContent(LiveTokenSchema, 'The token, with the stream and wallboard URLs.') },
      }),
      { keyLimits: 'The token carries the key’s limit: the stream it opens lists only the key’s agents.' },
    ),
    async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      if (!principal) throw new Error('guarded route without a principal');
      const origin = new URL(c.req.url).origin;
      const token = await issueLiveToken(serviceContext(c), {
        keyId: principal.keyId,
        queueIds: body.queueIds,
        ttlSeconds: body.ttlSeconds,
        origin,
        limit: principal.limit,
      });
      return c.json(token, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/live/stream',
        operationId: 'openLiveStream',
        tags: ['Live'],
        summary: 'The live stream (WebSocket)',
        description:
          'A WebSocket (send `Upgrade: websocket`) authenticated by an API key (`Authorization: Bearer`) or a live token (`?token=`). One connection serves any set of queues: a `hello`, then a snapshot of each queue, then each queue\'s snapshot whenever it changes (at most 4 a second per queue, at least every 10 s), each with the queue\'s `seq` to tell a gap. Acknowledge with `{"type":"ack","n":…}` at least every 20 s; a connection more than 240 messages behind is closed (4008), one silent for 60 s too (4002), a token\'s at its expiry (4001), and every connection of a revoked key (4003). Messages: `LiveServerMessage` in this document\'s components; docs/live.md has an example client.',
        request: { query: StreamQuerySchema },
        responses: {
          101: {
            description:
              'Switching protocols: the stream is open. The server sends `LiveServerMessage` text frames (the content here), the client `LiveClientMessage`.',
            content: { 'application/json': { schema: LiveServerMessageSchema } },
          },
          426: {
            description: 'Not a WebSocket upgrade (`UPGRADE_REQUIRED`).',
            content: { 'application/problem+json': { schema: z.object({ code: z.literal('UPGRADE_REQUIRED') }).passthrough() } },
          },
        },
      }),
      {
        liveToken: true,
        keyLimits:
          "A key (or live token) limited to a team or an agent watches queues like any read key — their numbers are counts that name nobody — but each snapshot lists only its agents (a team's members when the connection opened, or the agent itself), and alerts about other agents are not sent.",
      },
    ),
    async (c) => {
      const principal = c.get('principal');
      if (!principal) throw new Error('guarded route without a principal');
      const q = c.req.valid('query');
      const res = await openLiveStream(serviceContext(c), {
        request: c.req.raw,
        keyId: principal.keyId,
        token: c.get('liveToken') ?? null,
        queues: q.queues ? q.queues.split(',') : null,
        limit: principal.limit ?? null,
      });
      return res as never;
    },
  );
