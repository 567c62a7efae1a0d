import { z } from 'zod';
import { WEBHOOK_ATTEMPT_STATUSES } from '../domain/webhooks/attempts';
import { WEBHOOK_EVENT_PATTERNS } from '../domain/webhooks/events';
import { MAX_WEBHOOK_URL_LENGTH } from '../domain/webhooks/url';
import { Timestamp } from './common';

/** Endpoints a tenant may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

const Url = z
  .string()
  .trim()
  .min(1)
  .max(MAX_WEBHOOK_URL_LENGTH)
  .describe(
    'Where events are POSTed: an absolute `https://` URL without credentials or fragment (`http://` to 127.0.0.1/localhost only where the Worker allows it: `npm start`).',
  );

const Description = z.string().trim().max(500).describe('For you: what this endpoint is.');

const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_PATTERNS))
  .min(1)
  .max(50)
  .refine((types) => new Set(types).size === types.length, { message: 'Event types must be unique.' })
  .describe('What to send: event types, a family (`alert.*`, `webhook.*`) or `*` for everything (see docs/webhooks-out.md).');

export const WebhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledAt: Timestamp.nullable().describe(
      'When Callboard disabled the endpoint because every delivery failed for 5 days; null when enabled, or disabled by an admin.',
    ),
    disabledReason: z.string().nullable().describe('Why Callboard disabled it (since when it failed, the last error).'),
    previousSecretExpiresAt: Timestamp.nullable().describe(
      'After a rotation deliveries are signed with the new and the previous secret until then.',
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z
    .string()
    .describe('The Standard Webhooks signing secret (`whsec_…`) to verify deliveries with. Shown once: on creation or rotation.'),
}).meta({ id: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;

export const WebhookEndpointCreateSchema = z
  .strictObject({
    url: Url,
    description: Description.optional(),
    eventTypes: EventTypes,
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'WebhookEndpointCreate' });
export type WebhookEndpointCreate = z.infer<typeof WebhookEndpointCreateSchema>;

export const WebhookEndpointPatchSchema = z
  .strictObject({
    url: Url.optional(),
    description: Description.optional(),
    eventTypes: EventTypes.optional(),
    enabled: z
      .boolean()
      .optional()
      .describe('`true` re-enables an endpoint Callboard disabled: its waiting messages are sent again at once.'),
  })
  .meta({ id: 'WebhookEndpointPatch' });
export type WebhookEndpointPatch = z.infer<typeof WebhookEndpointPatchSchema>;

export const WebhookAttemptSchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    messageId: z.string().describe('The `webhook-id` header: the same on every attempt of a message.'),
    eventType: z.string(),
    attempt: z.number().int().describe('1 for the first attempt (0: a message dropped before any attempt).'),
    status: z
      .enum(WEBHOOK_ATTEMPT_STATUSES)
      .describe(
        'delivered: answered 2xx. failed: not (or unreachable); tried again at `nextAttemptAt`. given_up: the last attempt (after 24 h of retries), or dropped from a full queue.',
      ),
    httpStatus: z.number().int().nullable().describe('What the endpoint answered; null when it could not be reached.'),
    responseBody: z.string().nullable().describe('The start of its answer (at most 1,024 characters).'),
    responseTruncated: z.boolean(),
    error: z
      .string()
      .nullable()
      .describe('`HTTP_STATUS`, `TIMEOUT`, `NETWORK`, `QUEUE_FULL` or `SECRET_UNAVAILABLE`, then a short reason.'),
    durationMs: z.number().int().nullable(),
    attemptedAt: Timestamp,
    nextAttemptAt: Timestamp.nullable(),
  })
  .meta({ id: 'WebhookAttempt' });
export type WebhookAttempt = z.infer<typeof WebhookAttemptSchema>;

export const WebhookAttemptQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
  status: z.enum(WEBHOOK_ATTEMPT_STATUSES).optional(),
});

export const WebhookTestResultSchema = z
  .object({
    messageId: z.string(),
    attempt: z.number().int(),
    status: z.enum(WEBHOOK_ATTEMPT_STATUSES),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    nextAttemptAt: Timestamp.nullable().describe('When it is tried again, if it failed.'),
  })
  .meta({ id: 'WebhookTestResult' });
export type WebhookTestResult = z.infer<typeof WebhookTestResultSchema>;
