import { verifyStandardWebhook } from '../../../lib/standard-webhooks';
import type { AdapterContext, InboundRequest, VerifyResult } from '../types';

/**
 * Standard Webhooks verification (`webhook-id`, `webhook-timestamp`, `webhook-signature`) against the
 * given secret(s), as a verify result: missing headers, a stale timestamp, or no matching signature.
 */
export async function verifyWithStandardWebhooks(
  req: InboundRequest,
  secrets: (string | undefined)[],
  nowMs: number,
): Promise<VerifyResult> {
  const result = await verifyStandardWebhook({
    secrets: secrets.map((s) => s ?? ''),
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

/**
 * The `verify` of every connector signed with the secret Callboard generates (generic, and the
 * Asterisk and FreeSWITCH forwarders): each live credential's `secret`, current first.
 */
export const verifyGeneratedSecret = (req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult> =>
  verifyWithStandardWebhooks(
    req,
    ctx.credentials.map((c) => c.secret),
    ctx.nowMs,
  );
