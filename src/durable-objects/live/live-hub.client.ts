import type { Alert } from '../../contracts/alerts';
import type { AlertRule } from '../../domain/alerts/rules';
import type { Env } from '../../env';
import { type Awaitable, callDurableObject, type OutboxPort } from '../call';
import type { LiveHubDO } from './live-hub.do';

/** What callers may ask of a tenant's live hub (`LiveHubDO` implements it). */
export interface LiveHubPort extends OutboxPort {
  /** A queue's snapshot message (JSON text without `n`) for every connection watching the queue. */
  publish(queueId: string, seq: number, message: string): Awaitable<number>;
  /** Closes the connections an API key (or a token it issued) opened: the key was revoked. */
  closeKey(keyId: string): Awaitable<number>;
  /** Open connections, for health and tests. */
  connections(): Awaitable<number>;
  backlog(): Awaitable<number>;
  replaceAlertRules(tenantId: string, rules: AlertRule[]): Promise<void>;
  putAlertRule(tenantId: string, rule: AlertRule): Promise<void>;
  removeAlertRule(tenantId: string, id: string): Promise<void>;
  acknowledgeAlert(alertId: string, by: string): Promise<Alert | null>;
  openAlerts(): Awaitable<Alert[]>;
}

/** The live hub of a tenant: one per tenant, named by its id; it holds the tenant's WebSocket connections. */
export function liveHubStub(env: Pick<Env, 'LIVE_HUB'>, tenantId: string): DurableObjectStub<LiveHubDO> {
  return env.LIVE_HUB.get(env.LIVE_HUB.idFromName(tenantId));
}

export function callLiveHub<R>(
  env: Pick<Env, 'LIVE_HUB'>,
  tenantId: string,
  call: (stub: LiveHubPort) => R,
): Promise<Awaited<R>> {
  const port: LiveHubPort = liveHubStub(env, tenantId);
  return callDurableObject(port, 'Live stream', call);
}
