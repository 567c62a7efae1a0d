import { createRoute, z } from '@hono/zod-openapi';
import { BriefingQuerySchema, BriefingSchema } from '../../contracts/briefings';
import { beyondLimit } from '../../domain/key-limits';
import { keyLimit, teamKeyOnly } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { briefingMarkdown, teamBriefing } from '../../services/briefings/briefing';

export const briefingsRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/teams/{teamId}/briefing',
      operationId: 'getTeamBriefing',
      tags: ['Teams'],
      summary: 'A shift briefing for a team (班前会)',
      description:
        'What a team lead needs before a shift: the day before’s team and agent KPIs against their targets (the cascade of docs/targets.md), the best and those who missed their target, open alerts of the team, its agents or the tenant, QA evaluations its agents dispute, and how many calls this weekday brought on average over the last 4 weeks. As JSON, or as a short Markdown text (`format=markdown` or `Accept: text/markdown`).',
      request: { params: IdParam('teamId', 'tem_01jx2c8v3m0000000000000000'), query: BriefingQuerySchema },
      responses: {
        200: {
          description: 'The briefing.',
          content: {
            'application/json': { schema: BriefingSchema },
            'text/markdown': { schema: z.string().openapi({ description: 'The same, as a short text.' }) },
          },
        },
      },
    }),
    { keyLimits: "A team key: its own team's briefing only (another team's is a 403); an agent key is refused (403)." },
  ),
  async (c) => {
    const q = c.req.valid('query');
    const teamId = c.req.valid('param').teamId as string;
    const team = teamKeyOnly(keyLimit(c), 'a briefing');
    if (team && team.teamId !== teamId) throw beyondLimit(team, `team '${teamId}' is not its team`);
    const briefing = await teamBriefing(serviceContext(c), teamId, q);
    c.header('Vary', 'Accept');
    const markdown = q.format === 'markdown' || (!q.format && (c.req.header('Accept') ?? '').includes('text/markdown'));
    if (!markdown) return c.json(briefing, 200);
    return c.body(briefingMarkdown(briefing), 200, { 'Content-Type': 'text/markdown; charset=utf-8' }) as unknown as Response &
      ReturnType<typeof c.json<typeof briefing, 200>>;
  },
);
