import { isJsonType, isTextType, looksLikeJson, parseJsonBody } from '../kit/body';
import { verifyGeneratedSecret } from '../kit/standard-webhooks';
import { AdapterInputError, header, type InboundRequest, type ProviderAdapter } from '../types';
import { normalizeAmi } from './ami';
import { redactAsterisk } from './asterisk.redact';
import { normalizeQueueLog } from './queue-log';

/**
 * What the body is: queue_log lines (`text/plain`, live batches and whole-file backfills alike) or
 * AMI events as JSON. Without a Content-Type the first character decides.
 */
export function asteriskBodyKind(req: InboundRequest): 'queue_log' | 'ami' {
  if (!req.contentType?.trim()) return looksLikeJson(req.rawBody) ? 'ami' : 'queue_log';
  if (isTextType(req.contentType)) return 'queue_log';
  if (isJsonType(req.contentType)) return 'ami';
  throw new AdapterInputError(
    415,
    'Send queue_log lines as Content-Type: text/plain, or AMI events as Content-Type: application/json.',
  );
}

/**
 * Asterisk, through a small forwarder (docs/providers/asterisk.md): it tails `queue_log` and/or listens to AMI,
 * and posts what it reads signed per Standard Webhooks with the connector's generated `whsec_` secret.
 */
export const asteriskAdapter: ProviderAdapter = {
  provider: 'asterisk',
  redact: redactAsterisk,
  verify: verifyGeneratedSecret,
  normalize(req, ctx) {
    if (asteriskBodyKind(req) === 'queue_log') return normalizeQueueLog(req.rawBody);
    return normalizeAmi(parseJsonBody(req), { nowMs: ctx.nowMs, deliveryId: header(req, 'webhook-id') });
  },
};
