import { z } from 'zod';
import { Timestamp } from './common';

export const DeadLetterSchema = z
  .object({
    where: z
      .enum(['tenant', 'queue', 'hub', 'webhooks'])
      .describe(
        "Which outbox held it: the tenant's object, a queue's, the live hub's (alerts) or the webhook sender's (its delivery log).",
      ),
    queueId: z.string().nullable().describe('The queue, when `where` is `queue`.'),
    kind: z
      .enum([
        'event',
        'interaction',
        'visit',
        'segment',
        'interval',
        'queue',
        'agent',
        'delivery',
        'webhook_attempt',
        'webhook_endpoint',
        'alert',
      ])
      .describe('An event, or the kind of record derived from events; `webhook_*`: the outgoing webhooks’ log and state.'),
    id: z.string(),
    code: z.string().nullable().describe('The SQLSTATE Postgres refused it with (e.g. 22P05: text it cannot store).'),
    reason: z.string().describe("Postgres's short reason (never SQL)."),
    at: Timestamp.describe('When it was set aside.'),
    body: z
      .string()
      .describe(
        'The refused row as JSON text, characters Postgres cannot store left as escapes (\\u0000); cut to 2,000 characters.',
      ),
    bodyTruncated: z.boolean(),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetterItem = z.infer<typeof DeadLetterSchema>;

export const DeadLetterListSchema = z
  .object({
    total: z.number().int().describe('Dead letters the tenant has, over all its objects.'),
    items: z.array(DeadLetterSchema).describe('The newest first, at most `limit`.'),
  })
  .meta({ id: 'DeadLetterList' });
export type DeadLetterList = z.infer<typeof DeadLetterListSchema>;

export const DeadLetterQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('How many of the newest to return (1–1,000).'),
});

export const DeadLettersRetriedSchema = z
  .object({ requeued: z.number().int().describe('Dead letters put back into their outbox.') })
  .meta({ id: 'DeadLettersRetried' });

export const DeadLettersDiscardedSchema = z
  .object({ discarded: z.number().int().describe('Dead letters forgotten.') })
  .meta({ id: 'DeadLettersDiscarded' });
