import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { APP_ROLE, prepareLocalDatabase } from '../scripts/lib/database.mjs';
import { startNeonWsProxy } from '../scripts/lib/neon-ws-proxy.mjs';
import { freePort, startPostgres } from '../scripts/lib/postgres.mjs';
import { startWebhookReceiver } from './webhook-receiver';

declare module 'vitest' {
  interface ProvidedContext {
    databaseUrl: string;
    neonWsProxy: string;
    ownerDatabaseUrl: string;
    /** The server's superuser (database `postgres`): for tests that make databases of their own (migrations). */
    superDatabaseUrl: string;
    faultsNeonWsProxy: string;
    faultsProxyControl: string;
    /** The test webhook receiver (test/webhook-receiver.ts): endpoints are `${webhookReceiverUrl}/<name>`. */
    webhookReceiverUrl: string;
    /** Its control: what each path expects and answers, what it received. */
    webhookReceiverControl: string;
    /**
     * A second server standing for a tenant's own (Neon) database (issue 12 §3): two empty, unmigrated databases
     * `tenant_a` and `tenant_b` owned by `callboard_owner`, and `callboard_app` with LOGIN, as URLs of each role.
     */
    dedicatedOwnerUrlA: string;
    dedicatedAppUrlA: string;
    dedicatedOwnerUrlB: string;
    dedicatedAppUrlB: string;
  }
}

const secret = () => randomBytes(24).toString('base64url');

/** Roles and empty databases on the dedicated server, as an operator provisions a tenant's own database. */
async function prepareDedicatedServer(superUrl: string) {
  const owner = 'callboard_owner';
  const ownerPassword = secret();
  const appPassword = secret();
  const url = (user: string, password: string, database: string) => {
    const u = new URL(superUrl);
    u.username = user;
    u.password = encodeURIComponent(password);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const su = new pg.Client({ connectionString: superUrl });
  su.on('error', () => {});
  await su.connect();
  try {
    await su.query(`CREATE ROLE ${owner} LOGIN CREATEROLE PASSWORD ${su.escapeLiteral(ownerPassword)}`);
    for (const database of ['tenant_a', 'tenant_b']) await su.query(`CREATE DATABASE ${database} OWNER ${owner}`);
  } finally {
    await su.end();
  }
  // Made by the owner (as migration 0000 would), so the owner administers it as on the shared database.
  const asOwner = new pg.Client({ connectionString: url(owner, ownerPassword, 'postgres') });
  asOwner.on('error', () => {});
  await asOwner.connect();
  try {
    await asOwner.query(
      `CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD ${asOwner.escapeLiteral(appPassword)}`,
    );
  } finally {
    await asOwner.end();
  }
  return {
    dedicatedOwnerUrlA: url(owner, ownerPassword, 'tenant_a'),
    dedicatedAppUrlA: url(APP_ROLE, appPassword, 'tenant_a'),
    dedicatedOwnerUrlB: url(owner, ownerPassword, 'tenant_b'),
    dedicatedAppUrlB: url(APP_ROLE, appPassword, 'tenant_b'),
  };
}

/**
 * One throwaway Postgres per `vitest run`: started, migrated (as the owner role), its application
 * role given a password, fronted by the Neon WebSocket proxy. Everything is removed at the end,
 * and also when setup itself fails half-way. A second one, started alongside, stands for a tenant's
 * dedicated database (left unmigrated).
 */
export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'callboard-test-'));
  await fs.chmod(dir, 0o755);
  let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let dedicated: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let proxy: Awaited<ReturnType<typeof startNeonWsProxy>> | undefined;
  let faultsProxy: Awaited<ReturnType<typeof startNeonWsProxy>> | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
  const teardown = async () => {
    await receiver?.close().catch(() => {});
    await proxy?.close().catch(() => {});
    await faultsProxy?.close().catch(() => {});
    await Promise.all([server?.stop().catch(() => {}), dedicated?.stop().catch(() => {})]);
    await fs.rm(dir, { recursive: true, force: true });
    if (server && server.dataDir !== path.join(dir, 'pg')) await fs.rm(server.dataDir, { recursive: true, force: true });
    if (dedicated && dedicated.dataDir !== path.join(dir, 'pg-dedicated')) {
      await fs.rm(dedicated.dataDir, { recursive: true, force: true });
    }
  };
  try {
    // Both servers start (and are prepared) at once; each is recorded for teardown as soon as it runs.
    const [port, dedicatedPort] = await Promise.all([freePort(), freePort()]);
    const [shared, own] = await Promise.allSettled([
      startPostgres({ dataDir: path.join(dir, 'pg'), port, password: secret(), fast: true }).then((started) => {
        server = started;
        return prepareLocalDatabase({ superUrl: started.url, ownerPassword: secret(), appPassword: secret() });
      }),
      startPostgres({ dataDir: path.join(dir, 'pg-dedicated'), port: dedicatedPort, password: secret(), fast: true }).then(
        (started) => {
          dedicated = started;
          return prepareDedicatedServer(started.url);
        },
      ),
    ]);
    // Both settled (nothing left starting), so teardown stops whatever did start.
    if (shared.status === 'rejected') throw shared.reason;
    if (own.status === 'rejected') throw own.reason;
    if (!server) throw new Error('unreachable: the shared server started');
    const { appUrl, ownerUrl } = shared.value;
    const dedicatedUrls = own.value;
    for (const [key, value] of Object.entries(dedicatedUrls)) project.provide(key as keyof typeof dedicatedUrls, value);
    proxy = await startNeonWsProxy();
    // The fault tests get a proxy of their own that they can switch off.
    faultsProxy = await startNeonWsProxy({ control: true });
    project.provide('faultsNeonWsProxy', faultsProxy.address);
    project.provide('faultsProxyControl', faultsProxy.controlUrl);
    project.provide('databaseUrl', appUrl);
    project.provide('ownerDatabaseUrl', ownerUrl);
    project.provide('superDatabaseUrl', server.url);
    project.provide('neonWsProxy', proxy.address);
    receiver = await startWebhookReceiver();
    project.provide('webhookReceiverUrl', receiver.url);
    project.provide('webhookReceiverControl', receiver.controlUrl);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
