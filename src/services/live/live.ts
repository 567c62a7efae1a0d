import type { ApiKeyLimit } from '../../domain/api-keys';
import { AppError, notFound } from '../../domain/errors';
import { AGENT_STATES, type AgentState } from '../../domain/events/event-types';
import type { MetricValue } from '../../domain/kpi/compute';
import { type LiveMetricId, sumLiveMetrics } from '../../domain/kpi/live';
import { overflowSuggestions, type SiteLoadAgent, type SiteLoadQueue, siteAgentCounts } from '../../domain/live/sites';
import { callLiveHub, liveHubStub } from '../../durable-objects/live/live-hub.client';
import { LIVE_HEADERS, maxConnections } from '../../durable-objects/live/live-hub.do';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import type { LiveSnapshot } from '../../durable-objects/queue/queue.types';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { LiveTokenClaims } from '../../lib/live-token';
import type { ServiceContext } from '../context';

/** Queues asked at once for their live state. */
const FAN_IN = 16;

/** A queue's live state, straight from its QueueDO (works while Postgres is down); 404 for another tenant's or no queue. */
export async function queueLive(ctx: Pick<ServiceContext, 'env' | 'tenantId'>, queueId: string) {
  const exists = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.hasEntity('queue', queueId));
  if (!exists) throw notFound('queue', queueId);
  const live = await callQueueDO(ctx.env, ctx.tenantId, queueId, (s) => s.live());
  return { ...live, queueId };
}

type Metrics = Record<LiveMetricId, MetricValue>;
type ByState = Record<AgentState, number>;

export interface LiveTotals {
  queues: number;
  waiting: number;
  longestWaitMs: number | null;
  agents: ByState;
  today: Metrics;
  windows: { minutes: number; metrics: Metrics }[];
}

/** Every live (not archived) queue's snapshot, fanned in from the QueueDOs in parallel (bounded), with the directory. */
async function gatherLive(ctx: Pick<ServiceContext, 'env' | 'tenantId'>) {
  const dir = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.liveDirectory());
  const queues = dir.queues.filter((q) => !q.archived);
  const snaps: LiveSnapshot[] = [];
  for (let i = 0; i < queues.length; i += FAN_IN) {
    const batch = queues.slice(i, i + FAN_IN);
    snaps.push(
      ...(await Promise.all(
        batch.map(async (q) => ({
          ...(await callQueueDO(ctx.env, ctx.tenantId, q.id, (s) => s.live())),
          queueId: q.id,
          name: q.name,
          siteId: q.siteId,
        })),
      )),
    );
  }
  // Each agent once, in the newest state any queue has.
  const agents = new Map<string, { state: AgentState; since: string }>();
  for (const s of snaps) {
    for (const a of s.agents.list) {
      const seen = agents.get(a.agentId);
      if (!seen || a.since > seen.since) agents.set(a.agentId, { state: a.state, since: a.since });
    }
  }
  const agentOf = new Map(dir.agents.map((a) => [a.id, a]));
  const agentStates = (keep: (agentId: string) => boolean): ByState => {
    const out = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as ByState;
    for (const [id, a] of agents) if (keep(id)) out[a.state] += 1;
    return out;
  };
  /** Totals of some queues and agents: what `GET /v1/live` and `GET /v1/live/sites` both answer (one definition). */
  const totals = (part: LiveSnapshot[], keepAgent: (agentId: string) => boolean): LiveTotals => ({
    queues: part.length,
    waiting: part.reduce((n, s) => n + s.waiting, 0),
    longestWaitMs: part.reduce<number | null>((m, s) => (s.longestWaitMs === null ? m : Math.max(m ?? 0, s.longestWaitMs)), null),
    agents: agentStates(keepAgent),
    today: sumLiveMetrics(part.map((s) => s.today.metrics as Metrics)),
    windows: (part[0]?.windows ?? []).map((w, i) => ({
      minutes: w.minutes,
      metrics: sumLiveMetrics(part.map((s) => s.windows[i]?.metrics as Metrics)),
    })),
  });
  const siteIds = [
    ...new Set([...queues.map((q) => q.siteId), ...dir.agents.map((a) => a.siteId)].filter((s): s is string => s !== null)),
  ].sort();
  return { dir, snaps, agents, agentOf, agentStates, totals, siteIds };
}

