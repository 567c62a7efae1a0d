import { describe, expect, it } from 'vitest';
import { openDatabases } from '../src/db/databases';
import { createLogger } from '../src/lib/log';
import { callPages } from '../src/services/calls/calls';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { call, expectProblem } from './helpers/api';
import { parseCsv } from './helpers/csv';
import { env } from './helpers/env';
import { abandonedCall, answeredCall, callId, sendEvents, settle } from './helpers/ingest';
import { DAY, ingestAll, iso, t, visitEvents } from './helpers/kpi-calls';

// Monday 2 November 2026, in the past for every run of this suite.

const get = (tenant: TestTenant, path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  tenant.admin.get(`${path}?${new URLSearchParams(params).toString()}`, { headers });

function expectCsvHeaders(res: { status: number; text: string; headers: Headers }, filename: RegExp) {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('Content-Disposition')).toMatch(filename);
  expect(res.headers.get('X-Request-Id')).toBeTruthy();
  expect(res.headers.get('Vary')).toBe('Accept');
}

describe('GET /v1/kpis as CSV', () => {
  it('one line per period and group, a column per metric; with columns=full also numerator, denominator, status', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 10, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 60), 30, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 120), 8, 'abandoned'),
      ...visitEvents(q.id, t(1, 0), 4, 'answered', { agentId: ada.id }),
    ]);
    const params = {
      metrics: 'offered,serviceLevel,asa',
      from: iso(DAY),
      to: iso(DAY + 3 * 86_400_000),
      interval: 'day',
      groupBy: 'queue',
    };
    const json = await get(tenant, '/v1/kpis', params);
    expect(json.status, json.text).toBe(200);
    expect(json.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(json.headers.get('Vary')).toBe('Accept');

    const res = await get(tenant, '/v1/kpis', { ...params, format: 'csv' });
    expectCsvHeaders(res, /^attachment; filename="kpis-day-2026-11-02T0000-2026-11-05T0000\.csv"$/);
    // Day 0: SL 1 met (10 s) of 3 (the 30 s answer and the 8 s abandon missed, threshold 20 s, short abandons ≤ 5 s);
    // ASA (10 + 30) / 2 s. Day 1: one answer in 4 s. Day 2: nothing offered, no SL or ASA (empty, not 0).
    const body = [
      `start,end,queueId,offered,serviceLevel,asa`,
      `2026-11-02T00:00:00.000Z,2026-11-03T00:00:00.000Z,${q.id},3,${1 / 3},20000`,
      `2026-11-03T00:00:00.000Z,2026-11-04T00:00:00.000Z,${q.id},1,1,4000`,
      `2026-11-04T00:00:00.000Z,2026-11-05T00:00:00.000Z,${q.id},0,,`,
    ];
    // The same rows as the JSON answer, in its order.
    expect(json.body.rows.map((r: { start: string }) => r.start)).toEqual(body.slice(1).map((l) => l.split(',')[0]));
    expect(res.text).toBe(`${body.join('\r\n')}\r\n`);

    const full = await get(
      tenant,
      '/v1/kpis',
      { ...params, metrics: 'serviceLevel,offered', columns: 'full' },
      {
        Accept: 'text/csv',
      },
    );
    expectCsvHeaders(full, /^attachment; filename="kpis-day-/);
    const rows = parseCsv(full.text);
    expect(rows[0]).toEqual([
      'start',
      'end',
      'queueId',
      'serviceLevel',
      'serviceLevel.numerator',
      'serviceLevel.denominator',
      'serviceLevel.status',
      'offered',
      'offered.numerator',
      'offered.denominator',
      'offered.status',
    ]);
    expect(rows.slice(1).map((r) => r.slice(3))).toEqual([
      [String(1 / 3), '1', '3', 'complete', '3', '3', '', 'complete'],
      ['1', '1', '1', 'complete', '1', '1', '', 'complete'],
      ['', '0', '0', 'complete', '0', '0', '', 'complete'],
    ]);
  });

  it('JSON unless CSV is asked for; errors stay problem+json; format beats Accept', async () => {
    const tenant = await createTenant();
    const params = { metrics: 'offered', from: iso(DAY), to: iso(DAY + 86_400_000) };
    const ct = async (query: Record<string, string>, accept?: string) =>
      (await get(tenant, '/v1/kpis', query, accept ? { Accept: accept } : {})).headers.get('Content-Type');
    expect(await ct(params)).toMatch(/^application\/json/);
    expect(await ct(params, 'text/html,application/xhtml+xml,*/*;q=0.8')).toMatch(/^application\/json/);
    expect(await ct(params, 'application/json;q=0.5, text/csv')).toBe('text/csv; charset=utf-8');
    expect(await ct({ ...params, format: 'json' }, 'text/csv')).toMatch(/^application\/json/);
    expect(await ct({ ...params, format: 'csv' }, 'application/json')).toBe('text/csv; charset=utf-8');
    // A KPI report with no groups: the header and the one total row.
    const res = await get(tenant, '/v1/kpis', { ...params, format: 'csv' });
    expect(res.text).toBe('start,end,offered\r\n2026-11-02T00:00:00.000Z,2026-11-03T00:00:00.000Z,0\r\n');

    expectProblem(await get(tenant, '/v1/kpis', { ...params, metrics: 'nope', format: 'csv' }), 422, 'VALIDATION_FAILED');
    expectProblem(await get(tenant, '/v1/kpis', { ...params, format: 'xml' }), 422, 'VALIDATION_FAILED');
    expectProblem(await get(tenant, '/v1/kpis', { ...params, format: 'csv', columns: 'some' }), 422, 'VALIDATION_FAILED');
    const reader = await createKey(tenant, { scopes: ['ingest'] });
    expectProblem(
      await reader.client.get(`/v1/kpis?${new URLSearchParams({ ...params, format: 'csv' })}`),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });
});

