import { z } from 'zod';
import { AGENT_STATES } from '../domain/events/event-types';
import { Timestamp } from './common';

export const LiveSnapshotSchema = z
  .object({
    queueId: z.string(),
    asOf: Timestamp,
    waiting: z.number().int().describe('Callers in the queue now.'),
    longestWaitMs: z.number().int().nullable(),
    oldestWaitingSince: Timestamp.nullable().describe('Render a ticking timer from this instead of polling.'),
    agents: z.object({
      byState: z.record(z.enum(AGENT_STATES), z.number().int()),
      list: z.array(
        z.object({ agentId: z.string(), state: z.enum(AGENT_STATES), reason: z.string().nullable(), since: Timestamp }),
      ),
    }),
    today: z
      .object({
        date: z.string(),
        timeZone: z.string(),
        offered: z.number().int(),
        answered: z.number().int(),
        abandoned: z.number().int(),
        flowedOut: z.number().int(),
        unknown: z.number().int(),
      })
      .describe("Visits that started today in the tenant's time zone."),
    outbox: z
      .object({
        backlog: z.number().int(),
        lastFlushAt: Timestamp.nullable(),
        lastError: z
          .string()
          .nullable()
          .describe('Why the last failed flush failed, in short (never SQL); kept after the flush recovers.'),
        lastErrorCode: z
          .string()
          .nullable()
          .describe(
            'Stable code of that failure: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, POSTGRES_CONFLICT, POSTGRES_REFUSED_DATA or POSTGRES_ERROR.',
          ),
        failures: z.number().int(),
        nextAttemptAt: Timestamp.nullable(),
        flushedRows: z.number().int().describe('Rows this queue has written to Postgres since it started.'),
        flushMs: z.number().int().describe('Time spent writing them (flushedRows / flushMs is the flush rate).'),
        deadLetters: z
          .number()
          .int()
          .describe('Rows Postgres refused, kept aside so the rest could be written (GET /v1/dead-letters).'),
      })
      .describe('Records and events not yet in Postgres, and the health of the flush.'),
  })
  .meta({ id: 'QueueLive' });
