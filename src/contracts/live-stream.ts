import { z } from 'zod';
import { AlertSchema } from './alerts';
import { ApiKeyLimitSchema } from './api-keys';
import { Timestamp } from './common';
import { LiveSnapshotSchema } from './live';

/**
 * The live stream's messages (`GET /v1/live/stream`), version 1. Every server message is a JSON text frame with
 * `v` (the protocol version) and `n` (this connection's message number: 1, 2, 3… with no gap); the client
 * acknowledges what it has read with `{"type":"ack","n":…}` at least every `heartbeatSeconds`. docs/live.md
 * describes the protocol with an example client.
 */
export const LIVE_PROTOCOL_VERSION = 1;

const envelope = {
  v: z.literal(LIVE_PROTOCOL_VERSION),
  n: z.number().int().min(1).describe("This connection's message number."),
};

export const LiveHelloMessageSchema = z
  .object({
    ...envelope,
    type: z.literal('hello'),
    tenantId: z.string(),
    queues: z.union([z.array(z.string()), z.literal('all')]).describe('The queues this connection receives.'),
    heartbeatSeconds: z.number().int().describe('Send an ack at least this often, or the connection is closed (4002).'),
    maxUnacknowledged: z
      .number()
      .int()
      .describe('Messages sent but not acknowledged beyond which the connection is closed as a slow consumer (4008).'),
    expiresAt: Timestamp.nullable().describe("When the live token's connection is closed (4001); null for an API key."),
  })
  .meta({ id: 'LiveHelloMessage' });

export const LiveSnapshotMessageSchema = z
  .object({
    ...envelope,
    type: z.literal('snapshot'),
    queueId: z.string(),
    seq: z
      .number()
      .int()
      .describe(
        "The queue's push sequence number: each push adds one, so a jump tells a client it missed one (the snapshot is whole either way). The snapshot sent on connect carries the last one pushed.",
      ),
    snapshotAt: Timestamp,
    initial: z.boolean().describe('true for the snapshot sent when the connection opened.'),
    data: LiveSnapshotSchema,
  })
  .meta({ id: 'LiveSnapshotMessage' });

export const LiveAlertMessageSchema = z
  .object({
    ...envelope,
    type: z.literal('alert'),
    event: z.enum(['alert.triggered', 'alert.acknowledged', 'alert.resolved']),
    alert: AlertSchema,
  })
  .describe(
    'An alert changed. On connect, every open alert the connection may see comes as `alert.triggered`. A queue’s alerts go to the connections watching the queue; site, team, agent and tenant alerts to every connection.',
  )
  .meta({ id: 'LiveAlertMessage' });

export const LiveErrorMessageSchema = z
  .object({ ...envelope, type: z.literal('error'), code: z.string(), detail: z.string() })
  .meta({ id: 'LiveErrorMessage' });

export const LivePongMessageSchema = z.object({ ...envelope, type: z.literal('pong') }).meta({ id: 'LivePongMessage' });

export const LiveServerMessageSchema = z
  .discriminatedUnion('type', [
    LiveHelloMessageSchema,
    LiveSnapshotMessageSchema,
    LiveAlertMessageSchema,
    LivePongMessageSchema,
    LiveErrorMessageSchema,
  ])
  .meta({ id: 'LiveServerMessage' });
export type LiveServerMessage = z.infer<typeof LiveServerMessageSchema>;

export const LiveClientMessageSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('ack'), n: z.number().int().min(0).describe('The last message number read.') }),
    z.object({ type: z.literal('ping') }),
  ])
  .meta({ id: 'LiveClientMessage' });
export type LiveClientMessage = z.infer<typeof LiveClientMessageSchema>;

/** Close codes the server uses besides the standard ones. */
export const LIVE_CLOSE_CODES = {
  tokenExpired: 4001,
  heartbeatTimeout: 4002,
  keyRevoked: 4003,
  slowConsumer: 4008,
  badMessage: 4400,
} as const;

export const LiveTokenRequestSchema = z
  .strictObject({
    queueIds: z
      .array(z.string().min(1).max(64))
      .max(100)
      .optional()
      .describe('The queues the token may watch (all of the tenant’s when absent).'),
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600)
      .describe('How long the token (and a connection it opened) lives; a wall TV link wants days, a page hours.'),
  })
  .meta({ id: 'LiveTokenRequest' });

export const LiveTokenSchema = z
  .object({
    token: z.string().describe('Pass as `?token=` to `GET /v1/live/stream` (and to `/wallboard`).'),
    expiresAt: Timestamp,
    queueIds: z.array(z.string()).nullable(),
    limit: ApiKeyLimitSchema.nullable().describe(
      'The team or agent of the key that asked for it: the token carries it, and routes refuse or apply it as they do for the key.',
    ),
    streamUrl: z.string().describe('The stream URL with the token, ready for `new WebSocket(…)`.'),
    wallboardUrl: z.string().describe('The wallboard page, showing what the token may watch.'),
  })
  .meta({ id: 'LiveToken' });
export type LiveToken = z.infer<typeof LiveTokenSchema>;