describe('GET /v1/calls as CSV', () => {
  it('every call the filters select (limit ignored), the same as the JSON pages, text defused and quoted', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant, { queueIds: [q.id] });
    const key = await createKey(tenant, { scopes: ['ingest'] });
    const hostile = `=HYPERLINK("http://x.test","click"),\n${callId('hostile')}`;
    const ids = [callId('a'), callId('b'), hostile, callId('c')];
    await sendEvents(key.client, [
      ...answeredCall(ids[0] as string, q.id, ada.id),
      ...abandonedCall(ids[1] as string, q.id, 12),
      // Event ids are printable ASCII; the interaction id may be any text.
      ...answeredCall(hostile, q.id, ada.id, { caller: '+1 555 0100' }).map((e, i) => ({ ...e, id: `${ids[0]}:h${i}` })),
      {
        id: `${ids[0]}:disposition`,
        type: 'call.dispositioned',
        occurredAt: new Date().toISOString(),
        interactionId: hostile,
        attrs: { resolved: false, code: 'refund, "partial"\nfollow-up' },
      },
      ...abandonedCall(ids[3] as string, q.id, 3),
    ]);
    await settle(tenant);

    const jsonPages: Record<string, any>[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(tenant, '/v1/calls', { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.status, page.text).toBe(200);
      jsonPages.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(jsonPages).toHaveLength(4);

    const res = await get(tenant, '/v1/calls', { limit: '1', format: 'csv' });
    expectCsvHeaders(res, /^attachment; filename="calls\.csv"$/);
    const [header, ...rows] = parseCsv(res.text);
    expect(header?.slice(0, 4)).toEqual(['id', 'direction', 'callerMasked', 'firstEventAt']);
    const records = rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i]])));
    // Every call, in the JSON order (newest first), each field what the JSON says.
    expect(records.map((r) => r.id)).toEqual(jsonPages.map((c) => (c.id.startsWith('=') ? `'${c.id}` : c.id)));
    for (const [i, c] of jsonPages.entries()) {
      const r = records[i] as Record<string, string>;
      const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
      expect(r.firstEventAt).toBe(c.firstEventAt);
      expect(r.enqueuedAt).toBe(text(c.enqueuedAt));
      expect(r.outcome).toBe(text(c.outcome));
      expect(r.agentIds).toBe(c.handling.agentIds.join(';'));
      expect(r.talkMs).toBe(text(c.handling.talkMs));
      expect(r.holdMs).toBe(text(c.handling.holdMs));
      expect(r.acwMs).toBe(text(c.handling.acwMs));
      expect(r.handleMs).toBe(text(c.handling.handleMs));
      expect(r.transfers).toBe(text(c.transfers));
      expect(r.queueIds).toBe(q.id);
    }
    const byId = new Map(records.map((r) => [r.id, r]));
    // answeredCall: queued at 2 s, answered at 12 s, talk 120 s less 15 s hold, 30 s wrap-up.
    expect(byId.get(ids[0])).toMatchObject({
      waitMs: '10000',
      talkMs: '105000',
      holdMs: '15000',
      acwMs: '30000',
      handleMs: '150000',
    });
    expect(byId.get(ids[1])).toMatchObject({ outcome: 'abandoned', waitMs: '12000', agentIds: '', talkMs: '', segments: '0' });
    // The id and the masked number start formulas: defused with a quote mark; the code's comma, quotes and
    // line break survive quoting.
    expect(byId.get(`'${hostile}`)).toMatchObject({
      callerMasked: expect.stringMatching(/^'\+1/),
      dispositionCode: 'refund, "partial"\nfollow-up',
      resolved: 'false',
    });

    // Filters apply as in JSON; Accept: text/csv works too.
    const abandoned = await get(tenant, '/v1/calls', { outcome: 'abandoned', order: 'asc' }, { Accept: 'text/csv' });
    expectCsvHeaders(abandoned, /calls\.csv/);
    expect(
      parseCsv(abandoned.text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(
      jsonPages
        .filter((c) => c.outcome === 'abandoned')
        .map((c) => c.id)
        .reverse(),
    );
  });

  it('an empty selection is a header alone; a cursor that does not fit is a problem, not a file', async () => {
    const tenant = await createTenant();
    const res = await get(tenant, '/v1/calls', { format: 'csv' });
    expectCsvHeaders(res, /calls\.csv/);
    expect(parseCsv(res.text)).toHaveLength(1);

    const q = await createQueue(tenant);
    const key = await createKey(tenant, { scopes: ['ingest'] });
    await sendEvents(key.client, [...abandonedCall(callId('x'), q.id, 4), ...abandonedCall(callId('y'), q.id, 5)]);
    await settle(tenant);
    const page = await get(tenant, '/v1/calls', { limit: '1' });
    expect(page.body.nextCursor).toBeTruthy();
    expectProblem(
      await get(tenant, '/v1/calls', { cursor: page.body.nextCursor, sort: 'enqueuedAt', format: 'csv' }),
      400,
      'CURSOR_MISMATCH',
    );
    // HEAD: the CSV headers, no body, and the first page still checked.
    const head = await call('HEAD', `/v1/calls?format=csv`, { token: tenant.adminKey });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(head.text).toBe('');
    expect(
      (await call('HEAD', `/v1/calls?format=csv&sort=enqueuedAt&cursor=${page.body.nextCursor}`, { token: tenant.adminKey }))
        .status,
    ).toBe(400);
    // The cursor continues the export where the JSON page stopped.
    const rest = await get(tenant, '/v1/calls', { cursor: page.body.nextCursor, format: 'csv' });
    expect(
      parseCsv(rest.text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual((await get(tenant, '/v1/calls', { limit: '2' })).body.data.slice(1).map((c: { id: string }) => c.id));
  });
});

describe('callPages', () => {
  it('walks every page of the keyset, a page at a time, without repeating or skipping a call', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const key = await createKey(tenant, { scopes: ['ingest'] });
    await sendEvents(key.client, Array.from({ length: 7 }, (_, i) => abandonedCall(callId(`p${i}`), q.id, 2 + i)).flat());
    await settle(tenant);
    const db = openDatabases(env);
    const ctx = { env, tenantId: tenant.id, now: new Date(), log: createLogger({}, 'error'), databases: () => db };
    try {
      for (const order of ['asc', 'desc'] as const) {
        const sizes: number[] = [];
        const ids: string[] = [];
        for await (const page of await callPages(ctx, { order }, 3)) {
          sizes.push(page.length);
          ids.push(...page.map((c) => c.id));
        }
        expect(sizes).toEqual([3, 3, 1]);
        const listed = await get(tenant, '/v1/calls', { order, limit: '200' });
        expect(ids).toEqual(listed.body.data.map((c: { id: string }) => c.id));
      }
      // A page size that divides the count exactly: the last full page says no more follow.
      const sizes: number[] = [];
      for await (const page of await callPages(ctx, { order: 'asc' }, 7)) sizes.push(page.length);
      expect(sizes).toEqual([7]);
    } finally {
      await db.close();
    }
  });
});
