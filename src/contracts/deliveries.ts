import { z } from 'zod';
import { DELIVERY_OUTCOMES } from '../domain/deliveries';
import { Timestamp } from './common';

export const DeliverySchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    requestId: z.string().describe('The X-Request-Id Callboard answered the provider with.'),
    receivedAt: Timestamp,
    outcome: z
      .enum(DELIVERY_OUTCOMES)
      .describe(
        'accepted: every event accepted or a duplicate; partial: some events rejected; rejected: the delivery was refused.',
      ),
    httpStatus: z.number().int(),
    verified: z.boolean().describe('The signature checked out.'),
    reason: z
      .string()
      .nullable()
      .describe('The problem code of a refused delivery (e.g. SIGNATURE_INVALID), or why the first rejected event was.'),
    detail: z.string().nullable(),
    method: z.string(),
    url: z.string().describe('The URL as verified (the connector’s public base URL + path + query).'),
    contentType: z.string().nullable(),
    headers: z.record(z.string(), z.string()).describe('Credential headers are redacted.'),
    body: z
      .string()
      .describe(
        'The raw body (up to 256 KiB; 2 KiB when the signature failed), with phone numbers masked; a NUL shows as `\\u0000`.',
      ),
    bodyTruncated: z.boolean(),
    events: z.number().int().describe('Normalized events the delivery mapped to.'),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    ignored: z
      .array(z.object({ what: z.string(), reason: z.string() }))
      .describe('Provider events Callboard does not use (accepted and ignored).'),
    suppressed: z
      .number()
      .int()
      .describe(
        'On a row with reason `UNVERIFIED_FLOOD`: how many deliveries whose signature failed, over the log’s limit, it counts (their content is not kept). 0 otherwise.',
      ),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
  outcome: z.enum(DELIVERY_OUTCOMES).optional(),
  from: Timestamp.optional().describe('Received at or after.'),
  to: Timestamp.optional().describe('Received before.'),
});

/** At most this many deliveries are normalized again per request; `nextFrom` continues. */
export const RENORMALIZE_PAGE = 500;

export const RenormalizeRequestSchema = z
  .strictObject({
    from: Timestamp.describe('Deliveries received at or after this instant…'),
    to: Timestamp.describe('…and before this one.'),
  })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { path: ['to'], message: 'Must be after from.' })
  .meta({ id: 'RenormalizeRequest' });

export const RenormalizeResultSchema = z
  .object({
    deliveries: z.number().int().describe('Deliveries normalized again (verified ones, oldest first).'),
    skipped: z
      .number()
      .int()
      .describe(
        'Deliveries that cannot be read again: their body was kept truncated, or its sealed copy was sealed under a platform key since dropped.',
      ),
    events: z.number().int(),
    accepted: z.number().int().describe('Events new to Callboard (e.g. a type the adapter now maps).'),
    revised: z.number().int().describe('Known events whose content changed: the new content replaced the old.'),
    unchanged: z.number().int().describe('Known events with the same content: no effect.'),
    rejected: z.number().int(),
    nextFrom: Timestamp.nullable().describe(
      `More deliveries remain in the range (at most ${RENORMALIZE_PAGE} per request): call again with this as \`from\`.`,
    ),
  })
  .meta({ id: 'RenormalizeResult' });
export type RenormalizeResult = z.infer<typeof RenormalizeResultSchema>;
