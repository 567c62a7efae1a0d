import type { Alert } from '../../contracts/alerts';
import { LIVE_CLOSE_CODES, LIVE_PROTOCOL_VERSION, LiveClientMessageSchema } from '../../contracts/live-stream';
import { weekSlotOf } from '../../domain/alerts/baseline';
import type { AgentView, QueueView, TenantView } from '../../domain/alerts/engine';
import type { AlertRule } from '../../domain/alerts/rules';
import type { MetricValue } from '../../domain/kpi/compute';
import type { LiveMetricId } from '../../domain/kpi/live';
import type { Env } from '../../env';
import { createLogger, errorFields, type Logger } from '../../lib/log';
import { OutboxFlusher } from '../flush';
import type { Wakeable } from '../lifecycle';
import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';
import type { HistorySink } from '../ports';
import { queueStub } from '../queue/queue.client';
import type { LiveSnapshot } from '../queue/queue.types';
import { SqlDurableObject } from '../sql-object';
import { tenantStub } from '../tenant/tenant.client';
import type { LiveDirectory } from '../tenant/tenant.types';
import { publishWebhookEvent } from '../webhooks/webhook-sender.client';
import { ALERT_BOOK_DDL, AlertBook, type AlertEvent } from './alert-book';
import type { LiveHubPort } from './live-hub.client';
import { WEBHOOK_RELAY_DDL, WebhookRelay } from './webhook-relay';

/** A client acknowledges at least this often (`{"type":"ack","n":…}`); three missed beats close it (4002). */
export const HEARTBEAT_SECONDS = 20;
const HEARTBEAT_TIMEOUT_MS = 3 * HEARTBEAT_SECONDS * 1000;
/** Live connections one tenant may hold open (each costs the hub a send per push of every queue it watches). */
export const MAX_CONNECTIONS = 2000;
/** The limit in force: `LIVE_MAX_CONNECTIONS` (tests set it low), else {@link MAX_CONNECTIONS}. */
export const maxConnections = (env: Pick<Env, 'LIVE_MAX_CONNECTIONS'>) => Number(env.LIVE_MAX_CONNECTIONS) || MAX_CONNECTIONS;
/** Messages sent and not acknowledged beyond which a connection is a slow consumer and is closed (4008). */
export const MAX_UNACKNOWLEDGED = 240;
/** The hub renews its queues' watch leases this often, for this long. */
const RENEW_MS = 30_000;
const LEASE_MS = 3 * RENEW_MS;
/** Queues asked at once for their snapshots (a tenant may have hundreds). */
const FAN_OUT = 16;
/** A socket with more queues than this is tagged `many` (the runtime allows 10 tags) and filtered by its attachment. */
const MAX_QUEUE_TAGS = 8;
/** The ack as clients usually write it, read without parsing JSON. */
const ACK = /^\{"type":"ack","n":(\d{1,15})\}$/;
/** A connection's last-heard instant is written to the socket at most this often (the heartbeat check reads it). */
const PERSIST_HEARD_MS = 5000;
/** A client message longer than this is not a protocol message. */
const MAX_CLIENT_MESSAGE = 1024;

/** What the Worker tells the hub about a connection it authenticated (internal headers, set by the Worker only). */
export const LIVE_HEADERS = {
  tenant: 'X-Callboard-Live-Tenant',
  key: 'X-Callboard-Live-Key',
  queues: 'X-Callboard-Live-Queues',
  expires: 'X-Callboard-Live-Expires',
  /** A key limited to a team or an agent: the agents it may see (JSON array); absent for a key of the whole tenant. */
  agents: 'X-Callboard-Live-Agents',
} as const;

/** A connection's state, kept on the socket itself so it survives hibernation. */
interface Attachment {
  keyId: string;
  /** null: every queue of the tenant, now and later. */
  queues: string[] | null;
  expiresAt: number | null;
  /** A limited key's agents (docs/roles.md): snapshots list only them, and alerts about other agents are not sent. */
  agents?: string[] | null;
  /** Messages sent (the last `n`), and the last one the client acknowledged. */
  sent: number;
  acked: number;
  lastHeardAt: number;
}

