// The Worker `npm run bench:ingest` runs (bench/wrangler.toml): the application and its Durable Objects
// as deployed, plus the baseline the webhook path is measured against — a bare Worker → Durable Object
// RPC round trip carrying the same payload, to a Durable Object that does nothing with it. Nothing here
// is part of the production Worker (src/index.ts).
import { DurableObject } from 'cloudflare:workers';
import { createApp } from '../src/app';
import type { Env } from '../src/env';

// The production classes, wired to Postgres as src/index.ts wires them.
export { QueueDO, TenantDO } from '../src/index';

interface BenchEnv extends Env {
  ECHO_DO: DurableObjectNamespace<EchoDO>;
}

/** The baseline's Durable Object: SQLite-backed like the application's, it only answers the payload's length. */
export class EchoDO extends DurableObject<BenchEnv> {
  echo(payload: string): number {
    return payload.length;
  }
}

const app = createApp();
// Through the same Hono app and middleware as a webhook, one Durable Object per tenant and queue.
app.post('/__bench/rpc/:tenantId/:queueId', async (c) => {
  const ns = (c.env as BenchEnv).ECHO_DO;
  const body = await c.req.text();
  const bytes = await ns.get(ns.idFromName(`${c.req.param('tenantId')}:${c.req.param('queueId')}`)).echo(body);
  return c.json({ bytes });
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<BenchEnv>;
