import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openDatabases } from '../src/db/databases';
import { writeWebhookLog } from '../src/db/webhook-log';
import { nominalRetryDelayMs, RETRY_WINDOW_MS } from '../src/domain/webhooks/retry';
import { MAX_QUEUED_PER_ENDPOINT } from '../src/durable-objects/webhooks/message-queue';
import { publishWebhookEvent, webhookSenderStub } from '../src/durable-objects/webhooks/webhook-sender.client';
import { decryptSecret, encryptSecret, parsePlatformKeys } from '../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from './constants';
import { createKey, createTenant, type TestTenant } from './factories';
import { expectProblem, platform } from './helpers/api';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import {
  deliveredTo,
  expectAt,
  flushSender,
  nextDue,
  type ReceivedWebhook,
  received,
  receiverPath,
  runSenderUntil,
  setSenderClock,
} from './helpers/webhook-receiver';

const DAY = 24 * 3600 * 1000;
let seq = 0;

/** An alert event with an id of its own. */
const alert = (
  data: Record<string, unknown> = {},
  type: 'alert.triggered' | 'alert.resolved' = 'alert.triggered',
  at = Date.now(),
) => ({
  type,
  id: `alr_${Date.now().toString(36)}_${seq++}:${type}`,
  occurredAt: at,
  data: { alertId: 'alr_1', ...data },
});

/** An endpoint on a fresh receiver path that verifies with its secret and answers as told. */
async function endpoint(t: TestTenant, body: Record<string, unknown> = {}, respond: (number | 'hang')[] = [200]) {
  const path = receiverPath();
  const res = await t.admin.post('/v1/webhook-endpoints', { url: path.url, eventTypes: ['alert.*'], ...body });
  expect(res.status, res.text).toBe(201);
  await expectAt(path.name, { secrets: [res.body.secret], respond });
  return { ...path, id: res.body.id as string, secret: res.body.secret as string };
}

const header = (r: ReceivedWebhook | undefined, name: string) => r?.headers[name];

/** Walks a message through its whole schedule on the sender's clock: each retry is made due, then sent. */
async function walkSchedule(t: TestTenant, name: string): Promise<ReceivedWebhook[]> {
  let got = await received(name);
  for (let due = await nextDue(t.id); due !== null; due = await nextDue(t.id)) {
    await setSenderClock(t.id, due);
    got = await deliveredTo(t.id, name, got.length + 1);
  }
  return got;
}

