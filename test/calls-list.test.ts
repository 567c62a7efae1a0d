import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { asTenant } from './helpers/db';
import { abandonedCall, answeredCall, at, callId, sendEvents, settle } from './helpers/ingest';

type CallItem = Record<string, any> & { id: string; firstEventAt: string; enqueuedAt: string | null };
type Segment = {
  agentId: string;
  talkMs: number | null;
  holdMs: number;
  holdCount: number;
  acwMs: number | null;
  transferred: boolean;
};

const ev = (interactionId: string, type: string, s: number, extra: Record<string, unknown> = {}) => ({
  id: `${interactionId}:${type}:${s}:${JSON.stringify(extra).length}`,
  type,
  occurredAt: at(s),
  interactionId,
  ...extra,
});

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  return `/v1/calls?${s}`;
};

/** Every page of a listing, following cursors. */
async function allPages(t: TestTenant, params: Record<string, string | number | undefined>) {
  const items: CallItem[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await t.admin.get(q({ ...params, cursor }));
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.data);
    if (!res.body.nextCursor) return items;
    cursor = res.body.nextCursor;
  }
  throw new Error('cursor never ended');
}

describe('GET /v1/calls: handling summary', () => {
  it('carries talk, hold, after-call work and transfers per call, the same as GET /v1/calls/{id}', async () => {
    const t = await createTenant();
    const [sales, billing] = [await createQueue(t), await createQueue(t)];
    const [ada, bob] = [
      await createAgent(t, { queueIds: [sales.id, billing.id] }),
      await createAgent(t, { queueIds: [sales.id, billing.id] }),
    ];
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const answered = callId('answered');
    const transferred = callId('transferred');
    const abandoned = callId('abandoned');
    const outbound = callId('outbound');
    await sendEvents(ingest.client, answeredCall(answered, sales.id, ada.id));
    // Ada answers in sales, holds 10 s, transfers the caller to billing; Bob answers there.
    await sendEvents(ingest.client, [
      ev(transferred, 'interaction.started', 300, { direction: 'inbound' }),
      ev(transferred, 'queue.joined', 302, { queueId: sales.id }),
      ev(transferred, 'queue.left', 310, { queueId: sales.id, agentId: ada.id, attrs: { outcome: 'answered' } }),
      ev(transferred, 'agent.connected', 310, { queueId: sales.id, agentId: ada.id }),
      ev(transferred, 'hold.started', 320, { agentId: ada.id }),
      ev(transferred, 'hold.ended', 330, { agentId: ada.id }),
      ev(transferred, 'transfer', 350, { agentId: ada.id, attrs: { kind: 'queue', toQueueId: billing.id } }),
      ev(transferred, 'agent.disconnected', 350, { agentId: ada.id, attrs: { endedBy: 'transfer' } }),
      // Ada's wrap-up names her queue: after the caller joined billing, an agent event without a
      // queue follows the caller there, away from Ada's segment.
      ev(transferred, 'wrapup.started', 350, { agentId: ada.id, queueId: sales.id }),
      ev(transferred, 'wrapup.ended', 360, { agentId: ada.id, queueId: sales.id }),
      ev(transferred, 'queue.joined', 351, { queueId: billing.id }),
      ev(transferred, 'queue.left', 365, { queueId: billing.id, agentId: bob.id, attrs: { outcome: 'answered' } }),
      ev(transferred, 'agent.connected', 365, { queueId: billing.id, agentId: bob.id }),
      ev(transferred, 'hold.started', 400, { agentId: bob.id }),
      ev(transferred, 'hold.ended', 405, { agentId: bob.id }),
      ev(transferred, 'hold.started', 410, { agentId: bob.id }),
      ev(transferred, 'hold.ended', 412, { agentId: bob.id }),
      ev(transferred, 'agent.disconnected', 465, { agentId: bob.id, attrs: { endedBy: 'customer' } }),
      ev(transferred, 'interaction.ended', 465),
      ev(transferred, 'wrapup.started', 465, { agentId: bob.id }),
      ev(transferred, 'wrapup.ended', 485, { agentId: bob.id }),
    ]);
    await sendEvents(
      ingest.client,
      abandonedCall(abandoned, sales.id, 20).map((e) => ({
        ...e,
        occurredAt: at(600 + Date.parse(e.occurredAt) / 1000 - Date.parse(at(0)) / 1000),
      })),
    );
    // An outbound call an agent made without any queue; still talking.
    await sendEvents(ingest.client, [
      ev(outbound, 'interaction.started', 700, { direction: 'outbound', queueId: sales.id }),
      ev(outbound, 'agent.connected', 705, { queueId: sales.id, agentId: bob.id }),
    ]);
    await settle(t);

    const list = await allPages(t, { limit: 2 });
    const byId = new Map(list.map((c) => [c.id, c]));
    expect(list.map((c) => c.id)).toEqual([outbound, abandoned, transferred, answered]);

    expect(byId.get(answered)).toMatchObject({
      enqueuedAt: at(2),
      outcome: 'answered',
      transfers: 0,
      handling: {
        agentIds: [ada.id],
        segments: 1,
        talkMs: 105_000,
        holdMs: 15_000,
        holdCount: 1,
        acwMs: 30_000,
        handleMs: 150_000,
        inProgress: false,
      },
    });
    expect(byId.get(transferred)).toMatchObject({
      enqueuedAt: at(302),
      outcome: 'answered',
      transfers: 1,
      handling: {
        agentIds: [ada.id, bob.id],
        segments: 2,
        talkMs: 30_000 + 93_000,
        holdMs: 10_000 + 7_000,
        holdCount: 3,
        acwMs: 10_000 + 20_000,
        handleMs: 30_000 + 93_000 + 17_000 + 30_000,
        inProgress: false,
      },
    });
    expect(byId.get(abandoned)).toMatchObject({
      enqueuedAt: at(601),
      outcome: 'abandoned',
      transfers: 0,
      handling: {
        agentIds: [],
        segments: 0,
        talkMs: null,
        holdMs: 0,
        holdCount: 0,
        acwMs: null,
        handleMs: null,
        inProgress: false,
      },
    });
    expect(byId.get(outbound)).toMatchObject({
      enqueuedAt: null,
      outcome: null,
      transfers: 0,
      handling: { agentIds: [bob.id], segments: 1, talkMs: null, holdMs: 0, acwMs: null, handleMs: null, inProgress: true },
    });

    for (const item of list) {
      const detail = (await t.admin.get(`/v1/calls/${item.id}`)).body;
      const { segments, events: _events, ...call } = detail;
      // The list item is the call as GET /v1/calls/{id} shows it, without the segments and the timeline.
      expect(item).toEqual(call);
      // And its summary adds up from those segments.
      const segs = segments as Segment[];
      const sum = (f: (s: Segment) => number | null) => segs.reduce((n, s) => n + (f(s) ?? 0), 0);
      expect(item.handling.segments).toBe(segs.length);
      expect(item.handling.holdMs).toBe(sum((s) => s.holdMs));
      expect(item.handling.holdCount).toBe(sum((s) => s.holdCount));
      if (segs.length > 0 && segs.every((s) => s.talkMs !== null)) {
        expect(item.handling.talkMs).toBe(sum((s) => s.talkMs));
        expect(item.handling.handleMs).toBe(sum((s) => s.talkMs) + sum((s) => s.holdMs) + sum((s) => s.acwMs));
      }
      if (segs.some((s) => s.acwMs !== null)) expect(item.handling.acwMs).toBe(sum((s) => s.acwMs));
      expect(item.transfers).toBe(
        segs.filter((s) => s.transferred).length +
          call.visits.filter((v: { outcome: string }) => v.outcome === 'transferred').length,
      );
    }
  });
});

