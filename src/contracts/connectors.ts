import { z } from 'zod';
import {
  type ConnectorCredentials,
  ConnectorCredentialsSchema,
  type ConnectorOptions,
  ConnectorOptionsSchema,
} from '../domain/connectors';
import { PROVIDERS } from '../domain/providers';
import { NameSchema, Timestamp } from './common';

/** Providers whose forwarders sign with a secret Callboard generates (Standard Webhooks). */
export const GENERATED_SECRET_PROVIDERS = ['generic', 'asterisk', 'freeswitch'] as const;

const Mappings = z
  .record(z.string().trim().min(1).max(200), z.string().min(1).max(64))
  .refine((m) => Object.keys(m).length <= 1000, { message: 'At most 1000 mappings.' });

// What a connector authenticates with and its provider options live in src/domain/connectors.ts: the
// adapters read them and depend on no contract. Re-exported here for the routes and the OpenAPI document.

export {
  type ConnectorCredentials,
  ConnectorCredentialsSchema,
  type ConnectorOptions,
  ConnectorOptionsSchema,
} from '../domain/connectors';

export const CONNECTOR_WARNING_CODES = ['TIMEZONE_MISMATCH'] as const;

export const ConnectorWarningSchema = z
  .object({
    code: z
      .enum(CONNECTOR_WARNING_CODES)
      .describe("TIMEZONE_MISMATCH: Plivo's local times disagree with its UTC `SessionStart` by a zone offset."),
    detail: z.string(),
    lastSeenAt: Timestamp.describe('When the newest delivery saying so was received.'),
    deliveryId: z.string().describe('That delivery, in `GET /v1/connectors/{id}/deliveries`.'),
  })
  .meta({ id: 'ConnectorWarning' });
export type ConnectorWarning = z.infer<typeof ConnectorWarningSchema>;

export const ConnectorSchema = z
  .object({
    id: z.string().describe('Carries the tenant id: `con_<tenant>_<id>`.'),
    name: z.string(),
    provider: z.enum(PROVIDERS),
    enabled: z.boolean(),
    unknownKeys: z
      .enum(['reject', 'create'])
      .describe('An unmapped queue/agent key: reject the event, or create the queue/agent.'),
    queueMappings: z
      .record(z.string(), z.string())
      .describe("Provider queue key → Callboard queue id (before the queues' own external keys)."),
    agentMappings: z.record(z.string(), z.string()),
    options: ConnectorOptionsSchema,
    credentials: z.array(z.string()).describe('Which credentials are set (never their values).'),
    webhookPath: z.string().describe('Where the provider posts, relative to the API host.'),
    previousSecretExpiresAt: Timestamp.nullable().describe('After a rotation the previous credentials verify until then.'),
    warnings: z
      .array(ConnectorWarningSchema)
      .describe(
        "What the connector's recent deliveries (last 24 h, since its last change) say is wrong with its settings; changing the connector clears them.",
      ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Connector' });
export type Connector = z.infer<typeof ConnectorSchema>;

export const ConnectorWithSecretSchema = ConnectorSchema.extend({
  secret: z
    .string()
    .optional()
    .describe(
      'generic, asterisk, freeswitch: the Standard Webhooks signing secret (`whsec_…`) the forwarder signs with. Shown once.',
    ),
}).meta({ id: 'ConnectorWithSecret' });
export type ConnectorWithSecret = z.infer<typeof ConnectorWithSecretSchema>;

/** Which credentials and options each provider needs. */
export const PROVIDER_REQUIREMENTS: Record<
  (typeof PROVIDERS)[number],
  { credentials: (keyof ConnectorCredentials)[][]; options: (keyof ConnectorOptions)[] }
> = {
  generic: { credentials: [], options: [] },
  asterisk: { credentials: [], options: [] },
  freeswitch: { credentials: [], options: [] },
  twilio: { credentials: [['authToken']], options: ['publicBaseUrl'] },
  telnyx: { credentials: [['publicKey']], options: [] },
  vonage: { credentials: [['signatureSecret']], options: [] },
  plivo: { credentials: [['authToken']], options: ['publicBaseUrl', 'timeZone'] },
  'amazon-connect': { credentials: [['apiKey'], ['basicUsername', 'basicPassword'], ['firehoseAccessKey']], options: [] },
};

/**
 * What is missing or not allowed for a provider: its credentials (when `withCredentials`: on
 * creation, or when a change sends new ones) and its options.
 */
export function providerIssues(
  provider: (typeof PROVIDERS)[number],
  credentials: ConnectorCredentials | undefined,
  options: ConnectorOptions | undefined,
  withCredentials: boolean,
): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const need = PROVIDER_REQUIREMENTS[provider];
  const generated = (GENERATED_SECRET_PROVIDERS as readonly string[]).includes(provider);
  if (generated && credentials && Object.keys(credentials).length > 0) {
    issues.push({
      path: ['credentials'],
      message: `${provider} connectors get a generated signing secret; send no credentials.`,
    });
  }
  const creds = credentials ?? {};
  if (withCredentials && !generated && !need.credentials.some((set) => set.every((k) => creds[k] !== undefined))) {
    issues.push({
      path: ['credentials'],
      message: `${provider} needs ${need.credentials.map((set) => set.join(' + ')).join(', or ')}.`,
    });
  }
  for (const option of need.options) {
    if (options?.[option] === undefined) issues.push({ path: ['options', option], message: `Required for ${provider}.` });
  }
  return issues;
}

export const ConnectorCreateSchema = z
  .strictObject({
    name: NameSchema,
    provider: z.enum(PROVIDERS),
    enabled: z.boolean().optional(),
    unknownKeys: z.enum(['reject', 'create']).optional(),
    queueMappings: Mappings.optional(),
    agentMappings: Mappings.optional(),
    credentials: ConnectorCredentialsSchema.optional(),
    options: ConnectorOptionsSchema.optional(),
  })
  .superRefine((value, ctx) => {
    for (const issue of providerIssues(value.provider, value.credentials, value.options, true))
      ctx.addIssue({ code: 'custom', ...issue });
  })
  .meta({ id: 'ConnectorCreate' });
export type ConnectorCreate = z.infer<typeof ConnectorCreateSchema>;

export const ConnectorPatchSchema = z
  .strictObject({
    name: NameSchema.optional(),
    enabled: z.boolean().optional(),
    unknownKeys: z.enum(['reject', 'create']).optional(),
    queueMappings: Mappings.optional(),
    agentMappings: Mappings.optional(),
    credentials: ConnectorCredentialsSchema.optional().describe('New credentials; the previous ones keep verifying for 24 h.'),
    options: ConnectorOptionsSchema.optional().describe('Replaces the options.'),
  })
  .meta({ id: 'ConnectorPatch' });
export type ConnectorPatch = z.infer<typeof ConnectorPatchSchema>;
