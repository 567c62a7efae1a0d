import { z } from 'zod';
import { API_KEY_SCOPES } from '../domain/api-keys';
import { NameSchema, Timestamp } from './common';

export const RateLimitSchema = z
  .strictObject({
    limit: z.number().int().min(1).max(100_000).describe('Bucket size: requests allowed in a burst.'),
    windowSeconds: z.number().int().min(1).max(86_400).describe('The bucket refills `limit` tokens over this many seconds.'),
  })
  .meta({ id: 'RateLimit' });

export const ApiKeyLimitSchema = z
  .union([
    z.strictObject({
      teamId: z.string().min(1).max(64).describe('A team lead: the agents of this team, at the time of each record.'),
    }),
    z.strictObject({ agentId: z.string().min(1).max(64).describe('An agent: its own results only.') }),
  ])
  .meta({
    id: 'ApiKeyLimit',
    description:
      'What a `read` key may see: one team or one agent. Routes that do not honour limits refuse the key (403 `KEY_LIMITED`); docs/roles.md lists them.',
  });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it.'),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    rateLimit: RateLimitSchema.describe('The token bucket that applies (the default when none was set).'),
    limit: ApiKeyLimitSchema.nullable().describe('The team or agent the key is limited to; null: the whole tenant.'),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret key. Shown once: store it now, it cannot be retrieved again.'),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyCreateSchema = z
  .strictObject({
    name: NameSchema,
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1)
      .refine((s) => new Set(s).size === s.length, { message: 'Scopes must be unique.' })
      .describe('`admin` may do everything; `read` reads; `ingest` posts events.'),
    expiresAt: Timestamp.nullable().optional().describe('After this instant the key answers 401.'),
    rateLimit: RateLimitSchema.nullable().optional(),
    limit: ApiKeyLimitSchema.nullable()
      .optional()
      .describe(
        'Limits the key to one team (`{"teamId"}`) or one agent (`{"agentId"}`); such a key holds only the `read` scope.',
      ),
  })
  .meta({ id: 'ApiKeyCreate' });
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;
