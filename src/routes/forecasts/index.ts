import { createRoute } from '@hono/zod-openapi';
import { ForecastQuerySchema, ForecastSchema, MAX_FORECAST_DAYS } from '../../contracts/forecasts';
import { keyLimit, teamKeyOnly } from '../../http/key-limits';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { getForecast } from '../../services/forecasts/forecasts';

export const forecastsRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/forecasts',
      operationId: 'getForecast',
      tags: ['Forecasts'],
      summary: 'A queue’s forecast per 15-minute interval: offered volume with prediction intervals, and AHT',
      description:
        'Trained on the KPI rollups of the `weeks` weeks before the origin (the start of today in the tenant’s zone, or of `from`’s day when earlier), holidays of the tenant’s calendar and outlier days left out. ' +
        'Seasonal naive, a seasonal mean of 4 weeks and Holt-Winters (damped trend, weekly season) × an intraday profile are each backtested on the last weeks of training (rolling origin, one week ahead); the least WAPE is chosen and its WAPE and bias reported beside the forecast. ' +
        `Ranges up to ${MAX_FORECAST_DAYS} days after the origin; see docs/forecasts.md.`,
      request: { query: ForecastQuerySchema },
      responses: { 200: jsonContent(ForecastSchema, 'The forecast.') },
    }),
    {
      keyLimits:
        'A team key reads any queue’s forecast: a queue’s volume and AHT name no agent, and a team lead plans staff from them. An agent key is refused (403).',
    },
  ),
  async (c) => {
    teamKeyOnly(keyLimit(c), 'a queue forecast');
    return c.json(await getForecast(serviceContext(c), c.req.valid('query')), 200);
  },
);