/** The hub's SQLite schema, forward-only (see `sqlite-migrations.ts`). */
export const LIVE_HUB_MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); ${ALERT_BOOK_DDL} ${OUTBOX_DDL}`,
  OUTBOX_DEAD_LETTERS_DDL,
  WEBHOOK_RELAY_DDL,
];

/** A flush of alert records waits this long after the first change. */
const FLUSH_DELAY_MS = 1000;

/**
 * One per tenant (named by its id): the tenant's real-time aggregator. It holds the tenant's live WebSocket
 * connections (hibernatable: an idle hub keeps its sockets and costs nothing) and fans each queue's pushed
 * snapshot out to the connections watching that queue; and it evaluates the tenant's alert rules on every
 * pushed change and on timers (`AlertBook`), writing alerts to Postgres through its outbox and sending them on
 * the stream. Queues push only while watched: the hub holds a lease on each queue a connection or a rule needs
 * (`QueueDO.watch`), renewed by its upkeep, which also closes connections whose token expired, whose key was
 * revoked, or which stopped acknowledging. A connection only ever gets its tenant's queues: the hub is the
 * tenant's, and the queues a connection may watch were checked by the Worker.
 */
export class LiveHubDO extends SqlDurableObject implements LiveHubPort {
  private tenantId: string | null = null;
  /** The last snapshot each queue pushed (memory only: after an eviction the queues are asked again). */
  private readonly latest = new Map<string, LiveSnapshot>();
  private readonly attachments = new WeakMap<WebSocket, Attachment>();
  private directory: { at: number; value: LiveDirectory } | null = null;
  private readonly alerts: AlertBook;
  private readonly hooks: WebhookRelay;
  private readonly parts: readonly Wakeable[];

  constructor(ctx: DurableObjectState, env: Env, sink: HistorySink) {
    super(ctx, env, LIVE_HUB_MIGRATIONS, sink);
    this.hooks = new WebhookRelay(this.sql, async (event) => {
      if (this.tenantId) await publishWebhookEvent(this.env, this.tenantId, event);
    });
    this.alerts = new AlertBook(
      this.sql,
      this.outbox,
      (now) => this.view(now),
      (rule) => this.complete(rule),
      (events) => this.broadcastAlerts(events),
    );
    this.parts = [
      { nextWake: (now) => this.nextUpkeep(now), onAlarm: (now, log) => this.upkeep(now, log) },
      this.alerts,
      this.hooks,
      new OutboxFlusher(this.outbox, sink, {
        tenantId: () => this.tenantId,
        ensure: () => [],
        transact: this.transact,
        delayMs: FLUSH_DELAY_MS,
      }),
    ];
  }

  override async fetch(request: Request): Promise<Response> {
    const tenantId = request.headers.get(LIVE_HEADERS.tenant);
    const keyId = request.headers.get(LIVE_HEADERS.key);
    const queuesHeader = request.headers.get(LIVE_HEADERS.queues);
    if (!tenantId || !keyId || !queuesHeader || request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('not a live connection', { status: 400 });
    }
    this.remember(tenantId);
    if (this.ctx.getWebSockets().length >= maxConnections(this.env)) {
      return new Response('too many live connections', { status: 429, headers: { 'Retry-After': '30' } });
    }
    const queues = queuesHeader === '*' ? null : (JSON.parse(queuesHeader) as string[]);
    const expires = request.headers.get(LIVE_HEADERS.expires);
    const expiresAt = expires ? Number(expires) : null;
    const agentsHeader = request.headers.get(LIVE_HEADERS.agents);
    const agents = agentsHeader === null ? null : (JSON.parse(agentsHeader) as string[]);
    const now = Date.now();

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const tags = [`k:${keyId}`];
    if (queues === null) tags.push('all');
    else if (queues.length > MAX_QUEUE_TAGS) tags.push('many');
    else tags.push(...queues.map((q) => `q:${q}`));
    this.ctx.acceptWebSocket(server, tags);
    const attachment: Attachment = { keyId, queues, expiresAt, agents, sent: 0, acked: 0, lastHeardAt: now };
    this.save(server, attachment);
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
    for (const alert of this.alerts.open())
      if (covers(attachment, alert)) this.send(server, alertMessage('alert.triggered', alert));
    this.ctx.waitUntil(this.sendInitial(server, tenantId, queues));
    await this.replan();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A queue's snapshot for every connection watching it, then the alert rules; answers how many connections got it. */
  publish(queueId: string, _seq: number, message: string): number {
    let n = 0;
    for (const ws of this.watchers(queueId)) if (this.send(ws, message)) n += 1;
    if (this.ready && this.alerts.rules().length > 0) {
      const parsed = JSON.parse(message) as { data: LiveSnapshot };
      this.latest.set(queueId, { ...parsed.data, queueId });
      this.evaluate();
    }
    return n;
  }

  closeKey(keyId: string): number {
    const sockets = this.ctx.getWebSockets(`k:${keyId}`);
    for (const ws of sockets) close(ws, LIVE_CLOSE_CODES.keyRevoked, 'API key revoked');
    return sockets.length;
  }

  /** Alert records not yet in Postgres. */
  backlog(): number {
    return this.ready ? this.outbox.status().backlog : 0;
  }

  connections(): number {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  // ---- alert rules and alerts ----------------------------------------------------------------------------

  /** Replaces every rule (tenant creation, a resync) and looks at them at once. */
  async replaceAlertRules(tenantId: string, rules: AlertRule[]): Promise<void> {
    this.ensureSchema();
    this.remember(tenantId);
    this.transact(() => this.alerts.replaceRules(rules));
    await this.rulesChanged();
  }

  async putAlertRule(tenantId: string, rule: AlertRule): Promise<void> {
    this.ensureSchema();
    this.remember(tenantId);
    this.transact(() => this.alerts.putRule(rule));
    await this.rulesChanged();
  }

  async removeAlertRule(tenantId: string, id: string): Promise<void> {
    this.ensureSchema();
    this.remember(tenantId);
    this.transact(() => this.alerts.removeRule(id));
    await this.rulesChanged();
  }

  /** Acknowledges an open alert (null: no open alert has this id). */
  async acknowledgeAlert(alertId: string, by: string): Promise<Alert | null> {
    if (!this.ready) return null;
    const acked = this.transact(() => this.alerts.acknowledge(alertId, by, Date.now()));
    await this.replan();
    return acked;
  }

  /** Alerts open now, newest first. */
  openAlerts(): Alert[] {
    return this.ready ? this.alerts.open().sort((a, b) => (a.triggeredAt < b.triggeredAt ? 1 : -1)) : [];
  }

  // ---- sockets -------------------------------------------------------------------------------------------

  /**
   * A client's ack or ping. Acks come with every message read (a thousand connections at 4 pushes a second is
   * 4,000 a second), so the usual one, `{"type":"ack","n":N}` as the example client writes it, is read without a
   * JSON parse, and the connection's state is kept on the socket at most every `PERSIST_HEARD_MS` (on a wake the
   * hub forgives what was unacknowledged: `attachment`).
   */
  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const text = typeof message === 'string' ? message : null;
    const quick = text === null ? null : ACK.exec(text);
    let ack: number | null = quick ? Number(quick[1]) : null;
    let ping = false;
    if (ack === null) {
      const parsed = text !== null && text.length <= MAX_CLIENT_MESSAGE ? safeJson(text) : undefined;
      const msg = LiveClientMessageSchema.safeParse(parsed);
      if (!msg.success) {
        close(ws, LIVE_CLOSE_CODES.badMessage, 'expected {"type":"ack","n":…} or {"type":"ping"}');
        return;
      }
      if (msg.data.type === 'ack') ack = msg.data.n;
      else ping = true;
    }
    const a = this.attachment(ws);
    const now = Date.now();
    const persisted = a.lastHeardAt;
    a.lastHeardAt = now;
    if (ack !== null) a.acked = Math.max(a.acked, Math.min(ack, a.sent));
    if (now - persisted >= PERSIST_HEARD_MS) this.save(ws, a);
    if (ping) this.send(ws, JSON.stringify({ v: LIVE_PROTOCOL_VERSION, type: 'pong' }));
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    // The client closed: finish the closing handshake (1005/1006 carry no code to echo).
    close(ws, code === 1005 || code === 1006 ? 1000 : code, 'closed');
  }

  override webSocketError(ws: WebSocket): void {
    close(ws, 1011, 'error');
  }

  protected alarmParts() {
    if (!this.tenantId) this.tenantId = this.ready ? this.storedTenant() : null;
    const log = createLogger({ tenantId: this.tenantId ?? '', do: 'LiveHubDO' }, this.env.LOG_LEVEL);
    return { parts: this.parts, log };
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private nextUpkeep(now: number): number | null {
    const open = this.openSockets();
    const rules = this.ready && this.alerts.rules().length > 0;
    if (open.length === 0 && !rules) return null;
    let next = now + RENEW_MS;
    for (const ws of open) {
      const exp = this.attachment(ws).expiresAt;
      if (exp !== null && exp < next) next = Math.max(now + 100, exp);
    }
    return next;
  }

  /**
   * Every `RENEW_MS` while connections are open or rules exist (and at the earliest token expiry): closes
   * expired, silent and revoked connections, refreshes the tenant's directory, renews the leases of the queues
   * connections and rules watch (asking for the snapshots the rules lack), then looks at the rules.
   */
  private async upkeep(now: number, log: Logger): Promise<void> {
    for (const ws of this.openSockets()) {
      const a = this.attachment(ws);
      if (a.expiresAt !== null && a.expiresAt <= now) close(ws, LIVE_CLOSE_CODES.tokenExpired, 'live token expired');
      else if (now - a.lastHeardAt > HEARTBEAT_TIMEOUT_MS)
        close(ws, LIVE_CLOSE_CODES.heartbeatTimeout, 'no ack or ping received');
    }
    const tenantId = this.tenantId;
    if (!tenantId) return;
    try {
      const left = this.openSockets();
      const keyIds = [...new Set(left.map((ws) => this.attachment(ws).keyId))];
      if (keyIds.length > 0) {
        const live = new Set(await tenantStub(this.env, tenantId).liveKeys(keyIds));
        for (const ws of left) {
          if (!live.has(this.attachment(ws).keyId)) close(ws, LIVE_CLOSE_CODES.keyRevoked, 'API key revoked');
        }
      }
      await this.refreshDirectory(tenantId, now);
      await this.renewLeases(tenantId, now);
    } catch (err) {
      log.warn('live hub upkeep failed; retried at the next alarm', errorFields(err));
    }
    this.evaluate();
  }

  private async rulesChanged(): Promise<void> {
    const tenantId = this.tenantId;
    if (tenantId) {
      await this.refreshDirectory(tenantId, Date.now(), true);
      await this.renewLeases(tenantId, Date.now());
    }
    this.evaluate();
    await this.replan();
  }

  private evaluate(): void {
    if (!this.ready || (this.alerts.rules().length === 0 && this.alerts.open().length === 0)) return;
    const now = Date.now();
    const events = this.transact(() => this.alerts.evaluate(now));
    if (events.length > 0 || this.alerts.nextWake(now) !== null) void this.replan();
  }

  /** Leases every queue a connection or a rule watches; snapshots the rules need and the hub lacks are asked for. */
  private async renewLeases(tenantId: string, now: number): Promise<void> {
    const socketQueues = this.openSockets().map((ws) => this.attachment(ws).queues);
    const rules = this.ready ? this.alerts.rules().filter((r) => r.enabled) : [];
    const all = socketQueues.some((q) => q === null) || rules.some((r) => r.scope.kind !== 'queue') || false;
    const ids = all
      ? (this.directory?.value.queues.filter((q) => !q.archived).map((q) => q.id) ??
        (await tenantStub(this.env, tenantId).queueIds()))
      : [...new Set([...socketQueues.flatMap((q) => q ?? []), ...rules.map((r) => r.scope.id as string)])];
    const needed = new Set(rules.length > 0 ? ids : []);
    await inBatches(ids, FAN_OUT, async (q) => {
      const snap = await queueStub(this.env, tenantId, q).watch(now + LEASE_MS, needed.has(q) && !this.latest.has(q));
      if (snap) this.latest.set(q, { ...snap, queueId: q });
    });
  }

  private async refreshDirectory(tenantId: string, now: number, force = false): Promise<void> {
    if (!force && this.directory && now - this.directory.at < RENEW_MS) return;
    this.directory = { at: now, value: await tenantStub(this.env, tenantId).liveDirectory() };
  }

  /** Whether the hub has every snapshot a rule reads (else it is not judged: nothing resolves for want of data). */
  private complete(rule: AlertRule): boolean {
    const dir = this.directory?.value;
    if (!dir) return false;
    const live = dir.queues.filter((q) => !q.archived);
    const needed =
      rule.scope.kind === 'queue'
        ? live.filter((q) => q.id === rule.scope.id)
        : rule.scope.kind === 'site' &&
            rule.condition.type === 'metric' &&
            rule.condition.metric !== 'agentsAvailable' &&
            rule.condition.metric !== 'agentsStaffed'
          ? live.filter((q) => q.siteId === rule.scope.id)
          : live;
    return needed.every((q) => this.latest.has(q.id));
  }

  /** The tenant's live state as the alert engine reads it: the latest snapshots, agents once each. */
  private view(now: number): TenantView | null {
    const dir = this.directory?.value;
    if (!dir) return null;
    const siteOf = new Map(dir.queues.map((q) => [q.id, q.siteId]));
    const queues: QueueView[] = [];
    const agents = new Map<string, AgentView>();
    for (const s of this.latest.values()) {
      const windows: QueueView['windows'] = {};
      for (const w of s.windows) windows[w.minutes] = w.metrics as Record<LiveMetricId, MetricValue>;
      const listed: AgentView[] = s.agents.list.map((a) => ({
        agentId: a.agentId,
        state: a.state,
        reason: a.reason,
        since: Date.parse(a.since),
      }));
      queues.push({
        queueId: s.queueId,
        siteId: siteOf.get(s.queueId) ?? s.siteId,
        waiting: s.waiting,
        longestWaitMs: s.oldestWaitingSince === null ? null : Math.max(0, now - Date.parse(s.oldestWaitingSince)),
        newCallerEwtMs: s.ewt.newCallerMs,
        today: s.today.metrics as Record<LiveMetricId, MetricValue>,
        windows,
        agents: listed,
      });
      for (const a of listed) {
        const seen = agents.get(a.agentId);
        if (!seen || a.since > seen.since) agents.set(a.agentId, a);
      }
    }
    const who = new Map(dir.agents.map((a) => [a.id, a]));
    return {
      now,
      queues,
      agents: [...agents.values()].map((a) => ({
        ...a,
        teamId: who.get(a.agentId)?.teamId ?? null,
        siteId: who.get(a.agentId)?.siteId ?? null,
      })),
      weekSlot: weekSlotOf(now, dir.settings?.timeZone ?? 'UTC'),
    };
  }

  /**
   * An alert changed (inside the storage transaction that changed it): to the webhook relay durably, and on the
   * stream — a queue's alerts to the connections watching the queue, the others to every connection.
   */
  private broadcastAlerts(events: AlertEvent[]): void {
    this.hooks.put(events, Date.now());
    this.ctx.waitUntil(this.hooks.send(Date.now(), null).then(() => this.replan()));
    for (const e of events) {
      const message = alertMessage(e.type, e.alert);
      for (const ws of this.openSockets()) if (covers(this.attachment(ws), e.alert)) this.send(ws, message);
    }
  }

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
    const a = this.attachment(ws);
    if (a.sent - a.acked >= MAX_UNACKNOWLEDGED) {
      close(ws, LIVE_CLOSE_CODES.slowConsumer, `more than ${MAX_UNACKNOWLEDGED} messages not acknowledged`);
      return false;
    }
    a.sent += 1;
    this.save(ws, a);
    const text = a.agents ? onlyAgents(message, a.agents) : message;
    ws.send(`{"n":${a.sent},${text.slice(1)}`);
    return true;
  }

  /**
   * A connection's state: read from the socket once per wake (a structured clone each time would be most of the
   * cost of a push to a thousand connections), kept on it by `save` so it survives hibernation.
   */
  private attachment(ws: WebSocket): Attachment {
    let a = this.attachments.get(ws);
    if (!a) {
      a = ws.deserializeAttachment() as Attachment;
      // Acks are written to the socket lazily: after a wake, what it holds may be behind; forgive it rather than
      // close a reader as slow for acks the hub did not keep (a slow one soon falls behind again).
      a.acked = a.sent;
      this.attachments.set(ws, a);
    }
    return a;
  }

  private save(ws: WebSocket, a: Attachment): void {
    this.attachments.set(ws, a);
    ws.serializeAttachment(a);
  }

  private watchers(queueId: string): WebSocket[] {
    const many = this.ctx.getWebSockets('many').filter((ws) => this.attachment(ws).queues?.includes(queueId));
    return [...this.ctx.getWebSockets(`q:${queueId}`), ...this.ctx.getWebSockets('all'), ...many];
  }

  private openSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private remember(tenantId: string): void {
    if (this.tenantId === tenantId) return;
    this.ensureSchema();
    this.tenantId = tenantId;
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('tenantId', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      tenantId,
    );
  }

  private storedTenant(): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'tenantId'").toArray()[0]?.value ?? null;
  }
}

/** Whether a connection sees an alert: one about a queue if it watches the queue; any other alert always. */
function covers(a: Attachment, alert: Alert): boolean {
  if (a.agents && alert.agentId !== null && !a.agents.includes(alert.agentId)) return false;
  if (alert.scope.kind !== 'queue' || a.queues === null) return true;
  return a.queues.includes(alert.scope.id ?? '');
}

/**
 * A snapshot for a key limited to a team or an agent: the queue's numbers as they are (counts name nobody), its
 * agents listed only if they are the key's. Other messages pass unchanged.
 */
export function onlyAgents(message: string, agents: readonly string[]): string {
  if (!message.includes('"type":"snapshot"')) return message;
  const m = JSON.parse(message) as { data?: { agents?: { list?: { agentId: string }[] } } };
  const list = m.data?.agents?.list;
  if (!list) return message;
  const allowed = new Set(agents);
  m.data = { ...m.data, agents: { ...m.data?.agents, list: list.filter((x) => allowed.has(x.agentId)) } };
  return JSON.stringify(m);
}

function alertMessage(type: AlertEvent['type'], alert: Alert): string {
  return JSON.stringify({ v: LIVE_PROTOCOL_VERSION, type: 'alert', event: type, alert });
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
