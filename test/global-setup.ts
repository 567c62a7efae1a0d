import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareLocalDatabase } from '../scripts/lib/database.mjs';
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
  }
}

const secret = () => randomBytes(24).toString('base64url');

/**
 * One throwaway Postgres per `vitest run`: started, migrated (as the owner role), its application
 * role given a password, fronted by the Neon WebSocket proxy. Everything is removed at the end,
 * and also when setup itself fails half-way.
 */
export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'callboard-test-'));
  await fs.chmod(dir, 0o755);
  let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let proxy: Awaited<ReturnType<typeof startNeonWsProxy>> | undefined;
  let faultsProxy: Awaited<ReturnType<typeof startNeonWsProxy>> | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
  const teardown = async () => {
    await receiver?.close().catch(() => {});
    await proxy?.close().catch(() => {});
    await faultsProxy?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await fs.rm(dir, { recursive: true, force: true });
    if (server && server.dataDir !== path.join(dir, 'pg')) await fs.rm(server.dataDir, { recursive: true, force: true });
  };
  try {
    server = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), password: secret(), fast: true });
    const { appUrl, ownerUrl } = await prepareLocalDatabase({
      superUrl: server.url,
      ownerPassword: secret(),
      appPassword: secret(),
    });
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
