import { EventBatchSchema } from '../../../domain/events/wire';
import { zodFieldIssues } from '../../../lib/zod-issues';
import { parseJsonBody } from '../kit/body';
import { verifyGeneratedSecret } from '../kit/standard-webhooks';
import { AdapterInputError, type ProviderAdapter } from '../types';
import { redactGeneric } from './generic.redact';

/** The generic connector: a batch of normalized events (the body of POST /v1/events), signed per Standard Webhooks. */
export const genericAdapter: ProviderAdapter = {
  provider: 'generic',
  redact: redactGeneric,
  verify: verifyGeneratedSecret,
  normalize(req) {
    const parsed = EventBatchSchema.safeParse(parseJsonBody(req));
    if (!parsed.success) throw new AdapterInputError(422, 'The request body failed validation.', zodFieldIssues(parsed.error));
    return { events: parsed.data.events, ignored: [], validated: true };
  },
};
