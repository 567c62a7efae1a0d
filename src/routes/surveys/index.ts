import { createRoute } from '@hono/zod-openapi';
import { SurveyCreateSchema, SurveyResultSchema } from '../../contracts/surveys';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { tenantConfig } from '../../services/ingest/hot-config';
import { submitSurvey } from '../../services/surveys/submit-survey';

export const surveysRouter = createRouter().openapi(
  defineRoute(
    { scope: 'ingest' },
    createRoute({
      method: 'post',
      path: '/v1/surveys',
      operationId: 'submitSurvey',
      tags: ['Ingestion'],
      summary: 'Send a customer survey of a call',
      description: `One survey (CSAT) of a call: its score on its scale, optionally its own "satisfied" threshold and the
customer's comment. It becomes the call's \`survey.completed\` event, ingested as \`POST /v1/events\` ingests events:
the same \`id\` again (default \`survey:{callId}\`) is a \`duplicate\` with no effect, and a call not seen yet is fine.
It counts in \`csat\`, \`csatMean\` and \`surveyResponses\` with the call's last agent segment (docs/kpis.md). A score
or threshold off its scale is refused (422, pointing at the field).`,
      request: { body: jsonBody(SurveyCreateSchema) },
      responses: { 200: jsonContent(SurveyResultSchema, 'Accepted (durable), or a duplicate.') },
    }),
  ),
  async (c) => {
    const ctx = serviceContext(c);
    const principal = c.get('principal');
    const config = tenantConfig(c.env, ctx.tenantId, principal?.configVersion ?? 0);
    return c.json(await submitSurvey(ctx, c.req.valid('json'), config), 200);
  },
);
