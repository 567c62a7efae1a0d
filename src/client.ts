import { type ClientRequestOptions, hc } from 'hono/client';
import type { AppType } from './app';

export type { AppType };

/**
 * A typed client of the API: paths, parameters, bodies and JSON answers as the routes declare them
 * (`callboardClient(url, key).v1.kpis.$get({ query: { … } })`). Only types come from the app, so a client
 * bundles `hono/client` alone. A CSV answer (`format: 'csv'`) is read with `res.text()`.
 */
export function callboardClient(baseUrl: string, apiKey: string, options: ClientRequestOptions = {}) {
  const authorization = { Authorization: `Bearer ${apiKey}` };
  const { headers } = options;
  return hc<AppType>(baseUrl, {
    ...options,
    headers:
      typeof headers === 'function' ? async () => ({ ...(await headers()), ...authorization }) : { ...headers, ...authorization },
  });
}