describe('GET /v1/calls: enqueue time', () => {
  it('enqueuedFrom/enqueuedTo select by when the call first entered a queue, from/to by its first event', async () => {
    const t = await createTenant();
    const [a, b] = [await createQueue(t), await createQueue(t)];
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = (name: string) => `${name}-${t.id.slice(-6)}`;
    const [early, late, inside, outbound, moved] = [id('early'), id('late'), id('inside'), id('outbound'), id('moved')];
    // The window is [60 s, 120 s).
    await sendEvents(ingest.client, [
      // Began before the window (a long IVR), entered the queue inside it.
      ev(early, 'interaction.started', 50),
      ev(early, 'queue.joined', 70, { queueId: a.id }),
      // Began inside the window, entered the queue after it.
      ev(late, 'interaction.started', 110),
      ev(late, 'queue.joined', 130, { queueId: a.id }),
      ev(inside, 'interaction.started', 80),
      ev(inside, 'queue.joined', 85, { queueId: a.id }),
      // Never queued.
      ev(outbound, 'interaction.started', 90, { direction: 'outbound', queueId: a.id }),
      // First queued before the window, moved to another queue inside it: its enqueue time is the first.
      ev(moved, 'interaction.started', 40),
      ev(moved, 'queue.joined', 45, { queueId: a.id }),
      ev(moved, 'transfer', 90, { attrs: { kind: 'queue', toQueueId: b.id } }),
      ev(moved, 'queue.joined', 91, { queueId: b.id }),
    ]);
    await settle(t);
    const ids = async (params: Record<string, string | number | undefined>) => (await allPages(t, params)).map((c) => c.id);
    const [w0, w1] = [at(60), at(120)];

    expect(await ids({ from: w0, to: w1 })).toEqual([late, outbound, inside]);
    expect(await ids({ enqueuedFrom: w0, enqueuedTo: w1 })).toEqual([inside, early]);
    expect(await ids({ enqueuedFrom: w0, enqueuedTo: w1, sort: 'firstEventAt' })).toEqual([inside, early]);
    expect(await ids({ enqueuedFrom: w0, enqueuedTo: w1, sort: 'enqueuedAt' })).toEqual([inside, early]);
    expect(await ids({ enqueuedFrom: w0, enqueuedTo: w1, sort: 'enqueuedAt', order: 'asc' })).toEqual([early, inside]);
    expect(await ids({ from: w0, to: w1, enqueuedFrom: w0, enqueuedTo: w1 })).toEqual([inside]);
    expect(await ids({ enqueuedFrom: w0 })).toEqual([late, inside, early]);
    expect(await ids({ enqueuedTo: w0 })).toEqual([moved]);
    // Sorting by enqueue time lists only calls that entered a queue.
    expect(await ids({ sort: 'enqueuedAt' })).toEqual([late, inside, early, moved]);
    expect(await ids({ sort: 'enqueuedAt', order: 'asc', limit: 1 })).toEqual([moved, early, inside, late]);
    expect(await ids({ order: 'asc', limit: 2 })).toEqual([moved, early, inside, outbound, late]);
    const all = await allPages(t, {});
    expect(Object.fromEntries(all.map((c) => [c.id, c.enqueuedAt]))).toEqual({
      [early]: at(70),
      [late]: at(130),
      [inside]: at(85),
      [outbound]: null,
      [moved]: at(45),
    });

    expectProblem(await t.admin.get(q({ enqueuedFrom: 'yesterday' })), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get(q({ sort: 'startedAt' })), 422, 'VALIDATION_FAILED');
    expectProblem(await t.admin.get(q({ order: 'up' })), 422, 'VALIDATION_FAILED');
  });
});

