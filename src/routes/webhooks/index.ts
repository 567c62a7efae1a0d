import { z } from '@hono/zod-openapi';
import { IngestResultSchema } from '../../contracts/events';
import { MAX_WEBHOOK_HEADER_BYTES, MAX_WEBHOOK_URL } from '../../domain/deliveries';
import { PROVIDERS } from '../../domain/providers';
import { createRouter, ProblemSchema } from '../../http/openapi';
import { PROBLEM_CONTENT_TYPE, ProblemError, toProblem } from '../../http/problem';
import { platformContext } from '../../http/service-context';
import { receiveDelivery } from '../../services/ingest/receive-delivery';
import { isProvider, providerAdapter } from '../../services/webhooks/providers';

export const webhooksRouter = createRouter();

const PROVIDER_NOTES = `| provider | body | authenticated by |
|---|---|---|
| \`generic\` | the \`POST /v1/events\` batch (JSON) | Standard Webhooks: \`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\` with the connector's \`whsec_\` secret |
| \`twilio\` | Voice status / \`<Enqueue>\` callbacks (form), TaskRouter events (form), Event Streams (JSON) | \`X-Twilio-Signature\` over the public URL (+ sorted form params, or \`bodySHA256\`) with the auth token |
| \`telnyx\` | Call Control v2 (JSON) | Ed25519 \`telnyx-signature-ed25519\` over \`{telnyx-timestamp}|{body}\` with the account's public key |
| \`vonage\` | Voice event webhooks (JSON) | \`Authorization: Bearer\` JWT (HS256, signature secret) whose \`payload_hash\` is the body's SHA-256 |
| \`plivo\` | call / hangup / dial callbacks (form) | \`X-Plivo-Signature-V3\` + nonce over the public URL and params with the auth token |
| \`amazon-connect\` | EventBridge contact events; Firehose agent-event records | the API-key header or Basic auth (EventBridge); \`X-Amz-Firehose-Access-Key\` (Firehose) |
| \`asterisk\` | queue_log lines (text), AMI queue events (JSON) | Standard Webhooks, signed by the forwarder |
| \`freeswitch\` | mod_callcenter events (JSON) | Standard Webhooks, signed by the forwarder |`;

webhooksRouter.openAPIRegistry.registerPath({
  method: 'post',
  path: '/v1/webhooks/{provider}/{connectorId}',
  operationId: 'receiveWebhook',
  tags: ['Ingestion'],
  summary: "Receive a provider's webhook delivery",
  description: `Where a phone platform posts: the connector's \`webhookPath\`. The signature is checked on the exact bytes
(and, for URL-signing providers, the exact public URL) before anything is parsed; the payload is then mapped to normalized
events with deterministic ids, so a provider's retries and re-deliveries are duplicates with no effect. Provider events
Callboard does not use are accepted and ignored. Every delivery — accepted or refused, and why — is logged with its raw
body for the tenant's raw-retention days: \`GET /v1/connectors/{connectorId}/deliveries\`.

${PROVIDER_NOTES}

The answer is what the provider expects: the ingest result as JSON by default; TwiML for Twilio's \`<Enqueue>\` callbacks,
the acknowledgement Firehose requires for Amazon Connect's Firehose deliveries.`,
  security: [{ webhookSignature: [] }],
  request: {
    params: z.object({
      provider: z.enum(PROVIDERS).openapi({ param: { name: 'provider', in: 'path' } }),
      connectorId: z.string().openapi({ param: { name: 'connectorId', in: 'path' } }),
    }),
    body: {
      required: true,
      description: "The provider's payload, as it sends it.",
      content: {
        'application/json': { schema: z.unknown() },
        'application/x-www-form-urlencoded': { schema: z.record(z.string(), z.string()) },
        'text/plain': { schema: z.string() },
      },
    },
  },
  responses: {
    200: {
      description: 'Accepted: one result per normalized event.',
      content: { 'application/json': { schema: IngestResultSchema } },
    },
    ...Object.fromEntries(
      [
        [400, 'The body cannot be read as this provider’s payload.'],
        [401, 'Signature missing, invalid, or outside its time tolerance.'],
        [404, 'No such connector for this provider, or the connector is disabled.'],
        [413, 'Body too large.'],
        [414, `URL longer than ${MAX_WEBHOOK_URL} characters.`],
        [415, 'Not a content type this provider sends.'],
        [422, 'The payload is readable but not valid (see `errors[]`).'],
        [429, 'Too many deliveries whose signature failed from this source; see `Retry-After`.'],
        [431, `Headers larger than ${MAX_WEBHOOK_HEADER_BYTES} bytes together.`],
        [503, 'A dependency failed transiently; the provider should retry.'],
      ].map(([status, description]) => [
        status,
        { description: description as string, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
      ]),
    ),
  },
});

webhooksRouter.post('/v1/webhooks/:provider/:connectorId', async (c) => {
  c.set('guard', 'webhook');
  const provider = c.req.param('provider');
  if (!isProvider(provider)) {
    throw new ProblemError('NOT_FOUND', `'${provider}' is not a provider; use one of ${PROVIDERS.join(', ')}.`);
  }
  // Anyone may post here: what could only bloat the delivery log is refused before anything is read.
  if (c.req.url.length > MAX_WEBHOOK_URL) {
    throw new ProblemError('URI_TOO_LONG', `The URL exceeds ${MAX_WEBHOOK_URL} characters.`);
  }
  let headerBytes = 0;
  c.req.raw.headers.forEach((value, name) => {
    headerBytes += name.length + value.length;
  });
  if (headerBytes > MAX_WEBHOOK_HEADER_BYTES) {
    throw new ProblemError('HEADERS_TOO_LARGE', `The headers exceed ${MAX_WEBHOOK_HEADER_BYTES} bytes together.`);
  }
  const response = await receiveDelivery(
    (tenantId) => platformContext(c, tenantId),
    {
      adapter: providerAdapter(provider),
      connectorId: c.req.param('connectorId'),
      requestId: c.get('requestId'),
      method: c.req.method,
      requestUrl: c.req.url,
      headers: c.req.raw.headers,
      // Bytes decoded as UTF-8 (form and text bodies too; `text()` warns on non-text content types).
      rawBody: new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(await c.req.arrayBuffer()),
      contentType: c.req.header('content-type') ?? null,
      source: c.req.header('cf-connecting-ip') ?? null,
    },
    c.env,
    c.get('log'),
    (err) => toProblem(err).status,
  );
  return c.body(response.body, response.status as 200, { 'Content-Type': response.contentType });
});
