import { createRoute, z } from '@hono/zod-openapi';
import {
  MAX_TRAINING_HOURS,
  MAX_TRAINING_RECORDS_PER_REQUEST,
  TrainingRecordListQuerySchema,
  TrainingRecordPatchSchema,
  TrainingRecordSchema,
  TrainingRecordsPostSchema,
} from '../../contracts/training';
import { createRouter, defineRoute, IdParam, jsonBody, jsonContent, pageOf } from '../../http/openapi';
import { actorOf, serviceContext } from '../../http/service-context';
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
    ),
    async (c) => c.json(await listTrainingRecords(serviceContext(c), c.req.valid('query')), 200),
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
    ),
    async (c) => c.json(await getTrainingRecord(serviceContext(c), recordId(c)), 200),
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
