import { createRoute } from '@hono/zod-openapi';
import { MAX_RANGE_DAYS } from '../../contracts/kpis';
import { VolumeProfileQuerySchema, VolumeProfileSchema } from '../../contracts/volume-profile';
import { keyLimit, teamKeyOnly } from '../../http/key-limits';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { queryVolumeProfile } from '../../services/kpis/volume-profile';

export const volumeProfileRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/kpis/volume-profile',
      operationId: 'getVolumeProfile',
      tags: ['KPIs'],
      summary: 'Busy and idle hours: visits per hour of day × weekday',
      description:
        'Queue visits (`offered`, or those `answered` or `abandoned`) counted by the local hour of day and ISO weekday they started ' +
        'in, in `timeZone`: 168 cells, each with its count, the number of such hours the range held (a DST-repeated hour twice, ' +
        'a skipped one zero) and the exact average per hour. Also the same by hour of day and by weekday, and for each the peak, ' +
        'the trough (quietest) and peak/trough, which is null when the trough averaged 0. ' +
        `Ranges up to ${MAX_RANGE_DAYS} days, rounded outward to whole local hours.`,
      request: { query: VolumeProfileQuerySchema },
      responses: { 200: jsonContent(VolumeProfileSchema, 'The profile.') },
    }),
    {
      keyLimits:
        'A team key reads any queue’s profile: like its forecast, a queue’s volume by hour names no agent, and a team lead plans staff from it. An agent key is refused (403).',
    },
  ),
  async (c) => {
    teamKeyOnly(keyLimit(c), 'a volume profile');
    return c.json(await queryVolumeProfile(serviceContext(c), c.req.valid('query')), 200);
  },
);
