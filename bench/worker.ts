// The Worker `npm run bench:ingest` runs (bench/wrangler.toml): the application and its Durable Objects
// as deployed, plus the baseline the webhook path is measured against — a bare Worker → Durable Object
// RPC round trip carrying the same payload, to a Durable Object that does nothing with it (and the same through
// two Durable Objects, as the webhook path goes through the TenantDO to a QueueDO). Nothing here
// is part of the production Worker (src/index.ts).
import { DurableObject } from 'cloudflare:workers';
import { createApp } from '../src/app';
import type { Env } from '../src/env';

// The production classes, wired to Postgres as src/index.ts wires them.
export { LiveHubDO, OutboundDO, QueueDO, TenantDatabaseDO, TenantDO, WebhookSenderDO } from '../src/index';

interface BenchEnv extends Env {
  ECHO_DO: DurableObjectNamespace<EchoDO>;
  PUSH_DO: DurableObjectNamespace<PushDO>;
}

/**
 * The live benchmark's baseline (`npm run bench:live`): a bare Durable Object with hibernatable WebSockets that
 * sends whatever it is given to every socket — the floor of any "event in, message out" design on this platform.
 */
export class PushDO extends DurableObject<BenchEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('upgrade', { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  push(message: string): number {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) ws.send(message);
    return sockets.length;
  }

  override webSocketMessage(): void {}

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closed');
  }
}

/** The baseline's Durable Object: SQLite-backed like the application's, it only answers the payload's length. */
export class EchoDO extends DurableObject<BenchEnv> {
  echo(payload: string): number {
    return payload.length;
  }

  /** The two-hop reference: hands the payload on to another EchoDO, as the TenantDO hands a queue batch on. */
  async relay(payload: string, to: string): Promise<number> {
    const ns = this.env.ECHO_DO;
    return ns.get(ns.idFromName(to)).echo(payload);
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

// Worker → a Durable Object per tenant → one per queue, doing nothing: the floor of any two-hop design.
app.post('/__bench/rpc2/:tenantId/:queueId', async (c) => {
  const ns = (c.env as BenchEnv).ECHO_DO;
  const body = await c.req.text();
  const { tenantId, queueId } = c.req.param();
  const bytes = await ns.get(ns.idFromName(tenantId)).relay(body, `${tenantId}:${queueId}`);
  return c.json({ bytes });
});

// The live baseline: a POST's body pushed to every socket of one PushDO, and the sockets' upgrade.
app.post('/__bench/push/:room', async (c) => {
  const ns = (c.env as BenchEnv).PUSH_DO;
  const sent = await ns.get(ns.idFromName(c.req.param('room'))).push(await c.req.text());
  return c.json({ sent });
});
app.get('/__bench/push/:room', async (c) => {
  const ns = (c.env as BenchEnv).PUSH_DO;
  return ns.get(ns.idFromName(c.req.param('room'))).fetch(c.req.raw);
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<BenchEnv>;
