import { z } from 'zod';
import { DeadLetterSchema } from './dead-letters';

/** How many of the newest dead letters /health shows (GET /v1/dead-letters lists them all). */
export const NEWEST_DEAD_LETTERS = 5;

export const CheckSchema = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().int(),
  error: z.string().optional().describe('A short reason (never SQL).'),
  code: z.string().optional().describe('For Postgres: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, …'),
});
export const BacklogSchema = z.object({
  backlog: z.number().int().describe('Records and events waiting in the outbox for Postgres.'),
  parked: z.number().int().optional().describe('Queue-less events whose queue is not known yet (tenant object).'),
  lastFlushAt: z.string().nullable().optional(),
  lastError: z.string().nullable().optional().describe('Why the last failed flush failed, in short (never SQL).'),
  lastErrorCode: z.string().nullable().optional().describe('Its stable code: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, …'),
  deadLetters: z.number().int().optional().describe('Rows Postgres refused that this object set aside.'),
  queued: z
    .number()
    .int()
    .optional()
    .describe('Webhook sender: messages waiting to be delivered to the endpoints (or retried), all endpoints together.'),
});
export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    postgres: CheckSchema,
    durableObjects: CheckSchema,
    outbox: z
      .object({
        total: z.number().int(),
        tenant: BacklogSchema,
        queues: z.record(z.string(), BacklogSchema),
        webhooks: BacklogSchema.describe(
          "The webhook sender's: its delivery log waiting for Postgres, and messages waiting to be sent.",
        ),
        deadLetters: z
          .object({ total: z.number().int(), newest: z.array(DeadLetterSchema) })
          .describe(
            `Rows Postgres refused, set aside so the rest could be written: how many, and the newest ${NEWEST_DEAD_LETTERS} (GET /v1/dead-letters lists them).`,
          ),
      })
      .optional()
      .describe("With an API key: the caller's tenant's outbox backlog and dead letters, per Durable Object."),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type Backlog = z.infer<typeof BacklogSchema>;
