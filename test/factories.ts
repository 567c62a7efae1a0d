import { expect } from 'vitest';
import type { Agent } from '../src/contracts/agents';
import type { CreatedApiKey } from '../src/contracts/api-keys';
import type { Queue } from '../src/contracts/queues';
import type { Site } from '../src/contracts/sites';
import type { Team } from '../src/contracts/teams';
import type { CreatedTenant } from '../src/contracts/tenants';
import { type Client, client, platform } from './helpers/api';

let counter = 0;
/** A name unique within the run, so tests never collide even on shared Postgres. */
export const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${(counter++).toString(36)}`;

export interface TestTenant {
  id: string;
  adminKey: string;
  admin: Client;
  created: CreatedTenant;
}

/** A fresh tenant with its first admin key: every test makes its own. */
export async function createTenant(body: Record<string, unknown> = {}): Promise<TestTenant> {
  const res = await platform.post<CreatedTenant>('/v1/tenants', { name: unique('Tenant'), ...body });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.tenant.id, adminKey: res.body.apiKey.key, admin: client(res.body.apiKey.key), created: res.body };
}

export async function createKey(t: TestTenant, body: Record<string, unknown>): Promise<CreatedApiKey & { client: Client }> {
  const res = await t.admin.post<CreatedApiKey>('/v1/api-keys', { name: unique('key'), ...body });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, client: client(res.body.key) };
}

async function create<T>(t: TestTenant, path: string, body: Record<string, unknown>): Promise<T> {
  const res = await t.admin.post<T>(path, body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export const createSite = (t: TestTenant, body: Record<string, unknown> = {}) =>
  create<Site>(t, '/v1/sites', { name: unique('Site'), ...body });
export const createTeam = (t: TestTenant, body: Record<string, unknown> = {}) =>
  create<Team>(t, '/v1/teams', { name: unique('Team'), ...body });
export const createQueue = (t: TestTenant, body: Record<string, unknown> = {}) =>
  create<Queue>(t, '/v1/queues', { name: unique('Queue'), ...body });
export const createAgent = (t: TestTenant, body: Record<string, unknown> = {}) =>
  create<Agent>(t, '/v1/agents', { name: unique('Agent'), ...body });
