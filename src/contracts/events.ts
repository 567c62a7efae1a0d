import { z } from 'zod';

export const IngestResultSchema = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        status: z
          .enum(['accepted', 'duplicate', 'rejected', 'revised'])
          .describe('`revised` only when a connector re-normalizes its deliveries: a known event whose content changed.'),
        reason: z
          .string()
          .optional()
          .describe(
            'Why an event was rejected: unknown_queue_key, unknown_agent_key, queue_archived, agent_archived, occurred_in_future.',
          ),
      }),
    ),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
  })
  .meta({ id: 'IngestResult', description: 'One result per event, in the order sent. Everything accepted is durable.' });