/**
 * Every live (not archived) queue of the tenant, fanned in from the QueueDOs in parallel (bounded), with totals
 * for the tenant, each site (its queues, and its agents) and each team (its agents). A total sums its queues'
 * numerators and denominators (`sumLiveMetrics`); agents are counted once however many queues they serve, in
 * their newest state.
 */
export async function tenantLive(ctx: Pick<ServiceContext, 'env' | 'tenantId' | 'now'>) {
  const { dir, snaps, agentOf, agentStates, totals, siteIds } = await gatherLive(ctx);
  const teamIds = [...new Set(dir.agents.map((a) => a.teamId).filter((t): t is string => t !== null))].sort();
  return {
    asOf: ctx.now.toISOString(),
    tenant: totals(snaps, () => true),
    sites: siteIds.map((siteId) => ({
      siteId,
      ...totals(
        snaps.filter((s) => s.siteId === siteId),
        (id) => agentOf.get(id)?.siteId === siteId,
      ),
    })),
    teams: teamIds.map((teamId) => ({
      teamId,
      agents: agentStates((id) => agentOf.get(id)?.teamId === teamId),
    })),
    queues: snaps,
  };
}

/** The rolling window a site's "last hour" service level is. */
const LAST_HOUR_MINUTES = 60;

/**
 * Cross-site load (docs/live.md): per site its queues' callers waiting and longest wait, its agents available and
 * staffed, today's and the last hour's service level (the same totals as `GET /v1/live`'s sites), and overflow
 * suggestions (`src/domain/live/sites.ts`): for each queue with callers waiting and no agent of its own site
 * available to it, the other sites whose agents serving it are available now.
 */
export async function sitesLive(ctx: Pick<ServiceContext, 'env' | 'tenantId' | 'now'>) {
  const { dir, snaps, agents, agentOf, totals, siteIds } = await gatherLive(ctx);
  const loadAgents: SiteLoadAgent[] = dir.agents
    .filter((a) => !a.archived)
    .map((a) => ({
      agentId: a.id,
      siteId: a.siteId,
      queueIds: a.queueIds,
      state: agents.get(a.id)?.state ?? null,
    }));
  const serviceLevel = (t: LiveTotals) => ({
    today: t.today.serviceLevel,
    lastHour: t.windows.find((w) => w.minutes === LAST_HOUR_MINUTES)?.metrics.serviceLevel ?? null,
  });
  const sites = siteIds.map((siteId) => {
    const mine = snaps.filter((s) => s.siteId === siteId);
    const total = totals(mine, (id) => agentOf.get(id)?.siteId === siteId);
    const counts = siteAgentCounts(loadAgents, siteId);
    return {
      siteId,
      waiting: total.waiting,
      longestWaitMs: total.longestWaitMs,
      agents: { ...counts, byState: total.agents },
      serviceLevel: serviceLevel(total),
      queues: mine.map((s) => ({
        queueId: s.queueId,
        name: s.name,
        waiting: s.waiting,
        longestWaitMs: s.longestWaitMs,
        agents: siteAgentCounts(loadAgents, siteId, s.queueId),
        serviceLevel: serviceLevel(totals([s], () => false)),
      })),
    };
  });
  const loadQueues: SiteLoadQueue[] = snaps.map((s) => ({
    queueId: s.queueId,
    name: s.name,
    siteId: s.siteId,
    waiting: s.waiting,
    longestWaitMs: s.longestWaitMs,
  }));
  return { asOf: ctx.now.toISOString(), sites, overflow: overflowSuggestions(loadQueues, loadAgents) };
}

