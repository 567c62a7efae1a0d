import { createRoute, z } from '@hono/zod-openapi';
import {
  MAX_TRAINING_HOURS,
  MAX_TRAINING_RECORDS_PER_REQUEST,
  TrainingRecordListQuerySchema,
  TrainingRecordPatchSchema,
  TrainingRecordSchema,
  TrainingRecordsPostSchema,
} from '../../contracts/training';
import { notFound } from '../../domain/errors';
import { limitAgentId, limitTeamId } from '../../domain/key-limits';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, pageOf } from '../../http/openapi';
import { actorOf, serviceContext } from '../../http/service-context';
import { reachFor } from '../../services/key-limits/reach';
import {
  deleteTrainingRecord,
  getTrainingRecord,
  listTrainingRecords,
  updateTrainingRecord,
  upsertTrainingRecords,
} from '../../services/training/training-records';

const tags = ['Training'];
const recordParams = IdParam('trainingRecordId', 'trn_01jx2c8v3m0000000000000000');
const recordId = (c: { req: { valid: (t: 'param') => Record<string, unknown> } }) =>
  c.req.valid('param').trainingRecordId as string;
const TrainingRecordListSchema = z.object({ data: z.array(TrainingRecordSchema) }).meta({ id: 'TrainingRecordList' });

export const trainingRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/training-records',
        operationId: 'upsertTrainingRecords',
        tags,
        summary: 'Add or replace training records',
        description: `One record (answered with the record: 201 when new, 200 when it replaced one), or \`{"records": […]}\` of up to ${MAX_TRAINING_RECORDS_PER_REQUEST}, all or none (answered with them all, 200). Each: an agent of the tenant, a course, the day it was completed (the tenant’s zone, not after today), hours (more than 0, at most ${MAX_TRAINING_HOURS}) and, if it ended in an exam, the score out of \`examMaxScore\` (default 100). A record sent again with its \`id\` replaces it. Refused with a pointer for each problem. Every record created or replaced is in the audit log.`,
        request: { body: jsonBody(TrainingRecordsPostSchema) },
        responses: {
          200: jsonContent(
            z.union([TrainingRecordListSchema, TrainingRecordSchema]),
            'The records as stored (`{data}` for `{records}`; the record when one replaced another).',
          ),
          201: jsonContent(TrainingRecordSchema, 'The record, new.'),
        },
      }),
    ),
    async (c) => {
      const body = c.req.valid('json');
      const ctx = serviceContext(c);
      if ('records' in body) {
        const { records } = await upsertTrainingRecords(ctx, actorOf(c), body.records, (i) => `/records/${i}`);
        return c.json({ data: records }, 200);
      }
      const { records, created } = await upsertTrainingRecords(ctx, actorOf(c), [body], () => '');
      const record = records[0];
      if (!record) throw new Error('training record upsert returned nothing');
      if (!created[0]) return c.json(record, 200);
      c.header('Location', `/v1/training-records/${encodeURIComponent(record.id)}`);
      return c.json(record, 201);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/training-records',
        operationId: 'listTrainingRecords',
        tags,
        summary: 'Training records completed in a range of days',
        description:
          'By `completedOn`, then id; of one agent, or of the agents in a team on each record’s day. A page at a time (`nextCursor`).',
        request: { query: TrainingRecordListQuerySchema },
        responses: { 200: jsonContent(pageOf(TrainingRecordSchema, 'TrainingRecordPage'), 'A page of records.') },
      }),
      {
        keyLimits:
          "A team key's: its team's agents on each record's day (`teamId` set to it; another is a 403); an agent key's: its own. `agentId` must be one of its agents (403).",
      },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = c.req.valid('query');
      const reach = await reachFor(ctx, keyLimit(c));
      const limited = reach ? { ...q, teamId: limitTeamId(reach, q.teamId), agentId: limitAgentId(reach, q.agentId) } : q;
      return c.json(await listTrainingRecords(ctx, limited), 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'get',
        path: '/v1/training-records/{trainingRecordId}',
        operationId: 'getTrainingRecord',
        tags,
        summary: 'Get a training record',
        request: { params: recordParams },
        responses: { 200: jsonContent(TrainingRecordSchema, 'The record.') },
      }),
      { keyLimits: 'One `GET /v1/training-records` would not list to the key is a 404.' },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const record = await getTrainingRecord(ctx, recordId(c));
      const reach = await reachFor(ctx, keyLimit(c));
      if (reach) {
        // Exactly what the listing shows the key for that agent and day.
        const next = new Date(Date.parse(`${record.completedOn}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        const listed = await listTrainingRecords(ctx, {
          from: record.completedOn,
          to: next,
          agentId: limitAgentId(reach, reach.seesAgent(record.agentId) ? record.agentId : undefined),
          teamId: limitTeamId(reach, undefined),
          limit: 500,
        });
        if (!reach.seesAgent(record.agentId) || !listed.data.some((r) => r.id === record.id)) {
          throw notFound('training record', record.id);
        }
      }
      return c.json(record, 200);
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'patch',
        path: '/v1/training-records/{trainingRecordId}',
        operationId: 'updateTrainingRecord',
        tags,
        summary: 'Change a training record',
        description: 'The fields given; the record is checked as a whole (a score above the maximum is refused). Audited.',
        request: { params: recordParams, body: jsonBody(TrainingRecordPatchSchema) },
        responses: { 200: jsonContent(TrainingRecordSchema, 'The record.') },
      }),
    ),
    async (c) => c.json(await updateTrainingRecord(serviceContext(c), actorOf(c), recordId(c), c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'delete',
        path: '/v1/training-records/{trainingRecordId}',
        operationId: 'deleteTrainingRecord',
        tags,
        summary: 'Delete a training record',
        description: 'Logged in the audit log with what it was.',
        request: { params: recordParams },
        responses: { 200: jsonContent(z.object({ id: z.string(), outcome: z.literal('deleted') }), 'Deleted.') },
      }),
    ),
    async (c) => c.json(await deleteTrainingRecord(serviceContext(c), actorOf(c), recordId(c)), 200),
  );
