import { createRoute } from '@hono/zod-openapi';
import {
  ErlangABatchRequestSchema,
  ErlangABatchResultSchema,
  ErlangARequestSchema,
  ErlangAResultSchema,
  ErlangBBatchRequestSchema,
  ErlangBBatchResultSchema,
  ErlangBRequestSchema,
  ErlangBResultSchema,
  ErlangCBatchRequestSchema,
  ErlangCBatchResultSchema,
  ErlangCRequestSchema,
  ErlangCResultSchema,
  MAX_STAFFING_INTERVALS,
  RequiredAgentsBatchRequestSchema,
  RequiredAgentsBatchResultSchema,
  RequiredAgentsRequestSchema,
  RequiredAgentsResultSchema,
} from '../../contracts/staffing';
import { blocking, eachInterval, erlangAInterval, erlangCInterval, requiredAgents } from '../../domain/staffing/calculator';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';

const tags = ['Staffing'];

/** Pure arithmetic on the body: POSTs only because a day of intervals is too long for a query string. */
const options = {
  idempotencyKey: false,
  keyLimits: 'Arithmetic on the numbers sent, reading no tenant data: the same answer for every key.',
} as const;

const BATCH = `\`/batch\`: the same for up to ${MAX_STAFFING_INTERVALS} intervals (a week of 15-minute ones) in one call, \`{ "intervals": [ … ] }\` of the single form's bodies, answered in order; a problem in one is a 422 pointing into it (\`/intervals/3/agents\`) and nothing is answered.`;
const DOCS = 'docs/staffing.md has a worked example.';

export const staffingRouter = createRouter()
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-b',
        operationId: 'staffingErlangB',
        tags,
        summary: 'Erlang B: calls lost when every agent is busy',
        description: `The probability that a call finds all \`agents\` busy when \`erlangs\` are offered and there is no queue (busy callers are lost), by the stable recursion (no factorials). ${DOCS}`,
        request: { body: jsonBody(ErlangBRequestSchema) },
        responses: { 200: jsonContent(ErlangBResultSchema, 'The answer.') },
      }),
      options,
    ),
    (c) => c.json(blocking(c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-b/batch',
        operationId: 'staffingErlangBBatch',
        tags,
        summary: 'Erlang B for many intervals',
        description: BATCH,
        request: { body: jsonBody(ErlangBBatchRequestSchema) },
        responses: { 200: jsonContent(ErlangBBatchResultSchema, 'The answers, one per interval in order.') },
      }),
      options,
    ),
    (c) => c.json({ intervals: eachInterval(c.req.valid('json').intervals, blocking) }, 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-c',
        operationId: 'staffingErlangC',
        tags,
        summary: 'Erlang C: waits, service level and occupancy for a number of agents',
        description: `An interval's calls (\`arrivals\` in \`intervalSeconds\`, each handled in \`ahtSeconds\` on average) answered by \`agents\`, callers never hanging up (M/M/N): the offered load in Erlangs, the probability of waiting, the service level for \`targetSeconds\`, ASA, the mean wait of those who wait, the expected queue length and occupancy. When the load is at or over the agents the queue grows without bound: still a 200, with \`stable: false\`, pWait 1, serviceLevel 0, occupancy 1 and the (infinite) means null. ${DOCS}`,
        request: { body: jsonBody(ErlangCRequestSchema) },
        responses: { 200: jsonContent(ErlangCResultSchema, 'The answer.') },
      }),
      options,
    ),
    (c) => c.json(erlangCInterval(c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-c/batch',
        operationId: 'staffingErlangCBatch',
        tags,
        summary: 'Erlang C for many intervals',
        description: BATCH,
        request: { body: jsonBody(ErlangCBatchRequestSchema) },
        responses: { 200: jsonContent(ErlangCBatchResultSchema, 'The answers, one per interval in order.') },
      }),
      options,
    ),
    (c) => c.json({ intervals: eachInterval(c.req.valid('json').intervals, erlangCInterval) }, 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-a',
        operationId: 'staffingErlangA',
        tags,
        summary: 'Erlang A: Erlang C with callers who hang up',
        description: `Erlang C's question with the callers' mean \`patienceSeconds\` (M/M/N+M, exponential patience): the probability of waiting and of abandoning, the service level (abandons count as missed), ASA of the answered callers, the mean wait of all callers, the expected queue length and occupancy. It answers at any load, over the agents too (a queue so long that over 1,000,000 callers would wait is a 422 at \`/patienceSeconds\`). ${DOCS}`,
        request: { body: jsonBody(ErlangARequestSchema) },
        responses: { 200: jsonContent(ErlangAResultSchema, 'The answer.') },
      }),
      options,
    ),
    (c) => c.json(erlangAInterval(c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/erlang-a/batch',
        operationId: 'staffingErlangABatch',
        tags,
        summary: 'Erlang A for many intervals',
        description: BATCH,
        request: { body: jsonBody(ErlangABatchRequestSchema) },
        responses: { 200: jsonContent(ErlangABatchResultSchema, 'The answers, one per interval in order.') },
      }),
      options,
    ),
    (c) => c.json({ intervals: eachInterval(c.req.valid('json').intervals, erlangAInterval) }, 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/required-agents',
        operationId: 'staffingRequiredAgents',
        tags,
        summary: 'Agents required for a service level (and ASA, abandonment, occupancy)',
        description: `The fewest agents with which the interval meets \`targetServiceLevel\` within \`targetSeconds\` and every other target given (\`targetAsaSeconds\`, \`maxOccupancy\`, with Erlang A \`targetAbandonRate\`), under \`model\` (\`erlang-c\` by default; \`erlang-a\` with \`patienceSeconds\`, which needs fewer agents when callers hang up); \`scheduledAgents\` adds \`shrinkage\`; \`limitedBy\` names the targets one agent fewer would miss; the measures are those at \`agents\`. ${DOCS}`,
        request: { body: jsonBody(RequiredAgentsRequestSchema) },
        responses: { 200: jsonContent(RequiredAgentsResultSchema, 'The answer.') },
      }),
      options,
    ),
    (c) => c.json(requiredAgents(c.req.valid('json')), 200),
  )
  .openapi(
    defineRoute(
      { scope: 'read' },
      createRoute({
        method: 'post',
        path: '/v1/staffing/required-agents/batch',
        operationId: 'staffingRequiredAgentsBatch',
        tags,
        summary: 'Agents required for many intervals (a day or a week)',
        description: BATCH,
        request: { body: jsonBody(RequiredAgentsBatchRequestSchema) },
        responses: { 200: jsonContent(RequiredAgentsBatchResultSchema, 'The answers, one per interval in order.') },
      }),
      options,
    ),
    (c) => c.json({ intervals: eachInterval(c.req.valid('json').intervals, requiredAgents) }, 200),
  );