/**
 * Opens the live stream: checks which queues the connection may watch (the ones asked for, each the tenant's and
 * covered by the token if one opened it; none asked: every queue, or the token's) and hands the upgrade to the
 * tenant's live hub, which keeps the socket.
 */
export async function openLiveStream(
  ctx: Pick<ServiceContext, 'env' | 'tenantId'>,
  input: {
    request: Request;
    keyId: string;
    token: LiveTokenClaims | null;
    queues: string[] | null;
    /** A key (or its token) limited to a team or an agent: snapshots list only its agents (docs/roles.md). */
    limit?: ApiKeyLimit | null;
  },
): Promise<Response> {
  if (input.request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    throw new AppError('invalid', 'UPGRADE_REQUIRED', 'The live stream is a WebSocket: send `Upgrade: websocket`.', {
      headers: { Upgrade: 'websocket' },
    });
  }
  const queues = await allowedQueues(ctx, input.queues, input.token?.queueIds ?? null);
  const url = new URL(input.request.url);
  const headers = new Headers({ Upgrade: 'websocket' });
  for (const h of ['Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions']) {
    const v = input.request.headers.get(h);
    if (v) headers.set(h, v);
  }
  headers.set(LIVE_HEADERS.tenant, ctx.tenantId);
  headers.set(LIVE_HEADERS.key, input.keyId);
  headers.set(LIVE_HEADERS.queues, queues === null ? '*' : JSON.stringify(queues));
  if (input.token) headers.set(LIVE_HEADERS.expires, String(input.token.expiresAt));
  if (input.limit) headers.set(LIVE_HEADERS.agents, JSON.stringify(await agentsOf(ctx, input.limit)));
  const res = await liveHubStub(ctx.env, ctx.tenantId).fetch(`https://live-hub${url.pathname}`, { headers });
  if (res.status === 429) {
    throw new AppError(
      'rate_limited',
      'TOO_MANY_CONNECTIONS',
      `A tenant holds at most ${maxConnections(ctx.env)} live connections at once.`,
      {
        retryAfterSeconds: 30,
      },
    );
  }
  return res;
}

/**
 * The agents a limited key sees on the live stream: a team's members now (the TenantDO's directory, so the stream
 * opens while Postgres is down; a move to another team applies from the next connection), or the agent itself.
 */
async function agentsOf(ctx: Pick<ServiceContext, 'env' | 'tenantId'>, limit: ApiKeyLimit): Promise<string[]> {
  if ('agentId' in limit) return [limit.agentId];
  const dir = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.liveDirectory());
  return dir.agents.filter((a) => a.teamId === limit.teamId && !a.archived).map((a) => a.id);
}

/** The queues a connection or token may watch: null for all of the tenant's; each asked for must exist and be allowed. */
export async function allowedQueues(
  ctx: Pick<ServiceContext, 'env' | 'tenantId'>,
  asked: string[] | null,
  allowed: string[] | null,
): Promise<string[] | null> {
  if (asked === null) return allowed;
  const known = new Set(await callTenantDO(ctx.env, ctx.tenantId, (s) => s.queueIds()));
  const unknown = asked.filter((q) => !known.has(q));
  if (unknown.length > 0) throw notFound('queue', unknown.join(', '));
  if (allowed !== null) {
    const outside = asked.filter((q) => !allowed.includes(q));
    if (outside.length > 0) {
      throw new AppError('forbidden', 'QUEUE_NOT_ALLOWED', `The live token does not cover queue ${outside.join(', ')}.`);
    }
  }
  return [...new Set(asked)];
}

/** Closes the live connections an API key (and its tokens) opened; best effort, the hub's alarm re-checks keys. */
export async function closeLiveConnectionsOf(
  ctx: Pick<ServiceContext, 'env' | 'tenantId' | 'log'>,
  keyId: string,
): Promise<void> {
  try {
    await callLiveHub(ctx.env, ctx.tenantId, (s) => s.closeKey(keyId));
  } catch (err) {
    ctx.log.warn('live connections of a revoked key not closed now; the hub closes them within 30 s', {
      keyId,
      error: String(err),
    });
  }
}
