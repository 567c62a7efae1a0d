import { DurableObject } from 'cloudflare:workers';
import { LIVE_CLOSE_CODES, LIVE_PROTOCOL_VERSION, LiveClientMessageSchema } from '../../contracts/live-stream';
import type { Env } from '../../env';
import { createLogger, errorFields } from '../../lib/log';
import { queueStub } from '../queue/queue.client';
import type { LiveSnapshot } from '../queue/queue.types';
import { tenantStub } from '../tenant/tenant.client';
import type { LiveHubPort } from './live-hub.client';

/** A client acknowledges at least this often (`{"type":"ack","n":…}`); three missed beats close it (4002). */
export const HEARTBEAT_SECONDS = 20;
const HEARTBEAT_TIMEOUT_MS = 3 * HEARTBEAT_SECONDS * 1000;
/** Messages sent and not acknowledged beyond which a connection is a slow consumer and is closed (4008). */
export const MAX_UNACKNOWLEDGED = 240;
/** The hub renews its queues' watch leases this often, for this long. */
const RENEW_MS = 30_000;
const LEASE_MS = 3 * RENEW_MS;
/** Queues asked at once for their snapshots (a tenant may have hundreds). */
const FAN_OUT = 16;
/** A socket with more queues than this is tagged `many` (the runtime allows 10 tags) and filtered by its attachment. */
const MAX_QUEUE_TAGS = 8;
/** A client message longer than this is not a protocol message. */
const MAX_CLIENT_MESSAGE = 1024;

/** What the Worker tells the hub about a connection it authenticated (internal headers, set by the Worker only). */
export const LIVE_HEADERS = {
  tenant: 'X-Callboard-Live-Tenant',
  key: 'X-Callboard-Live-Key',
  queues: 'X-Callboard-Live-Queues',
  expires: 'X-Callboard-Live-Expires',
} as const;

/** A connection's state, kept on the socket itself so it survives hibernation. */
interface Attachment {
  keyId: string;
  /** null: every queue of the tenant, now and later. */
  queues: string[] | null;
  expiresAt: number | null;
  /** Messages sent (the last `n`), and the last one the client acknowledged. */
  sent: number;
  acked: number;
  lastHeardAt: number;
}

/**
 * One per tenant (named by its id): holds the tenant's live WebSocket connections (hibernatable: an idle hub
 * costs nothing and keeps its sockets) and fans each queue's pushed snapshot out to the connections watching
 * that queue. Queues push only while watched: the hub holds a lease on each (`QueueDO.watch`), renewed by its
 * alarm, which also closes connections whose token expired, whose key was revoked, or which stopped
 * acknowledging. A connection only ever gets its tenant's queues: the hub is the tenant's, and the queues a
 * connection may watch were checked by the Worker against the tenant's directory and the key or token.
 */
export class LiveHubDO extends DurableObject<Env> implements LiveHubPort {
  private tenantId: string | null = null;

