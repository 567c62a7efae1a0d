import type { DeliveryRecord } from '../../domain/deliveries';
import type { TenantSettings } from '../../domain/settings';
import type { Env } from '../../env';
import { type Awaitable, callDurableObject, type OutboxPort } from '../call';
import type { TenantDO } from './tenant.do';
import type {
  AuthorizeResult,
  ConnectorLookup,
  DeliveryReceipt,
  HotAgent,
  HotConnector,
  HotQueue,
  IdempotencyBegin,
  KeyRecord,
  LiveDirectory,
  StoredResponse,
  TenantConfig,
  TenantIngest,
  TenantIngestResult,
  TenantSnapshot,
} from './tenant.types';

/** What callers may ask of a tenant's Durable Object (`TenantDO` implements it; services depend on this, not the class). */
export interface TenantPort extends OutboxPort {
  replaceConfig(snapshot: TenantSnapshot): Promise<number>;
  getConfig(): Awaitable<TenantConfig | null>;
  setSettings(settings: TenantSettings): Promise<number>;
  putQueue(queue: HotQueue): Promise<number>;
  putAgent(agent: HotAgent): Awaitable<number>;
  removeEntity(kind: 'queue' | 'agent', id: string): Awaitable<number>;
  putConnector(connector: HotConnector): Awaitable<number>;
  removeConnector(id: string): Awaitable<number>;
  hasEntity(kind: 'queue' | 'agent', id: string): Awaitable<boolean>;
  queueIds(): Awaitable<string[]>;
  liveDirectory(): Awaitable<LiveDirectory>;
  liveKeys(ids: readonly string[]): Awaitable<string[]>;
  getConnector(id: string): Awaitable<ConnectorLookup | null>;
  recordDelivery(record: Omit<DeliveryRecord, 'retentionDays'>, unverifiedSource?: string | null): Promise<DeliveryReceipt>;
  putApiKey(key: KeyRecord): Awaitable<void>;
  revokeApiKey(id: string, revokedAtMs: number): Awaitable<void>;
  removeApiKey(id: string): Awaitable<void>;
  authorize(hash: string): Awaitable<AuthorizeResult>;
  idempotencyBegin(key: string, fingerprint: string): Awaitable<IdempotencyBegin>;
  idempotencyComplete(key: string, response: StoredResponse): Awaitable<void>;
  idempotencyRelease(key: string): Awaitable<void>;
  ingest(input: TenantIngest): Promise<TenantIngestResult>;
  backlog(): Awaitable<{ outbox: number; parked: number; relay: number; deadLetters: number }>;
}

/** The TenantDO of a tenant (named by its id), or of the platform itself for platform idempotency. */
export function tenantStub(env: Pick<Env, 'TENANT_DO'>, name: string): DurableObjectStub<TenantDO> {
  return env.TENANT_DO.get(env.TENANT_DO.idFromName(name));
}

export const PLATFORM_DO_NAME = 'platform';

/** Calls a tenant's TenantDO by RPC through its port (see `callDurableObject` for failures). */
export function callTenantDO<R>(env: Pick<Env, 'TENANT_DO'>, name: string, call: (stub: TenantPort) => R): Promise<Awaited<R>> {
  const port: TenantPort = tenantStub(env, name);
  return callDurableObject(port, 'Tenant configuration', call);
}
