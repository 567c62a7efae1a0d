import { parseJsonBody, verifyWithStandardWebhooks } from '../generic/generic.adapter';
import { AdapterInputError, header, type InboundRequest, type ProviderAdapter } from '../types';
import { normalizeAmi } from './ami';
import { redactAsterisk } from './asterisk.redact';
import { normalizeQueueLog } from './queue-log';

/**
 * What the body is: queue_log lines (`text/plain`, live batches and whole-file backfills alike) or
 * AMI events as JSON. Without a Content-Type the first character decides.
 */
export function asteriskBodyKind(req: InboundRequest): 'queue_log' | 'ami' {
  const type = req.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/plain') return 'queue_log';
  if (/^application\/([a-z.+-]+\+)?json$/.test(type)) return 'ami';
  if (type === '') return /^\s*[[{]/.test(req.rawBody) ? 'ami' : 'queue_log';
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
  verify: (req, ctx) =>
    verifyWithStandardWebhooks(
      req,
      ctx.credentials.map((c) => c.secret),
      ctx.nowMs,
    ),
  normalize(req, ctx) {
    if (asteriskBodyKind(req) === 'queue_log') return normalizeQueueLog(req.rawBody);
    return normalizeAmi(parseJsonBody(req), { nowMs: ctx.nowMs, deliveryId: header(req, 'webhook-id') });
  },
};