describe('GET /v1/calls: keyset pagination', () => {
  it('every sort and order lists every call exactly once, in order, whatever the page size and ties (property)', async () => {
    const t = await createTenant();
    const queue = await createQueue(t);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // Few distinct instants: many calls share a sort key.
            first: fc.integer({ min: 0, max: 4 }),
            // Enqueue offsets of the call's visits (none: never queued); two visits may share an instant.
            visits: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }),
            // Ids of mixed case, punctuation and beyond Latin-1, so neither the ordering nor the cursor
            // leans on a collation or an encoding detail.
            name: fc.oneof(
              fc.stringMatching(/^[A-Za-z0-9._:-]{1,6}$/),
              fc.constantFrom('Zürich', '☎ 😀', 'a b', 'Ab', 'ab', 'ä'),
            ),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (calls, limit) => {
          run++;
          const rows = calls.map((c, i) => ({
            id: `${c.name}~${run}.${i}`,
            first: at(1000 * run + c.first * 10),
            enqueues: c.visits.map((v) => at(1000 * run + (c.first + v) * 10)),
          }));
          await asTenant(t.id, async (sql) => {
            for (const r of rows) {
              await sql(`INSERT INTO interactions (tenant_id, id, first_event_at, last_event_at) VALUES ($1, $2, $3, $3)`, [
                t.id,
                r.id,
                r.first,
              ]);
              for (const [k, enq] of r.enqueues.entries()) {
                await sql(
                  `INSERT INTO queue_visits (tenant_id, id, interaction_id, queue_id, enqueued_at, enqueued_at_source, version)
                   VALUES ($1, $2, $3, $4, $5, 'provider', 1)`,
                  [t.id, `vis-${run}-${r.id}-${k}`, r.id, queue.id, enq],
                );
              }
            }
          });
          const window = { from: at(1000 * run - 100), to: at(1000 * run + 900) };
          const enqWindow = { enqueuedFrom: window.from, enqueuedTo: window.to };
          for (const sort of ['firstEventAt', 'enqueuedAt'] as const) {
            for (const order of ['desc', 'asc'] as const) {
              const filter = sort === 'firstEventAt' ? window : enqWindow;
              const items = await allPages(t, { sort, order, limit, ...filter });
              const key = (c: CallItem) => Date.parse((sort === 'firstEventAt' ? c.firstEventAt : c.enqueuedAt) as string);
              const expected = rows
                .filter((r) => sort === 'firstEventAt' || r.enqueues.length > 0)
                .map((r) => r.id)
                .sort();
              expect([...items.map((c) => c.id)].sort()).toEqual(expected);
              for (let i = 1; i < items.length; i++) {
                const [prev, cur] = [key(items[i - 1] as CallItem), key(items[i] as CallItem)];
                if (order === 'desc') expect(cur).toBeLessThanOrEqual(prev);
                else expect(cur).toBeGreaterThanOrEqual(prev);
              }
              const enqueuedAt = new Map(
                rows.map((r) => [
                  r.id,
                  r.enqueues.length ? new Date(Math.min(...r.enqueues.map(Date.parse))).toISOString() : null,
                ]),
              );
              for (const c of items) expect(c.enqueuedAt).toBe(enqueuedAt.get(c.id));
            }
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('a cursor only continues the sort and order it came from', async () => {
    const t = await createTenant();
    const queue = await createQueue(t);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    for (const s of [0, 10, 20]) {
      await sendEvents(ingest.client, [ev(`c${s}-${t.id.slice(-6)}`, 'queue.joined', s, { queueId: queue.id })]);
    }
    await settle(t);
    const cursorOf = async (params: Record<string, string>) => {
      const res = await t.admin.get(q({ ...params, limit: 1 }));
      expect(res.status, res.text).toBe(200);
      expect(res.body.nextCursor).toEqual(expect.any(String));
      return res.body.nextCursor as string;
    };
    const byFirst = await cursorOf({});
    const byEnqueue = await cursorOf({ sort: 'enqueuedAt' });
    const ascending = await cursorOf({ order: 'asc' });
    expect((await t.admin.get(q({ cursor: byFirst, sort: 'firstEventAt', order: 'desc' }))).status).toBe(200);
    expect((await t.admin.get(q({ cursor: byEnqueue, sort: 'enqueuedAt' }))).status).toBe(200);
    const mismatch = expectProblem(await t.admin.get(q({ cursor: byFirst, sort: 'enqueuedAt' })), 400, 'CURSOR_MISMATCH');
    expect(mismatch.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/cursor' })]);
    expectProblem(await t.admin.get(q({ cursor: byEnqueue })), 400, 'CURSOR_MISMATCH');
    expectProblem(await t.admin.get(q({ cursor: ascending })), 400, 'CURSOR_MISMATCH');
    expectProblem(await t.admin.get(q({ cursor: byFirst, order: 'asc' })), 400, 'CURSOR_MISMATCH');
    // An enqueue window alone sorts by enqueue time unless told otherwise.
    const windowed = await cursorOf({ enqueuedFrom: at(-100) });
    expect((await t.admin.get(q({ cursor: windowed, enqueuedFrom: at(-100) }))).status).toBe(200);
    expect((await t.admin.get(q({ cursor: windowed, enqueuedFrom: at(-100), sort: 'enqueuedAt' }))).status).toBe(200);
    expectProblem(
      await t.admin.get(q({ cursor: windowed, enqueuedFrom: at(-100), sort: 'firstEventAt' })),
      400,
      'CURSOR_MISMATCH',
    );
    expectProblem(await t.admin.get(q({ cursor: windowed, enqueuedFrom: at(-100), from: at(-100) })), 400, 'CURSOR_MISMATCH');
  });

  it('a cursor is decoded strictly: out-of-range instants and ids that are no ids are refused, never a 500', async () => {
    const t = await createTenant();
    const b64 = (v: unknown) => btoa(JSON.stringify(v)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
    const bad = [
      'nope',
      'WzFlMzAwLCJ4Il0', // [1e300,"x"], the old shape
      b64([1e300, 'x']),
      b64(['f', 'd', 1e300, 'x']),
      b64(['f', 'd', -210866803200001, 'x']), // before 4714-11-24 BC, the first instant of Postgres
      b64(['f', 'd', 8640000000000001, 'x']), // after the last instant of a JavaScript Date
      b64(['f', 'd', 1.5, 'x']),
      b64(['f', 'd', '1', 'x']),
      b64(['f', 'd', 1, '']),
      b64(['f', 'd', 1, 'x'.repeat(201)]),
      b64(['f', 'd', 1, 'a\u0000b']),
      b64(['f', 'd', 1, '\ud800']),
      b64(['f', 'd', 1, ' padded ']),
      b64(['x', 'd', 1, 'x']),
      b64(['f', 'd', 1, 'x', 'extra']),
      b64({ at: 1, id: 'x' }),
      `${b64(['f', 'd', 1, 'x'])}!`,
    ];
    for (const cursor of bad) {
      const problem = expectProblem(await t.admin.get(q({ cursor })), 422, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/cursor' })]);
    }
    // The edges of the range are cursors like any other.
    for (const at of [-210866803200000, 8640000000000000, 0]) {
      expect((await t.admin.get(q({ cursor: b64(['f', 'd', at, 'x']) }))).status).toBe(200);
    }
  });
});
