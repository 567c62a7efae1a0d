import { EventBatchSchema } from '../../../domain/events/wire';
import { verifyStandardWebhook } from '../../../lib/standard-webhooks';
import { zodFieldIssues } from '../../../lib/zod-issues';
import { AdapterInputError, type InboundRequest, type ProviderAdapter, type VerifyResult } from '../types';
import { redactGeneric } from './generic.redact';

/**
 * Standard Webhooks verification (`webhook-id`, `webhook-timestamp`, `webhook-signature`) against the
 * connector's generated secret(s); shared by the generic connector and the PBX forwarders.
 */
export async function verifyWithStandardWebhooks(
  req: InboundRequest,
  secrets: (string | undefined)[],
  nowMs: number,
): Promise<VerifyResult> {
  const usable = secrets.map((s) => s ?? '');
  const result = await verifyStandardWebhook({
    secrets: usable,
    headers: req.headers,
    rawBody: req.rawBody,
    nowSeconds: nowMs / 1000,
  });
  if (result.ok) return { ok: true, credentialIndex: result.secretIndex };
  switch (result.reason) {
    case 'missing_headers':
      return {
        ok: false,
        reason: 'missing',
        detail: 'Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).',
      };
    case 'timestamp_too_old':
    case 'timestamp_in_future':
    case 'invalid_timestamp':
      return { ok: false, reason: 'expired', detail: 'webhook-timestamp must be unix seconds within 5 minutes of now.' };
    default:
      return { ok: false, reason: 'invalid', detail: "No webhook-signature matches this body under the connector's secret." };
  }
}

/** Parses a JSON body, refusing anything else with the right status. */
export function parseJsonBody(req: InboundRequest): unknown {
  if (req.contentType && !/^application\/([a-z.+-]+\+)?json\b/i.test(req.contentType)) {
    throw new AdapterInputError(415, 'This webhook takes a JSON body: send Content-Type: application/json.');
  }
  try {
    return JSON.parse(req.rawBody);
  } catch {
    throw new AdapterInputError(400, 'The request body is not valid JSON.', [], 'MALFORMED_JSON');
  }
}

/** The generic connector: a batch of normalized events (the body of POST /v1/events), signed per Standard Webhooks. */
export const genericAdapter: ProviderAdapter = {
  provider: 'generic',
  redact: redactGeneric,
  verify: (req, ctx) =>
    verifyWithStandardWebhooks(
      req,
      ctx.credentials.map((c) => c.secret),
      ctx.nowMs,
    ),
  normalize(req) {
    const parsed = EventBatchSchema.safeParse(parseJsonBody(req));
    if (!parsed.success) throw new AdapterInputError(422, 'The request body failed validation.', zodFieldIssues(parsed.error));
    return { events: parsed.data.events, ignored: [], validated: true };
  },
};
