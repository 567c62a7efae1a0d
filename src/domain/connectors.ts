import { z } from 'zod';
import { AGENT_STATES } from './events/event-types';
import { TimeZoneSchema } from './settings';

const secretText = z.string().min(8).max(500);

/** What a provider authenticates its webhooks with, entered by the tenant admin; stored sealed, never shown again. */
export const ConnectorCredentialsSchema = z
  .strictObject({
    authToken: secretText.optional().describe('Twilio and Plivo: the (sub)account auth token.'),
    publicKey: z.string().min(40).max(100).optional().describe('Telnyx: the account’s base64 Ed25519 public key.'),
    signatureSecret: secretText.optional().describe('Vonage: the signature secret of the account.'),
    apiKey: secretText.optional().describe('Amazon Connect via EventBridge API destination: the API key header value.'),
    basicUsername: z.string().min(1).max(200).optional().describe('Amazon Connect via EventBridge with Basic auth.'),
    basicPassword: secretText.optional(),
    firehoseAccessKey: secretText.optional().describe('Amazon Connect agent events via Firehose: the access key.'),
  })
  .meta({ id: 'ConnectorCredentials' });
export type ConnectorCredentials = z.infer<typeof ConnectorCredentialsSchema> & { secret?: string };

export const ConnectorOptionsSchema = z
  .strictObject({
    publicBaseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Twilio and Plivo sign the exact URL they call: the public origin (and path prefix) Callboard is reached at.'),
    activityStates: z
      .record(z.string().min(1).max(100), z.enum(AGENT_STATES))
      .optional()
      .describe('Twilio TaskRouter activity name → agent state (defaults: Available→available, Offline→offline, else away).'),
    timeZone: TimeZoneSchema.optional().describe('Plivo: the time zone of the Plivo console (its timestamps carry none).'),
    apiKeyHeader: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('Amazon Connect: the header carrying the API key (default x-api-key).'),
  })
  .meta({ id: 'ConnectorOptions' });
export type ConnectorOptions = z.infer<typeof ConnectorOptionsSchema>;
