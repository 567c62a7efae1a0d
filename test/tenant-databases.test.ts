import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { forgetRoute } from '../src/db/databases';
import { abandonMove, advanceMove, sealTenantUrl } from '../src/db/tenant-move';
import { type MoveEnd, type MoveState, newMove } from '../src/domain/tenant-move';
import { tenantDatabaseStub } from '../src/durable-objects/tenant-database/tenant-database.client';
import { decryptSecret, encryptSecret, parsePlatformKeys } from '../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from './constants';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem, platform } from './helpers/api';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { answeredCall, callId, sendEvents, settle } from './helpers/ingest';

// Tenants' own databases live on a second Postgres server (test/global-setup.ts): tenant_a and tenant_b there.
const A = { databaseUrl: env.TEST_DEDICATED_APP_URL_A, migrationUrl: env.TEST_DEDICATED_OWNER_URL_A };
const B = { databaseUrl: env.TEST_DEDICATED_APP_URL_B, migrationUrl: env.TEST_DEDICATED_OWNER_URL_B };

/**
 * Runs the tenant's database operation to its end by firing its alarms; an alarm may be running on its own (it is
 * then not "scheduled"), so this waits for it, up to a deadline.
 */
async function finish(tenantId: string, timeoutMs = 60_000) {
  const stub = tenantDatabaseStub(env, tenantId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await stub.status();
    if (state && (state.step === 'done' || state.step === 'failed')) return state;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the database operation of ${tenantId} did not finish: ${JSON.stringify(await stub.status())}`);
}

/** What Postgres holds of the tenant in one database (as the application role, RLS on). */
const counts = (tenantId: string, url: string) =>
  asTenant(
    tenantId,
    async (q) =>
      (
        await q(`SELECT (SELECT count(*)::int FROM interactions) AS interactions, (SELECT count(*)::int FROM events) AS events,
                        (SELECT count(*)::int FROM queue_visits) AS visits, (SELECT count(*)::int FROM queues) AS queues,
                        (SELECT home FROM tenants) AS home`)
      )[0],
    url,
  );

async function ingestCalls(t: TestTenant, label: string) {
  const q = await createQueue(t);
  const a = await createAgent(t, { queueIds: [q.id] });
  const key = await createKey(t, { scopes: ['ingest'] });
  const send = async (k: number) => {
    for (let i = 0; i < k; i++) await sendEvents(key.client, answeredCall(callId(label), q.id, a.id));
  };
  return { q, a, key, send };
}

describe("a tenant's own database", () => {
  it('takes the tenant under ingest load with nothing lost, serves every read and write there, and gives it back', async () => {
    const t = await createTenant();
    const { send } = await ingestCalls(t, 'move');
    await send(5);
    await settle(t);
    expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 5, events: 55, home: 'home' });

    const started = await platform.put(`/v1/tenants/${t.id}/database`, A);
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({
      home: { kind: 'shared' },
      operation: { kind: 'move', step: 'migrate', to: { kind: 'dedicated' } },
    });
    expect(started.text).not.toContain(A.databaseUrl);
    // A second operation while this one runs is refused.
    expectProblem(await platform.put(`/v1/tenants/${t.id}/database`, B), 409, 'DATABASE_OPERATION_IN_PROGRESS');

    // Calls keep arriving while the move runs: the Durable Objects hold what Postgres cannot take yet.
    const [moved] = await Promise.all([finish(t.id), send(10)]);
    expect(moved.step, JSON.stringify(moved.error)).toBe('done');
    await send(5);
    await settle(t, 30_000);

    const status = (await platform.get(`/v1/tenants/${t.id}/database`)).body;
    expect(status.home).toMatchObject({ kind: 'dedicated', database: 'tenant_a' });
    expect(status.generation).toBe(1);
    expect(status.operation.migrations.applied).toBe(status.operation.migrations.total);
    // Counts were verified before the switch, and the old copy was removed after it.
    const tables = status.operation.tables as { table: string; rows: number; sourceRows: number; targetRows: number }[];
    // The calls flushed before the fence were copied (at least the first 5); the rest were held, then written there.
    const copied = tables.find((x) => x.table === 'interactions');
    expect(copied?.sourceRows).toBeGreaterThanOrEqual(5);
    expect(copied?.rows).toBe(copied?.sourceRows);
    for (const x of tables) expect(x.targetRows, x.table).toBe(x.sourceRows);
    expect(tables.map((x) => x.table).indexOf('tenants')).toBe(0);
    expect(status.operation.removedRows).toBeGreaterThanOrEqual(5 + 55);

    const own = await counts(t.id, A.databaseUrl);
    expect(own).toMatchObject({ interactions: 20, events: 220, visits: 20, queues: 1, home: 'home' });
    expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 0, events: 0, queues: 0, home: 'moved' });
    // RLS still applies there: without the tenant set, the application role sees nothing.
    expect(await asTenant(null, async (q) => (await q('SELECT count(*)::int AS n FROM interactions'))[0].n, A.databaseUrl)).toBe(
      0,
    );

    // Reads and writes of the API go there through the same code path.
    const calls = await t.admin.get('/v1/calls?limit=200');
    expect(calls.status).toBe(200);
    expect(calls.body.data).toHaveLength(20);
    const site = await t.admin.post('/v1/sites', { name: 'After the move' });
    expect(site.status, site.text).toBe(201);
    expect(await asTenant(t.id, async (q) => (await q('SELECT count(*)::int AS n FROM sites'))[0].n, A.databaseUrl)).toBe(1);

    // And back to the shared database.
    const back = await platform.delete(`/v1/tenants/${t.id}/database`);
    expect(back.status, back.text).toBe(202);
    const [returned] = await Promise.all([finish(t.id), send(3)]);
    expect(returned.step, JSON.stringify(returned.error)).toBe('done');
    await settle(t, 30_000);
    expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 23, events: 253, home: 'home' });
    expect(await counts(t.id, A.databaseUrl)).toMatchObject({ interactions: 0, events: 0, home: 'moved' });
    expect((await platform.get(`/v1/tenants/${t.id}/database`)).body).toMatchObject({ home: { kind: 'shared' }, generation: 0 });
    expect((await t.admin.get('/v1/calls?limit=200')).body.data).toHaveLength(23);
  });

  it('while a tenant is being copied: reads answer, writes are refused with TENANT_MOVING, events wait in the outboxes', async () => {
    const t = await createTenant();
    const { q, send } = await ingestCalls(t, 'fence');
    await send(2);
    await settle(t);
    // The fence a move sets, set by hand (as the owner, who is bound by RLS too).
    const fence = (home: string) =>
      asTenant(t.id, (sql) => sql('UPDATE tenants SET home = $1 WHERE id = $2', [home, t.id]), env.TEST_OWNER_DATABASE_URL);
    await fence('moving');
    try {
      expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(2);
      const write = await t.admin.post('/v1/sites', { name: 'During the move' });
      expectProblem(write, 503, 'TENANT_MOVING');
      expect(write.headers.get('Retry-After')).toBe('2');
      // Ingestion never waits on Postgres: accepted, and held.
      await send(3);
      await expect(settle(t, 1500)).rejects.toThrow(/did not drain/);
      const outbox = (await t.admin.get(`/v1/queues/${q.id}/live`)).body.outbox;
      expect(outbox).toMatchObject({ lastErrorCode: 'TENANT_MOVING', deadLetters: 0 });
      expect(outbox.backlog).toBeGreaterThan(0);
    } finally {
      await fence('home');
    }
    await settle(t, 30_000);
    expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 5, events: 55 });
    expect((await t.admin.post('/v1/sites', { name: 'After the move' })).status).toBe(201);
  });

  it('is found by an isolate that never saw its route, and migrated by the platform route with progress', async () => {
    const t = await createTenant();
    const { send } = await ingestCalls(t, 'route');
    await send(2);
    await settle(t);
    expect((await platform.put(`/v1/tenants/${t.id}/database`, B)).status).toBe(202);
    expect((await finish(t.id)).step).toBe('done');
    forgetRoute(t.id);
    // The shared database says `moved`; the route there leads to tenant_b.
    expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(2);
    await send(1);
    await settle(t);
    expect(await counts(t.id, B.databaseUrl)).toMatchObject({ interactions: 3, home: 'home' });

    const migrate = await platform.post(`/v1/tenants/${t.id}/database/migrate`);
    expect(migrate.status, migrate.text).toBe(202);
    expect(migrate.body.operation).toMatchObject({ kind: 'migrate', step: 'migrate' });
    const done = await finish(t.id);
    expect(done).toMatchObject({ kind: 'migrate', step: 'done', error: null });
    const status = (await platform.get(`/v1/tenants/${t.id}/database`)).body;
    expect(status.operation.migrations.applied).toBe(status.operation.migrations.total);
    expect(status.operation.migrations.total).toBeGreaterThan(20);
    expect(status.home).toMatchObject({ kind: 'dedicated', database: 'tenant_b' });

    // After a platform key rotation its connection strings are sealed again under the current key.
    const oldOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[1]);
    const sealedV1 = await encryptSecret(oldOnly, B.databaseUrl, t.id);
    await asTenant(t.id, (sql) => sql('UPDATE tenant_databases SET database_url_sealed = $1', [sealedV1]));
    expect((await platform.post(`/v1/tenants/${t.id}/reencrypt`)).body.database).toEqual({ reencrypted: 1, total: 1 });
    expect((await platform.post(`/v1/tenants/${t.id}/reencrypt`)).body.database).toEqual({ reencrypted: 0, total: 1 });
    const [route] = await asTenant(t.id, (sql) => sql('SELECT database_url_sealed AS sealed FROM tenant_databases'));
    const currentOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[0]);
    expect(await decryptSecret(currentOnly, route.sealed, t.id)).toBe(B.databaseUrl);
    forgetRoute(t.id);
    expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(3);

    // From one database of its own to another: B → A, the route's generation bumped, B purged.
    expect((await platform.put(`/v1/tenants/${t.id}/database`, A)).status).toBe(202);
    expect((await finish(t.id)).step).toBe('done');
    expect((await platform.get(`/v1/tenants/${t.id}/database`)).body).toMatchObject({
      home: { kind: 'dedicated', database: 'tenant_a' },
      generation: 2,
      operation: { from: { database: 'tenant_b' }, to: { database: 'tenant_a' } },
    });
    expect(await counts(t.id, A.databaseUrl)).toMatchObject({ interactions: 3, home: 'home' });
    expect(await counts(t.id, B.databaseUrl)).toMatchObject({ interactions: 0, home: 'moved' });
    expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(3);
  });

  it('answers clear problems for what cannot be done', async () => {
    const t = await createTenant();
    const path = `/v1/tenants/${t.id}/database`;
    expectProblem(await platform.delete(path), 409, 'NO_DEDICATED_DATABASE');
    expectProblem(await platform.post(`${path}/migrate`), 409, 'NO_DEDICATED_DATABASE');
    expectProblem(
      await platform.put(path, { databaseUrl: 'mysql://u@h/db', migrationUrl: A.migrationUrl }),
      422,
      'VALIDATION_FAILED',
    );
    expectProblem(await platform.put(path, { databaseUrl: A.databaseUrl }), 422, 'VALIDATION_FAILED');
    expectProblem(await platform.put('/v1/tenants/tnt_00000000000000000000000000/database', A), 404, 'NOT_FOUND');
    expectProblem(await t.admin.put(path, A), 401, 'INVALID_CREDENTIALS');
    const status = (await platform.get(path)).body;
    expect(status).toEqual({
      tenantId: t.id,
      home: { kind: 'shared', host: null, database: null },
      generation: 0,
      operation: null,
    });
  });

  it('gives up a move whose role bypasses RLS, leaving the tenant where it was', async () => {
    const t = await createTenant();
    const { send } = await ingestCalls(t, 'refused');
    await send(1);
    await settle(t);
    // A superuser bypasses RLS: not an application role.
    const res = await platform.put(`/v1/tenants/${t.id}/database`, {
      databaseUrl: env.TEST_SUPER_DATABASE_URL,
      migrationUrl: B.migrationUrl,
    });
    expect(res.status, res.text).toBe(202);
    const failed = await finish(t.id);
    expect(failed).toMatchObject({ step: 'failed', error: { code: 'MOVE_REFUSED' } });
    expect(failed.error?.message).toMatch(/row-level security/);
    expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 1, home: 'home' });
    expect((await t.admin.post('/v1/sites', { name: 'Still here' })).status).toBe(201);
  });

  it('copies page by page, and a copy run again from where it was last saved (a restart) changes nothing', async () => {
    const t = await createTenant();
    const { send } = await ingestCalls(t, 'pages');
    await send(4);
    await settle(t);
    const config = env;
    const target: MoveEnd = {
      kind: 'dedicated',
      databaseUrlSealed: await sealTenantUrl(config, t.id, A.databaseUrl),
      migrationUrlSealed: await sealTenantUrl(config, t.id, A.migrationUrl),
      host: 'test',
      database: 'tenant_a',
    };
    let state = newMove({ id: 'dbo_pages', tenantId: t.id, kind: 'move', source: { kind: 'shared' }, target, now: new Date() });
    const run = (s: MoveState, pageRows = 7) => advanceMove(s, { config, deadline: Date.now() + 60_000, pageRows });
    try {
      while (state.step !== 'copy') state = await run(state);
      // Out of time before the first page: the step stays where it was.
      const late = await advanceMove(state, { config, deadline: Date.now() - 1 });
      expect(late).toMatchObject({ step: 'copy', cursor: { table: 1, after: null } });
      const copied = await run(state);
      expect(copied.step).toBe('verify');
      expect(copied.tables.find((x) => x.table === 'events')?.rows).toBe(44);
      // The same copy again, in other pages, as after a restart that lost the saved progress: every row is there once.
      const again = await run(state, 5);
      expect(again.step).toBe('verify');
      const verified = await run(again);
      expect(verified.step).toBe('switch');
      for (const x of verified.tables) expect(x.targetRows, x.table).toBe(x.sourceRows);
      expect(await counts(t.id, A.databaseUrl)).toMatchObject({ interactions: 4, events: 44, home: 'incoming' });
      state = verified;
      while (state.step !== 'done') state = await run(state);
      expect(await counts(t.id, A.databaseUrl)).toMatchObject({ interactions: 4, events: 44, home: 'home' });
      expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(4);

      // A move started on a stale view (from the shared database, which the tenant has left) stops at the fence,
      // and giving it up leaves the shared database as it was: `moved`, not at home again.
      const toB: MoveEnd = { ...target, databaseUrlSealed: await sealTenantUrl(config, t.id, B.databaseUrl) };
      toB.migrationUrlSealed = await sealTenantUrl(config, t.id, B.migrationUrl);
      let stale = newMove({
        id: 'dbo_stale',
        tenantId: t.id,
        kind: 'move',
        source: { kind: 'shared' },
        target: toB,
        now: new Date(),
      });
      while (stale.step !== 'fence') stale = await run(stale);
      await expect(run(stale)).rejects.toThrow(/not home or moving in this database any more/);
      await abandonMove(stale, config);
      expect(await counts(t.id, env.DATABASE_URL)).toMatchObject({ interactions: 0, home: 'moved' });
      expect((await t.admin.get('/v1/calls')).body.data).toHaveLength(4);
    } finally {
      // Never leave the tenant fenced if an assertion failed half-way.
      if (state.step !== 'done')
        await asTenant(t.id, (sql) => sql("UPDATE tenants SET home = 'home'"), env.TEST_OWNER_DATABASE_URL);
    }
  });
});