  override async fetch(request: Request): Promise<Response> {
    const tenantId = request.headers.get(LIVE_HEADERS.tenant);
    const keyId = request.headers.get(LIVE_HEADERS.key);
    const queuesHeader = request.headers.get(LIVE_HEADERS.queues);
    if (!tenantId || !keyId || !queuesHeader || request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('not a live connection', { status: 400 });
    }
    await this.rememberTenant(tenantId);
    const queues = queuesHeader === '*' ? null : (JSON.parse(queuesHeader) as string[]);
    const expires = request.headers.get(LIVE_HEADERS.expires);
    const expiresAt = expires ? Number(expires) : null;
    const now = Date.now();

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const tags = [`k:${keyId}`];
    if (queues === null) tags.push('all');
    else if (queues.length > MAX_QUEUE_TAGS) tags.push('many');
    else tags.push(...queues.map((q) => `q:${q}`));
    this.ctx.acceptWebSocket(server, tags);
    const attachment: Attachment = { keyId, queues, expiresAt, sent: 0, acked: 0, lastHeardAt: now };
    server.serializeAttachment(attachment);
    this.send(
      server,
      JSON.stringify({
        v: LIVE_PROTOCOL_VERSION,
        type: 'hello',
        tenantId,
        queues: queues ?? 'all',
        heartbeatSeconds: HEARTBEAT_SECONDS,
        maxUnacknowledged: MAX_UNACKNOWLEDGED,
        expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      }),
    );
    this.ctx.waitUntil(this.sendInitial(server, tenantId, queues));
    await this.planAlarm(now);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A queue's snapshot for every connection watching it; answers how many got it. */
  publish(queueId: string, _seq: number, message: string): number {
    let n = 0;
    for (const ws of this.watchers(queueId)) if (this.send(ws, message)) n += 1;
    return n;
  }

  closeKey(keyId: string): number {
    const sockets = this.ctx.getWebSockets(`k:${keyId}`);
    for (const ws of sockets) close(ws, LIVE_CLOSE_CODES.keyRevoked, 'API key revoked');
    return sockets.length;
  }

  connections(): number {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const text = typeof message === 'string' ? message : null;
    const parsed = text !== null && text.length <= MAX_CLIENT_MESSAGE ? safeJson(text) : undefined;
    const msg = LiveClientMessageSchema.safeParse(parsed);
    if (!msg.success) {
      close(ws, LIVE_CLOSE_CODES.badMessage, 'expected {"type":"ack","n":…} or {"type":"ping"}');
      return;
    }
    const a = ws.deserializeAttachment() as Attachment;
    a.lastHeardAt = Date.now();
    if (msg.data.type === 'ack') a.acked = Math.max(a.acked, Math.min(msg.data.n, a.sent));
    ws.serializeAttachment(a);
    if (msg.data.type === 'ping') this.send(ws, JSON.stringify({ v: LIVE_PROTOCOL_VERSION, type: 'pong' }));
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    // The client closed: finish the closing handshake (1005/1006 carry no code to echo).
    close(ws, code === 1005 || code === 1006 ? 1000 : code, 'closed');
  }

  override webSocketError(ws: WebSocket): void {
    close(ws, 1011, 'error');
  }

  /**
   * Every `RENEW_MS` while connections are open: closes expired, silent and revoked ones, then renews the leases
   * of the queues the rest watch. Also at the earliest token expiry.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const tenantId = await this.tenant();
    const log = createLogger({ tenantId: tenantId ?? '', do: 'LiveHubDO' }, this.env.LOG_LEVEL);
    try {
      const open = this.openSockets();
      for (const ws of open) {
        const a = ws.deserializeAttachment() as Attachment;
        if (a.expiresAt !== null && a.expiresAt <= now) close(ws, LIVE_CLOSE_CODES.tokenExpired, 'live token expired');
        else if (now - a.lastHeardAt > HEARTBEAT_TIMEOUT_MS)
          close(ws, LIVE_CLOSE_CODES.heartbeatTimeout, 'no ack or ping received');
      }
      if (!tenantId) return;
      const left = this.openSockets();
      const keyIds = [...new Set(left.map((ws) => (ws.deserializeAttachment() as Attachment).keyId))];
      if (keyIds.length > 0) {
        const live = new Set(await tenantStub(this.env, tenantId).liveKeys(keyIds));
        for (const ws of left) {
          if (!live.has((ws.deserializeAttachment() as Attachment).keyId))
            close(ws, LIVE_CLOSE_CODES.keyRevoked, 'API key revoked');
        }
      }
      const watched = await this.watchedQueues(tenantId);
      await inBatches(watched, FAN_OUT, (q) => queueStub(this.env, tenantId, q).watch(now + LEASE_MS, false));
    } catch (err) {
      log.warn('live hub upkeep failed; retried at the next alarm', errorFields(err));
    } finally {
      await this.planAlarm(now);
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private async sendInitial(ws: WebSocket, tenantId: string, queues: string[] | null): Promise<void> {
    const ids = queues ?? (await tenantStub(this.env, tenantId).queueIds());
    const until = Date.now() + LEASE_MS;
    await inBatches(ids, FAN_OUT, async (queueId) => {
      const snap = (await queueStub(this.env, tenantId, queueId).watch(until, true)) as LiveSnapshot;
      this.send(ws, snapshotMessage({ ...snap, queueId }, true));
    });
  }

  /** Sends a message (JSON text without `n`) with the connection's next number; a slow consumer is closed instead. */
  private send(ws: WebSocket, message: string): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    const a = ws.deserializeAttachment() as Attachment;
    if (a.sent - a.acked >= MAX_UNACKNOWLEDGED) {
      close(ws, LIVE_CLOSE_CODES.slowConsumer, `more than ${MAX_UNACKNOWLEDGED} messages not acknowledged`);
      return false;
    }
    a.sent += 1;
    ws.serializeAttachment(a);
    ws.send(`{"n":${a.sent},${message.slice(1)}`);
    return true;
  }

  private watchers(queueId: string): WebSocket[] {
    const many = this.ctx
      .getWebSockets('many')
      .filter((ws) => (ws.deserializeAttachment() as Attachment).queues?.includes(queueId));
    return [...this.ctx.getWebSockets(`q:${queueId}`), ...this.ctx.getWebSockets('all'), ...many];
  }

  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private async watchedQueues(tenantId: string): Promise<string[]> {
    const open = this.openSockets().map((ws) => ws.deserializeAttachment() as Attachment);
    if (open.some((a) => a.queues === null)) return tenantStub(this.env, tenantId).queueIds();
    return [...new Set(open.flatMap((a) => a.queues ?? []))];
  }

  private async planAlarm(now: number): Promise<void> {
    const open = this.openSockets();
    if (open.length === 0) return;
    let next = now + RENEW_MS;
    for (const ws of open) {
      const exp = (ws.deserializeAttachment() as Attachment).expiresAt;
      if (exp !== null && exp < next) next = Math.max(now + 100, exp);
    }
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next || current < now) await this.ctx.storage.setAlarm(next);
  }

  private async rememberTenant(tenantId: string): Promise<void> {
    if (this.tenantId === tenantId) return;
    this.tenantId = tenantId;
    await this.ctx.storage.put('tenantId', tenantId);
  }

  private async tenant(): Promise<string | null> {
    this.tenantId ??= (await this.ctx.storage.get<string>('tenantId')) ?? null;
    return this.tenantId;
  }
}

/** The wire form of a queue's snapshot, without `n` (the hub numbers it per connection). */
export function snapshotMessage(snap: LiveSnapshot, initial: boolean): string {
  return JSON.stringify({
    v: LIVE_PROTOCOL_VERSION,
    type: 'snapshot',
    queueId: snap.queueId,
    seq: snap.seq,
    snapshotAt: snap.asOf,
    initial,
    data: snap,
  });
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.allSettled(items.slice(i, i + size).map(fn));
}
