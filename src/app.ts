import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { LiveClientMessageSchema } from './contracts/live-stream';
import type { AppEnv } from './http/context';
import { databasePerRequest, requestContext } from './http/middleware';
import { ProblemError, problemResponse, toProblem } from './http/problem';
import { errorFields } from './lib/log';
import { alertsRouter } from './routes/alerts';
import { apiKeysRouter } from './routes/api-keys';
import { appraisalRouter } from './routes/appraisal';
import { briefingsRouter } from './routes/briefings';
import { callsRouter } from './routes/calls';
import { connectorsRouter } from './routes/connectors';
import { deadLettersRouter } from './routes/dead-letters';
import { docsRouter } from './routes/docs';
import { eventsRouter } from './routes/events';
import { forecastsRouter } from './routes/forecasts';
import { healthRouter } from './routes/health';
import { importsRouter } from './routes/imports';
import { kpisRouter } from './routes/kpis';
import { kpiExplainRouter } from './routes/kpis/explain';
import { volumeProfileRouter } from './routes/kpis/volume-profile';
import { liveRouter } from './routes/live';
import { outboundRouter } from './routes/outbound';
import { peopleRouter } from './routes/people';
import { qaRouter } from './routes/qa';
import { agentsRouter, queuesRouter, sitesRouter, teamsRouter } from './routes/resources';
import { agentMembershipsRouter } from './routes/resources/agent-memberships.routes';
import { schedulesRouter } from './routes/schedules';
import { settingsRouter } from './routes/settings';
import { staffingRouter } from './routes/staffing';
import { staffingPlanRouter } from './routes/staffing-plan';
import { surveysRouter } from './routes/surveys';
import { targetsRouter } from './routes/targets';
import { tenantsRouter } from './routes/tenants';
import { tenantDatabasesRouter } from './routes/tenants/databases';
import { trainingRouter } from './routes/training';
import { wallboardRouter } from './routes/wallboard';
import { webhookEndpointsRouter } from './routes/webhook-endpoints';
import { webhooksRouter } from './routes/webhooks';

