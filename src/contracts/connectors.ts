import { z } from 'zod';
import { NameSchema, Timestamp } from './common';

/** Providers a connector can be created for today (the provider adapters add theirs). */
export const CONNECTOR_PROVIDERS = ['generic'] as const;

const Mappings = z
  .record(z.string().trim().min(1).max(200), z.string().min(1).max(64))
  .refine((m) => Object.keys(m).length <= 1000, { message: 'At most 1000 mappings.' });

export const ConnectorSchema = z
  .object({
    id: z.string().describe('Carries the tenant id: `con_<tenant>_<id>`.'),
    name: z.string(),
    provider: z.enum(CONNECTOR_PROVIDERS),
    enabled: z.boolean(),
    unknownKeys: z
      .enum(['reject', 'create'])
      .describe('An unmapped queue/agent key: reject the event, or create the queue/agent.'),
    queueMappings: z
      .record(z.string(), z.string())
      .describe("Provider queue key → Callboard queue id (before the queues' own external keys)."),
    agentMappings: z.record(z.string(), z.string()),
    webhookPath: z.string().describe('Where the provider posts, relative to the API host.'),
    previousSecretExpiresAt: Timestamp.nullable().describe('After a rotation the previous secret verifies until then.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Connector' });
export type Connector = z.infer<typeof ConnectorSchema>;

export const ConnectorWithSecretSchema = ConnectorSchema.extend({
  secret: z.string().describe('The Standard Webhooks signing secret (`whsec_…`). Shown once.'),
}).meta({ id: 'ConnectorWithSecret' });
export type ConnectorWithSecret = z.infer<typeof ConnectorWithSecretSchema>;

export const ConnectorCreateSchema = z
  .strictObject({
    name: NameSchema,
    provider: z.enum(CONNECTOR_PROVIDERS),
    enabled: z.boolean().optional(),
    unknownKeys: z.enum(['reject', 'create']).optional(),
    queueMappings: Mappings.optional(),
    agentMappings: Mappings.optional(),
  })
  .meta({ id: 'ConnectorCreate' });
export type ConnectorCreate = z.infer<typeof ConnectorCreateSchema>;

export const ConnectorPatchSchema = ConnectorCreateSchema.omit({ provider: true }).partial().meta({ id: 'ConnectorPatch' });
export type ConnectorPatch = z.infer<typeof ConnectorPatchSchema>;