async function deliveries(t: TestTenant, endpointId: string, query = '') {
  await flushSender(t.id);
  const res = await t.admin.get(`/v1/webhook-endpoints/${endpointId}/deliveries?limit=200${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data as {
    messageId: string;
    attempt: number;
    status: string;
    httpStatus: number | null;
    error: string | null;
    responseBody: string | null;
    attemptedAt: string;
    nextAttemptAt: string | null;
    eventType: string;
  }[];
}

describe('webhook endpoints', () => {
  it('create, list, get, update, delete — the secret is shown once and stored sealed', async () => {
    const t = await createTenant();
    const path = receiverPath();
    const created = await t.admin.post('/v1/webhook-endpoints', {
      url: path.url,
      description: 'Pager',
      eventTypes: ['alert.triggered', 'webhook.endpoint.disabled'],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('Location')).toBe(`/v1/webhook-endpoints/${created.body.id}`);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^whe_[0-9a-z]{26}$/),
      url: path.url,
      description: 'Pager',
      eventTypes: ['alert.triggered', 'webhook.endpoint.disabled'],
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      previousSecretExpiresAt: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const id = created.body.id;
    const secretPart = created.body.secret.slice(6, 30);
    const got = await t.admin.get(`/v1/webhook-endpoints/${id}`);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.text).not.toContain(secretPart);
    const list = await t.admin.get('/v1/webhook-endpoints');
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(list.text).not.toContain(secretPart);
    const [row] = await asTenant(t.id, (q) => q('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [id]));
    expect(row.secret_sealed).toMatch(/^v2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(row.secret_sealed).not.toContain(secretPart);

    const patched = await t.admin.patch(`/v1/webhook-endpoints/${id}`, { description: 'Pager (night)', eventTypes: ['*'] });
    expect(patched.body).toMatchObject({ description: 'Pager (night)', eventTypes: ['*'], enabled: true });
    expect(patched.text).not.toContain(secretPart);

    expect((await t.admin.delete(`/v1/webhook-endpoints/${id}`)).body).toEqual({ id, outcome: 'deleted' });
    expectProblem(await t.admin.get(`/v1/webhook-endpoints/${id}`), 404, 'NOT_FOUND');
    // Deleted: nothing subscribes any more.
    expect(await publishWebhookEvent(env, t.id, alert())).toEqual({ messageId: null, endpoints: 0, duplicate: false });
  });

  it('refuses what cannot be an endpoint with 422 problems pointing at the field', async () => {
    const t = await createTenant();
    const bad = async (body: Record<string, unknown>, pointer: string, detail?: RegExp) => {
      const problem = expectProblem(await t.admin.post('/v1/webhook-endpoints', body), 422, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', pointer })]);
      if (detail) expect(problem.errors?.[0]?.detail).toMatch(detail);
    };
    await bad({ url: 'not a url', eventTypes: ['*'] }, '/url', /absolute URL/);
    await bad({ url: 'http://hooks.example.com/x', eventTypes: ['*'] }, '/url', /https/);
    await bad({ url: 'ftp://hooks.example.com/x', eventTypes: ['*'] }, '/url', /https/);
    await bad({ url: 'https://u:p@hooks.example.com/x', eventTypes: ['*'] }, '/url', /credentials/);
    await bad({ url: 'https://hooks.example.com/x', eventTypes: ['call.answered'] }, '/eventTypes/0');
    await bad({ url: 'https://hooks.example.com/x', eventTypes: [] }, '/eventTypes');
    await bad({ url: 'https://hooks.example.com/x', eventTypes: ['webhook.test'] }, '/eventTypes/0');
    await bad({ url: 'https://hooks.example.com/x', eventTypes: ['*'], secret: 'whsec_x' }, '/secret');
    // https is fine anywhere (it is only stored here: nothing is published).
    const ok = await t.admin.post('/v1/webhook-endpoints', { url: 'https://hooks.example.com/x', eventTypes: ['*'] });
    expect(ok.status, ok.text).toBe(201);
    const patched = expectProblem(
      await t.admin.patch(`/v1/webhook-endpoints/${ok.body.id}`, { url: 'http://hooks.example.com/x' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(patched.errors).toEqual([expect.objectContaining({ pointer: '/url' })]);
  });

  it('delivers a published event signed per Standard Webhooks, verified by the standardwebhooks library', async () => {
    const t = await createTenant();
    const subscribed = await endpoint(t, { eventTypes: ['alert.triggered'] });
    const other = await endpoint(t, { eventTypes: ['alert.resolved'] });
    const occurredAt = Date.parse('2026-11-30T08:15:00.250Z');
    const event = { ...alert({ queueId: 'que_1', value: 0.71 }), occurredAt };
    const published = await publishWebhookEvent(env, t.id, event);
    expect(published).toEqual({ messageId: expect.stringMatching(/^msg_[0-9a-z]{26}$/), endpoints: 1, duplicate: false });

    const [r, ...more] = await deliveredTo(t.id, subscribed.name, 1);
    expect(more).toEqual([]);
    expect(r).toMatchObject({ verified: true, verifiedWith: [true], answered: 200 });
    expect(header(r, 'webhook-id')).toBe(published.messageId);
    expect(header(r, 'content-type')).toBe('application/json');
    expect(Math.abs(Number(header(r, 'webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(60);
    expect(header(r, 'webhook-signature')).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(r?.payload).toEqual({
      type: 'alert.triggered',
      timestamp: '2026-11-30T08:15:00.250Z',
      data: { alertId: 'alr_1', queueId: 'que_1', value: 0.71 },
    });
    // Publishing the same event again queues nothing; the endpoint not subscribed to its type got nothing.
    expect(await publishWebhookEvent(env, t.id, event)).toEqual({
      messageId: published.messageId,
      endpoints: 0,
      duplicate: true,
    });
    await flushSender(t.id);
    expect(await received(subscribed.name)).toHaveLength(1);
    expect(await received(other.name)).toEqual([]);

    const log = await deliveries(t, subscribed.id);
    expect(log).toEqual([
      expect.objectContaining({
        messageId: published.messageId,
        eventType: 'alert.triggered',
        attempt: 1,
        status: 'delivered',
        httpStatus: 200,
        error: null,
        nextAttemptAt: null,
        responseBody: '{"received":true,"status":200}',
      }),
    ]);
  });

  it('refuses an event that is not one of the catalogue, or too big', async () => {
    const t = await createTenant();
    await endpoint(t);
    await expect(publishWebhookEvent(env, t.id, { ...alert(), type: 'call.answered' as 'alert.triggered' })).rejects.toThrow();
    await expect(publishWebhookEvent(env, t.id, alert({ blob: 'x'.repeat(256 * 1024) }))).rejects.toThrow(RangeError);
    expect((await webhookSenderStub(env, t.id).backlog()).queued).toEqual({});
  });

  it('retries a failing endpoint with the same webhook-id and a growing backoff until it answers 2xx', async () => {
    const t = await createTenant();
    const ep = await endpoint(t, {}, ['hang', 503, 500, 200]);
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    const { messageId } = await publishWebhookEvent(env, t.id, alert());
    let got = await deliveredTo(t.id, ep.name, 1);
    for (let attempt = 2; attempt <= 4; attempt++) {
      const due = await nextDue(t.id);
      expect(due).not.toBeNull();
      await setSenderClock(t.id, due as number);
      got = await deliveredTo(t.id, ep.name, attempt);
    }
    expect(await nextDue(t.id)).toBeNull();
    expect(got.map((r) => r.answered)).toEqual(['hang', 503, 500, 200]);
    // The same message every time, each attempt signed afresh and verified by the library.
    expect(new Set(got.map((r) => header(r, 'webhook-id')))).toEqual(new Set([messageId]));
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);

    const log = await deliveries(t, ep.id);
    expect(log.map((a) => [a.attempt, a.status, a.httpStatus])).toEqual([
      [4, 'delivered', 200],
      [3, 'failed', 500],
      [2, 'failed', 503],
      [1, 'failed', null],
    ]);
    expect(log[3]?.error).toMatch(/^TIMEOUT: no answer within 2 s/);
    expect(log[2]?.error).toBe('HTTP_STATUS: the endpoint answered 503.');
    // The delays after attempts 1, 2, 3 are 5 s, 30 s and 2 m, ±20 %: each longer than the one before.
    const delays = log
      .slice(1)
      .reverse()
      .map((a) => Date.parse(a.nextAttemptAt as string) - Date.parse(a.attemptedAt));
    delays.forEach((d, i) => {
      const nominal = nominalRetryDelayMs(i + 1);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.8 - 2500); // the attempt's own duration (a 2 s timeout) is in between
      expect(d).toBeLessThanOrEqual(nominal * 1.2 + 2500);
    });
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[2]).toBeGreaterThan(delays[1] as number);
    // Failed attempts can be listed on their own.
    expect((await deliveries(t, ep.id, '&status=failed')).map((a) => a.attempt)).toEqual([3, 2, 1]);
  });

  it('gives a message up once it has been retried for 24 h', async () => {
    const t = await createTenant();
    const ep = await endpoint(t, {}, [500]);
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    const { messageId } = await publishWebhookEvent(env, t.id, alert());
    await deliveredTo(t.id, ep.name, 1);
    const got = await walkSchedule(t, ep.name);
    // 5 s, 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, 4 h, 8 h, 8 h, 8 h (±20 %): eleven or twelve attempts, the last past 24 h.
    expect(got.length).toBeGreaterThanOrEqual(11);
    expect(got.length).toBeLessThanOrEqual(13);
    expect(new Set(got.map((r) => header(r, 'webhook-id')))).toEqual(new Set([messageId]));
    const log = await deliveries(t, ep.id);
    expect(log).toHaveLength(got.length);
    expect(log[0]).toMatchObject({ status: 'given_up', attempt: got.length, nextAttemptAt: null, httpStatus: 500 });
    expect(log.slice(1).every((a) => a.status === 'failed')).toBe(true);
    const first = Date.parse(log.at(-1)?.attemptedAt as string);
    expect(Date.parse(log[0]?.attemptedAt as string) - first).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(Date.parse(log[1]?.attemptedAt as string) - first).toBeLessThan(RETRY_WINDOW_MS);
    // Given up, not disabled: it has failed for a day and a half, not five.
    expect((await t.admin.get(`/v1/webhook-endpoints/${ep.id}`)).body).toMatchObject({ enabled: true, disabledAt: null });
  });

  it('disables an endpoint whose deliveries all failed for 5 days, tells the other endpoints, and resumes when re-enabled', async () => {
    const t = await createTenant();
    const failing = await endpoint(t, {}, [500]);
    const watcher = await endpoint(t, { eventTypes: ['webhook.endpoint.disabled'] });
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    await publishWebhookEvent(env, t.id, alert());
    await deliveredTo(t.id, failing.name, 1);
    await walkSchedule(t, failing.name);
    expect((await t.admin.get(`/v1/webhook-endpoints/${failing.id}`)).body.enabled).toBe(true);

    // Four and a half days later it still fails: when that message is given up, nothing got through for 5 days.
    await setSenderClock(t.id, t0 + 4.5 * DAY);
    await publishWebhookEvent(env, t.id, alert());
    const before = (await received(failing.name)).length;
    await deliveredTo(t.id, failing.name, before + 1);
    await walkSchedule(t, failing.name);

    const [notice] = await deliveredTo(t.id, watcher.name, 1);
    expect(notice?.verified).toBe(true);
    expect(notice?.payload).toMatchObject({
      type: 'webhook.endpoint.disabled',
      data: {
        endpointId: failing.id,
        url: failing.url,
        failingSince: new Date(t0).toISOString(),
        reason: expect.stringMatching(/^Every delivery failed for 5 days/),
      },
    });
    await flushSender(t.id);
    const disabled = (await t.admin.get(`/v1/webhook-endpoints/${failing.id}`)).body;
    expect(disabled).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('HTTP_STATUS: the endpoint answered 500.'),
    });
    expect(Date.parse(disabled.disabledAt) - t0).toBeGreaterThanOrEqual(5 * DAY);
    expectProblem(await t.admin.post(`/v1/webhook-endpoints/${failing.id}/test`), 409, 'WEBHOOK_ENDPOINT_DISABLED');

    // Disabled: new events do not queue for it.
    const whileDisabled = await publishWebhookEvent(env, t.id, alert());
    expect(whileDisabled.endpoints).toBe(0);

    // Re-enabled (the receiver fixed): its reason is forgotten and new events reach it again.
    await expectAt(failing.name, { secrets: [failing.secret], respond: [200] });
    const enabled = await t.admin.patch(`/v1/webhook-endpoints/${failing.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
    const after = await publishWebhookEvent(env, t.id, alert());
    expect(after.endpoints).toBe(1);
    const last = (await deliveredTo(t.id, failing.name, before + 1)).at(-1);
    expect(header(last, 'webhook-id')).toBe(after.messageId);
    expect(last?.answered).toBe(200);
  });

  it('holds the messages of an endpoint an admin disabled and sends them at once when it is enabled again', async () => {
    const t = await createTenant();
    const ep = await endpoint(t, {}, [503, 200]);
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    const { messageId } = await publishWebhookEvent(env, t.id, alert());
    await deliveredTo(t.id, ep.name, 1);
    expect((await t.admin.patch(`/v1/webhook-endpoints/${ep.id}`, { enabled: false })).body).toMatchObject({
      enabled: false,
      disabledAt: null,
    });
    // Its retry falls due, and an hour passes: nothing is sent while it is disabled, and nothing is given up.
    await setSenderClock(t.id, t0 + 3600_000);
    await runSenderUntil(t.id, async () => true);
    expect(await received(ep.name)).toHaveLength(1);
    expect((await webhookSenderStub(env, t.id).backlog()).queued).toEqual({ [ep.id]: 1 });
    expect(await nextDue(t.id)).not.toBeNull();

    await t.admin.patch(`/v1/webhook-endpoints/${ep.id}`, { enabled: true });
    const [, again] = await deliveredTo(t.id, ep.name, 2);
    expect(header(again, 'webhook-id')).toBe(messageId);
    expect(again?.answered).toBe(200);
    expect((await deliveries(t, ep.id)).map((a) => [a.attempt, a.status])).toEqual([
      [2, 'delivered'],
      [1, 'failed'],
    ]);
  });

  it('keeps at most 10,000 messages waiting per endpoint: the oldest is given up, and the log says so', async () => {
    const t = await createTenant();
    const ep = await endpoint(t);
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    // 10,000 messages already wait for the endpoint (retries due tomorrow), the oldest first.
    await runInDurableObject(webhookSenderStub(env, t.id), (_instance, state) => {
      const fill = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MAX_QUEUED_PER_ENDPOINT})`;
      state.storage.sql.exec(`${fill} INSERT INTO payloads (message_id, event_type, body)
        SELECT printf('msg_fill_%05d', i), 'alert.resolved', '{}' FROM n`);
      state.storage.sql.exec(
        `${fill} INSERT INTO messages (endpoint_id, message_id, enqueued_at, first_attempt_at, attempts, next_attempt_at)
         SELECT ?, printf('msg_fill_%05d', i), ?, ?, 3, ? FROM n`,
        ep.id,
        t0,
        t0,
        t0 + DAY,
      );
    });
    const { messageId } = await publishWebhookEvent(env, t.id, alert());
    expect((await webhookSenderStub(env, t.id).backlog()).queued).toEqual({ [ep.id]: MAX_QUEUED_PER_ENDPOINT });
    const [got] = await deliveredTo(t.id, ep.name, 1);
    expect(header(got, 'webhook-id')).toBe(messageId);
    const log = await deliveries(t, ep.id, '&status=given_up');
    expect(log).toEqual([
      expect.objectContaining({
        messageId: 'msg_fill_00001',
        eventType: 'alert.resolved',
        attempt: 3,
        httpStatus: null,
        error: `QUEUE_FULL: ${MAX_QUEUED_PER_ENDPOINT} messages were waiting for this endpoint; the oldest was given up.`,
      }),
    ]);
  });

  it("applies the sender's disable in Postgres only if no admin changed the endpoint since, and skips a deleted endpoint's log", async () => {
    const t = await createTenant();
    const ep = await endpoint(t);
    const gone = await endpoint(t);
    await t.admin.delete(`/v1/webhook-endpoints/${gone.id}`);
    // The sender disabled the endpoint at revision 1; an admin changed it (revision 2) before that reached Postgres.
    await t.admin.patch(`/v1/webhook-endpoints/${ep.id}`, { description: 'changed meanwhile' });
    const attempt = (endpointId: string) => ({
      id: `wha_${crypto.randomUUID().replaceAll('-', '').slice(0, 26)}`,
      endpointId,
      messageId: 'msg_x',
      eventType: 'alert.triggered',
      attempt: 1,
      status: 'failed' as const,
      httpStatus: 500,
      responseBody: null,
      responseTruncated: false,
      error: 'HTTP_STATUS: the endpoint answered 500.',
      durationMs: 3,
      attemptedAt: Date.now(),
      nextAttemptAt: Date.now() + 5000,
    });
    const db = openDatabases(env);
    const close = () => db.close();
    try {
      const disabled = { id: ep.id, disabledAt: Date.now(), disabledReason: 'Every delivery failed for 5 days' };
      await writeWebhookLog(db, t.id, { attempts: [attempt(ep.id), attempt(gone.id)], disabled: [{ ...disabled, revision: 1 }] });
      expect((await t.admin.get(`/v1/webhook-endpoints/${ep.id}`)).body).toMatchObject({ enabled: true, disabledAt: null });
      await writeWebhookLog(db, t.id, { attempts: [], disabled: [{ ...disabled, revision: 2 }] });
      expect((await t.admin.get(`/v1/webhook-endpoints/${ep.id}`)).body).toMatchObject({
        enabled: false,
        disabledReason: 'Every delivery failed for 5 days',
      });
    } finally {
      await close();
    }
    const rows = await asTenant(t.id, (q) => q('SELECT endpoint_id FROM webhook_deliveries WHERE tenant_id = $1', [t.id]));
    expect(rows).toEqual([{ endpoint_id: ep.id }]);
  });

  it('rotating the secret signs with both secrets for 24 h, then with the new one only', async () => {
    const t = await createTenant();
    const ep = await endpoint(t);
    const t0 = Date.now();
    await setSenderClock(t.id, t0);
    const rotated = await t.admin.post(`/v1/webhook-endpoints/${ep.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect((await t.admin.get(`/v1/webhook-endpoints/${ep.id}`)).text).not.toContain(rotated.body.secret.slice(6, 30));

    // A receiver holding the old secret and one holding the new both verify a delivery during the overlap.
    await expectAt(ep.name, { secrets: [ep.secret, rotated.body.secret] });
    await publishWebhookEvent(env, t.id, alert());
    const [during] = await deliveredTo(t.id, ep.name, 1);
    expect(during?.verifiedWith).toEqual([true, true]);
    expect(header(during, 'webhook-signature')?.split(' ')).toHaveLength(2);

    // After 24 h only the new secret signs.
    await setSenderClock(t.id, t0 + DAY + 60_000);
    await publishWebhookEvent(env, t.id, alert());
    const after = (await deliveredTo(t.id, ep.name, 2))[1];
    expect(after?.verifiedWith).toEqual([false, true]);
    expect(after?.error).toBe(null);
    expect(header(after, 'webhook-signature')?.split(' ')).toHaveLength(1);
  });

  it('sends a webhook.test event on request and answers the first attempt', async () => {
    const t = await createTenant();
    const ep = await endpoint(t, { eventTypes: ['alert.resolved'] });
    const res = await t.admin.post(`/v1/webhook-endpoints/${ep.id}/test`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ attempt: 1, status: 'delivered', httpStatus: 200, error: null, nextAttemptAt: null });
    const [r] = await received(ep.name);
    expect(r?.verified).toBe(true);
    expect(header(r, 'webhook-id')).toBe(res.body.messageId);
    expect(r?.payload).toMatchObject({ type: 'webhook.test', data: { endpointId: ep.id } });

    // A failing endpoint: the answer says so, and the message is retried like any other.
    await expectAt(ep.name, { secrets: [ep.secret], respond: [503, 200] });
    const failed = await t.admin.post(`/v1/webhook-endpoints/${ep.id}/test`);
    expect(failed.body).toMatchObject({ attempt: 1, status: 'failed', httpStatus: 503, nextAttemptAt: expect.any(String) });
    expect(await nextDue(t.id)).not.toBeNull();
  });

  it('a resync rebuilds the sender’s mirror from Postgres, and secrets are re-sealed after a platform key rotation', async () => {
    const t = await createTenant();
    const ep = await endpoint(t);
    // Sealed under the older platform key (version 1), as before a key rotation; the mirror lost the endpoint.
    const oldOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[1]);
    const sealedV1 = await encryptSecret(oldOnly, ep.secret, ep.id);
    await asTenant(t.id, (q) => q('UPDATE webhook_endpoints SET secret_sealed = $1 WHERE id = $2', [sealedV1, ep.id]));
    await webhookSenderStub(env, t.id).removeEndpoint(ep.id);
    expect((await publishWebhookEvent(env, t.id, alert())).endpoints).toBe(0);

    const resync = await platform.post(`/v1/tenants/${t.id}/resync`);
    expect(resync.body).toMatchObject({ tenantId: t.id, webhookEndpoints: 1 });
    await publishWebhookEvent(env, t.id, alert());
    expect((await deliveredTo(t.id, ep.name, 1))[0]?.verified).toBe(true); // v1 still opens

    const res = await platform.post(`/v1/tenants/${t.id}/reencrypt`);
    expect(res.body.webhookEndpoints).toEqual({ reencrypted: 1, total: 1 });
    const [row] = await asTenant(t.id, (q) => q('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [ep.id]));
    const currentOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[0]);
    expect(await decryptSecret(currentOnly, row.secret_sealed, ep.id)).toBe(ep.secret);
    await publishWebhookEvent(env, t.id, alert());
    expect((await deliveredTo(t.id, ep.name, 2))[1]?.verified).toBe(true);
  });

  it("keeps tenants apart: another tenant's endpoint is a 404, and events never reach another tenant's endpoints", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const epA = await endpoint(a);
    const epB = await endpoint(b);
    for (const [method, path] of [
      ['get', `/v1/webhook-endpoints/${epA.id}`],
      ['patch', `/v1/webhook-endpoints/${epA.id}`],
      ['delete', `/v1/webhook-endpoints/${epA.id}`],
      ['post', `/v1/webhook-endpoints/${epA.id}/rotate-secret`],
      ['post', `/v1/webhook-endpoints/${epA.id}/test`],
      ['get', `/v1/webhook-endpoints/${epA.id}/deliveries`],
    ] as const) {
      const res = method === 'patch' ? await b.admin.patch(path, { enabled: false }) : await b.admin[method](path);
      expectProblem(res, 404, 'NOT_FOUND');
    }
    expect((await b.admin.get('/v1/webhook-endpoints')).body.data.map((e: { id: string }) => e.id)).toEqual([epB.id]);

    const fromA = await publishWebhookEvent(env, a.id, alert({ tenant: 'a' }));
    expect(fromA.endpoints).toBe(1);
    const [gotA] = await deliveredTo(a.id, epA.name, 1);
    expect(gotA?.payload).toMatchObject({ data: { tenant: 'a' } });
    await runSenderUntil(b.id, async () => true);
    expect(await received(epB.name)).toEqual([]);
    // Only A's endpoint was sent to, and still is: nothing was disabled, rotated or deleted by B.
    expect((await a.admin.get(`/v1/webhook-endpoints/${epA.id}`)).body).toMatchObject({
      enabled: true,
      previousSecretExpiresAt: null,
    });
  });

  it('needs an admin key', async () => {
    const t = await createTenant();
    const read = await createKey(t, { scopes: ['read'] });
    expectProblem(await read.client.get('/v1/webhook-endpoints'), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(
      await read.client.post('/v1/webhook-endpoints', { url: 'https://hooks.example.com', eventTypes: ['*'] }),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });
});