export const API_VERSION = '0.1.0';
/** Bodies above this answer 413 … */
export const MAX_BODY_BYTES = 1024 * 1024;
/** … except event batches (up to 1,000 events). */
export const MAX_INGEST_BODY_BYTES = 5 * 1024 * 1024;
const INGEST_PATHS = /^\/v1\/(events|webhooks\/)/;
/** Imports stream their body and count its bytes themselves (the limit middleware would buffer a chunked body). */
const STREAMED_PATHS = /^\/v1\/imports$/;

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestContext());
  app.use('*', databasePerRequest());
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ProblemError('PAYLOAD_TOO_LARGE', `The body exceeds ${maxSize} bytes.`);
      },
    });
  const regular = limit(MAX_BODY_BYTES);
  const ingest = limit(MAX_INGEST_BODY_BYTES);
  app.use('*', (c, next) =>
    STREAMED_PATHS.test(c.req.path) ? next() : INGEST_PATHS.test(c.req.path) ? ingest(c, next) : regular(c, next),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'A tenant API key, `cbk_<tenantId>_<secret>`, with the scope the route names in `x-required-scope`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'webhookSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      "The provider's own signature over the delivery, checked with the connector's credentials (see the table in `receiveWebhook`); Standard Webhooks (`webhook-signature`) for generic, Asterisk and FreeSWITCH forwarders.",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'platformToken', {
    type: 'http',
    scheme: 'bearer',
    description: "The platform operator's token (Worker secret PLATFORM_TOKEN).",
  });

  // What a live-stream client sends is no request body: registered so the document carries it (the server's
  // messages are the stream route's 101 content).
  app.openAPIRegistry.registerComponent(
    'schemas',
    'LiveClientMessage',
    z.toJSONSchema(LiveClientMessageSchema, { target: 'openapi-3.0' }) as Record<string, unknown>,
  );

  // One chained call per router, not a loop: each `.route()` adds its router's routes to the type, so
  // `AppType` carries every route for `hono/client` (a loop would leave the type without them).
  const api = app
    .route('/', healthRouter)
    .route('/', tenantsRouter)
    .route('/', tenantDatabasesRouter)
    .route('/', settingsRouter)
    .route('/', apiKeysRouter)
    .route('/', sitesRouter)
    .route('/', teamsRouter)
    .route('/', queuesRouter)
    .route('/', liveRouter)
    .route('/', alertsRouter)
    .route('/', appraisalRouter)
    .route('/', targetsRouter)
    .route('/', qaRouter)
    .route('/', briefingsRouter)
    .route('/', peopleRouter)
    .route('/', schedulesRouter)
    .route('/', trainingRouter)
    .route('/', agentsRouter)
    .route('/', agentMembershipsRouter)
    .route('/', connectorsRouter)
    .route('/', eventsRouter)
    .route('/', outboundRouter)
    .route('/', surveysRouter)
    .route('/', webhooksRouter)
    .route('/', webhookEndpointsRouter)
    .route('/', callsRouter)
    .route('/', kpisRouter)
    .route('/', kpiExplainRouter)
    .route('/', volumeProfileRouter)
    .route('/', staffingRouter)
    .route('/', forecastsRouter)
    .route('/', staffingPlanRouter)
    .route('/', importsRouter)
    .route('/', deadLettersRouter)
    .route('/', docsRouter)
    .route('/', wallboardRouter);

  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument(app);
    return c.json(document);
  });
  app.get('/', (c) =>
    c.json({
      name: 'Callboard',
      version: API_VERSION,
      docs: '/docs',
      openapi: '/openapi.json',
      health: '/health',
      wallboard: '/wallboard',
    }),
  );

  const allowedMethods = methodIndex(app);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return problemResponse(
        new ProblemError('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}.`, {
          headers: { Allow: allowed.join(', ') },
        }),
        c.get('requestId'),
      );
    }
    return problemResponse(
      new ProblemError('ROUTE_NOT_FOUND', `No route matches ${c.req.method} ${c.req.path}.`),
      c.get('requestId'),
    );
  });

  app.onError((err, c) => {
    const problem = toProblem(err);
    const log = c.get('log');
    if (problem.status >= 500) {
      // errorFields looks into the cause (the Postgres error) without printing a query's SQL or rows.
      log?.[problem.status === 503 ? 'warn' : 'error']('request failed', errorFields(err));
    }
    return problemResponse(problem, c.get('requestId') ?? 'unknown');
  });

  return api;
}

/**
 * The API's routes as types, for `hono/client`: `hc<AppType>(baseUrl, { headers })` gives typed paths, query
 * parameters and JSON answers (see README).
 */
export type AppType = ReturnType<typeof createApp>;

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Callboard API',
      version: API_VERSION,
      description:
        'Serverless multi-tenant contact-center API. Errors are RFC 9457 `application/problem+json` with a stable `code`; see `/problems` for the catalogue.',
      license: { name: 'MIT' },
    },
    tags: [
      { name: 'Platform', description: 'Tenant lifecycle, for the platform operator.' },
      { name: 'Settings', description: "The tenant's settings." },
      { name: 'API keys', description: 'Keys with scopes, expiry and rate limits.' },
      { name: 'Sites' },
      { name: 'Teams' },
      { name: 'Queues' },
      { name: 'Agents' },
      { name: 'Connectors', description: 'Sources of events: provider accounts, PBX forwarders, your own systems.' },
      { name: 'Ingestion', description: 'Events in: by API key, or signed webhooks per connector.' },
      { name: 'Alerts', description: 'Rules watched live by the tenant’s hub, and the alerts they raised.' },
      {
        name: 'Webhook endpoints',
        description:
          'Events out: where Callboard sends alerts and notices, signed per Standard Webhooks, with their delivery log.',
      },
      {
        name: 'Outbound',
        description: 'The outbound contact policy: campaigns, the dialer’s check, do-not-call list, quiet days.',
      },
      { name: 'Live', description: 'Live state per queue and totals, and the WebSocket stream that pushes them.' },
      { name: 'Calls', description: 'History: calls with their queue visits, agent segments and events.' },
      { name: 'Operations' },
    ],
  });
}

/** For 405s: which methods a path answers to (HEAD comes with GET). */
function methodIndex(app: OpenAPIHono<AppEnv>): (path: string) => string[] {
  let routes: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    routes ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}/?$`),
      }));
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
