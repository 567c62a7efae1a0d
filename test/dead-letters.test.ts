import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../src/domain/events/normalized';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { DEFAULT_QUEUE_SETTINGS } from '../src/durable-objects/queue/queue-meta';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { call } from './helpers/api';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { answeredCall, callId, ingestIntoQueue, normalizedEvent, sendEvents, settle } from './helpers/ingest';

describe('a row Postgres refuses', () => {
  it('is quarantined as a dead letter; the rows behind it reach Postgres and the outbox drains', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const poisoned = callId('poison');

    // Into the queue: an event whose attrs hold U+0000 (Postgres refuses it in jsonb) …
    await ingestIntoQueue(queueStub(env, t.id, q.id), {
      tenantId: t.id,
      queueId: q.id,
      settings: DEFAULT_QUEUE_SETTINGS,
      events: [
        normalizedEvent(t, { id: `${poisoned}:join`, type: 'queue.joined', interactionId: poisoned, queueId: q.id }),
        normalizedEvent(t, {
          id: `${poisoned}:note`,
          type: 'queue.joined',
          interactionId: poisoned,
          queueId: q.id,
          attrs: { note: 'x\u0000y' },
        } as unknown as AnyEvent),
      ],
      presence: [],
      ensure: [],
      timelines: [],
    });
    // … and into the tenant: a queue-less hangup whose cause holds a lone surrogate, so the interaction record is refused too.
    const routed = await tenantStub(env, t.id).ingest({
      events: [
        normalizedEvent(t, {
          id: `${poisoned}:tenant-end`,
          type: 'interaction.ended',
          interactionId: `${poisoned}-t`,
          attrs: { hangupCause: 'a\ud800b\u0000' },
        } as unknown as AnyEvent),
      ],
      connectorId: null,
      connectorSecret: null,
      unknownKeys: 'reject',
    });
    expect(routed.ok).toBe(true);

    // Ordinary traffic after the poison.
    const ordinary = [callId('after'), callId('after')];
    for (const id of ordinary) expect((await sendEvents(ingest.client, answeredCall(id, q.id, a.id))).accepted).toBe(11);

    await settle(t);

    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT (SELECT count(*)::int FROM events WHERE interaction_id = ANY($1)) AS ordinary,
                (SELECT count(*)::int FROM interactions WHERE id = ANY($1)) AS interactions,
                (SELECT count(*)::int FROM events WHERE id = $2) AS join_event,
                (SELECT count(*)::int FROM events WHERE id IN ($3, $4)) AS poison`,
        [ordinary, `${poisoned}:join`, `${poisoned}:note`, `${poisoned}:tenant-end`],
      ),
    );
    expect(rows[0]).toEqual({ ordinary: 22, interactions: 2, join_event: 1, poison: 0 });
    for (const id of ordinary) {
      const c = (await t.admin.get(`/v1/calls/${id}`)).body;
      expect(c.visits).toEqual([expect.objectContaining({ outcome: 'answered', waitMs: 10_000 })]);
    }

    const dead = await t.admin.get('/v1/dead-letters');
    expect(dead.status, dead.text).toBe(200);
    const items = dead.body.items as {
      where: string;
      queueId: string | null;
      kind: string;
      id: string;
      code: string;
      reason: string;
      at: string;
      body: string;
    }[];
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ where: 'queue', queueId: q.id, kind: 'event', id: `${poisoned}:note`, code: '22P05' }),
        expect.objectContaining({ where: 'tenant', queueId: null, kind: 'event', id: `${poisoned}:tenant-end` }),
        expect.objectContaining({ where: 'tenant', queueId: null, kind: 'interaction', id: `${poisoned}-t` }),
      ]),
    );
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.reason).not.toMatch(/insert into|select /i);
      expect(item.code).toMatch(/^22/);
      // Shown as JSON text: the refused characters stay escapes, never raw NUL or a lone surrogate.
      expect(item.body.includes('\u0000')).toBe(false);
      expect(item.body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(items.find((i) => i.id === `${poisoned}:note`)?.body).toContain('x\\u0000y');

    const health = await call('GET', '/health', { headers: { Authorization: `Bearer ${t.adminKey}` } });
    expect(health.body.outbox.total).toBe(0);
    expect(health.body.outbox.deadLetters).toMatchObject({ total: 3 });
    expect(health.body.outbox.deadLetters.newest).toHaveLength(3);
    expect(health.body.outbox.tenant.deadLetters).toBe(2);
    expect(health.body.outbox.queues[q.id].deadLetters).toBe(1);

    // Put back (as after a fix): Postgres still refuses them, so they come back once each, nothing else moves.
    const retried = await t.admin.post('/v1/dead-letters/retry', {});
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toEqual({ requeued: 3 });
    await settle(t);
    const again = (await t.admin.get('/v1/dead-letters')).body;
    expect(again.total).toBe(3);
    expect(again.items.map((i: { id: string }) => i.id).sort()).toEqual(items.map((i) => i.id).sort());

    const discarded = await t.admin.delete('/v1/dead-letters');
    expect(discarded.status, discarded.text).toBe(200);
    expect(discarded.body).toEqual({ discarded: 3 });
    expect((await t.admin.get('/v1/dead-letters')).body).toEqual({ total: 0, items: [] });
  }, 60_000);

  it('many refused rows among good ones: each is set aside, over as many flushes as it takes', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ids = Array.from({ length: 80 }, () => callId('mixed'));
    await ingestIntoQueue(queueStub(env, t.id, q.id), {
      tenantId: t.id,
      queueId: q.id,
      settings: DEFAULT_QUEUE_SETTINGS,
      events: ids.map((id, i) =>
        normalizedEvent(t, {
          id: `${id}:join`,
          type: 'queue.joined',
          interactionId: id,
          queueId: q.id,
          attrs: i % 2 === 0 ? { note: `bad\u0000${i}` } : { note: `good ${i}` },
        } as unknown as AnyEvent),
      ),
      presence: [],
      ensure: [],
      timelines: [],
    });
    await settle(t, 30_000);
    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM interactions) AS interactions,
                (SELECT count(*)::int FROM queue_visits) AS visits`,
      ),
    );
    expect(rows[0]).toEqual({ events: 40, interactions: 80, visits: 80 });
    const dead = (await t.admin.get('/v1/dead-letters?limit=1000')).body;
    expect(dead.total).toBe(40);
    expect(new Set(dead.items.map((i: { id: string }) => i.id))).toEqual(
      new Set(ids.filter((_, i) => i % 2 === 0).map((id) => `${id}:join`)),
    );
  }, 60_000);

  it('only an admin key lists dead letters', async () => {
    const t = await createTenant();
    const read = await createKey(t, { scopes: ['read'] });
    expect((await read.client.get('/v1/dead-letters')).status).toBe(403);
    const res = await t.admin.get('/v1/dead-letters');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], total: 0 });
  });
});
