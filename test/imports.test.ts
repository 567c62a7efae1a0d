import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_LIMITS } from '../src/services/imports/imports';
import { createAgent, createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { sendEvents, settle } from './helpers/ingest';

const worker = (exports as unknown as { default: { fetch: (req: Request) => Promise<Response> } }).default;

// Monday 2 November 2026, in the past for every run of this suite.
const DAY = Date.UTC(2026, 10, 2);
const iso = (ms: number) => new Date(ms).toISOString();
/** An instant `s` seconds after 09:00 UTC of DAY. */
const t = (s: number) => DAY + 9 * 3_600_000 + s * 1000;
/** The same instant written in Prague's winter time, as a file from there would say it. */
const prague = (ms: number) => `${new Date(ms + 3_600_000).toISOString().slice(0, 19)}+01:00`;

const defaults = { ...IMPORT_LIMITS };
afterEach(() => Object.assign(IMPORT_LIMITS, defaults));

/** POSTs a CSV body (a string, or chunks streamed one by one) to /v1/imports. */
async function postImport(tenant: TestTenant, body: string | string[], query: Record<string, string> = {}) {
  const chunks = typeof body === 'string' ? [body] : body;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  const res = await worker.fetch(
    new Request(`http://callboard.test/v1/imports?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tenant.adminKey}`, 'Content-Type': 'text/csv' },
      body: stream,
      // @ts-expect-error: a streamed request body (workerd takes it without `duplex`, Node needs it)
      duplex: 'half',
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

/** Two queues and two agents named by the same external keys in a tenant. */
async function setUp(tenant: TestTenant) {
  const keys = (key: string) => ({ externalKeys: [{ provider: 'generic', key }] });
  const sales = await createQueue(tenant, keys('sales'));
  const support = await createQueue(tenant, keys('support'));
  const ada = await createAgent(tenant, keys('ada'));
  const bob = await createAgent(tenant, keys('bob'));
  const names = new Map<string, string>([
    [sales.id, 'sales'],
    [support.id, 'support'],
    [ada.id, 'ada'],
    [bob.id, 'bob'],
  ]);
  return { sales, support, ada, bob, names };
}

const HEADER =
  'rowKey,interactionId,queue,direction,caller,startedAt,enqueuedAt,leftAt,outcome,agent,talkSeconds,holdSeconds,acwSeconds,endedAt,endedBy';

/** The calls of the comparison, as CSV rows (instants in +01:00) … */
const CSV_ROWS = [
  // Answered after 12 s by ada: 60 s talk, 15 s hold, 30 s ACW, the caller hung up.
  `r1,c1,sales,inbound,+420 601 234 567,${prague(t(0))},${prague(t(2))},${prague(t(14))},answered,ada,60,15,30,,customer`,
  // Answered at once by bob, no hold, no ACW recorded.
  `r2,c2,sales,,,,${prague(t(100))},${prague(t(100))},answered,bob,42.5,,,,`,
  // A short abandon and a long one.
  `r3,c3,sales,,,,${prague(t(200))},${prague(t(203))},abandoned,,,,,,`,
  `r4,c4,support,,,,${prague(t(300))},${prague(t(340))},abandoned,,,,,,`,
  // One call in two queues: flowed out of sales after 20 s, answered in support 10 s later.
  `r5,c5,sales,,,,${prague(t(400))},${prague(t(420))},timeout,,,,,${prague(t(480))},`,
  `r6,c5,support,,,,${prague(t(420))},${prague(t(430))},answered,ada,50,,5,${prague(t(480))},`,
  // Outbound, answered after 8 s.
  `r7,c7,support,outbound,,,${prague(t(500))},${prague(t(508))},answered,bob,20,,,,agent`,
];

/** … and the same calls as a generic client sends them as events (its own ids, holds mid-call, no queue on agent events). */
function sameCallsAsEvents(): Record<string, unknown>[] {
  const e = (call: string, step: string, type: string, at: number, extra: Record<string, unknown> = {}) => ({
    id: `${call}-${step}`,
    type,
    occurredAt: iso(at),
    interactionId: call,
    ...extra,
  });
  return [
    e('c1', 'start', 'interaction.started', t(0), { direction: 'inbound', caller: '+420 601 234 567' }),
    e('c1', 'join', 'queue.joined', t(2), { queueKey: 'sales' }),
    e('c1', 'offer', 'agent.offered', t(10), { queueKey: 'sales', agentKey: 'ada' }),
    e('c1', 'left', 'queue.left', t(14), { queueKey: 'sales', agentKey: 'ada', attrs: { outcome: 'answered' } }),
    e('c1', 'conn', 'agent.connected', t(14), { queueKey: 'sales', agentKey: 'ada' }),
    e('c1', 'hold', 'hold.started', t(40), { agentKey: 'ada' }),
    e('c1', 'unhold', 'hold.ended', t(55), { agentKey: 'ada' }),
    e('c1', 'disc', 'agent.disconnected', t(89), { agentKey: 'ada', attrs: { endedBy: 'customer' } }),
    e('c1', 'end', 'interaction.ended', t(89), { attrs: { endedBy: 'customer' } }),
    e('c1', 'wu', 'wrapup.started', t(89), { agentKey: 'ada' }),
    e('c1', 'wd', 'wrapup.ended', t(119), { agentKey: 'ada' }),

    e('c2', 'start', 'interaction.started', t(100), { direction: 'inbound' }),
    e('c2', 'join', 'queue.joined', t(100), { queueKey: 'sales' }),
    e('c2', 'left', 'queue.left', t(100), { queueKey: 'sales', agentKey: 'bob', attrs: { outcome: 'answered' } }),
    e('c2', 'conn', 'agent.connected', t(100), { queueKey: 'sales', agentKey: 'bob' }),
    e('c2', 'disc', 'agent.disconnected', t(142.5), { agentKey: 'bob' }),
    e('c2', 'end', 'interaction.ended', t(142.5)),

    e('c3', 'start', 'interaction.started', t(200), { direction: 'inbound' }),
    e('c3', 'join', 'queue.joined', t(200), { queueKey: 'sales' }),
    e('c3', 'left', 'queue.left', t(203), { queueKey: 'sales', attrs: { outcome: 'abandoned' } }),
    e('c3', 'end', 'interaction.ended', t(203)),

    e('c4', 'start', 'interaction.started', t(300), { direction: 'inbound' }),
    e('c4', 'join', 'queue.joined', t(300), { queueKey: 'support' }),
    e('c4', 'left', 'queue.left', t(340), { queueKey: 'support', attrs: { outcome: 'abandoned' } }),
    e('c4', 'end', 'interaction.ended', t(340)),

    e('c5', 'start', 'interaction.started', t(400), { direction: 'inbound' }),
    e('c5', 'join1', 'queue.joined', t(400), { queueKey: 'sales' }),
    e('c5', 'left1', 'queue.left', t(420), { queueKey: 'sales', attrs: { outcome: 'timeout' } }),
    e('c5', 'join2', 'queue.joined', t(420), { queueKey: 'support' }),
    e('c5', 'left2', 'queue.left', t(430), { queueKey: 'support', agentKey: 'ada', attrs: { outcome: 'answered' } }),
    e('c5', 'conn', 'agent.connected', t(430), { queueKey: 'support', agentKey: 'ada' }),
    e('c5', 'disc', 'agent.disconnected', t(480), { agentKey: 'ada' }),
    e('c5', 'wu', 'wrapup.started', t(480), { agentKey: 'ada' }),
    e('c5', 'wd', 'wrapup.ended', t(485), { agentKey: 'ada' }),
    e('c5', 'end', 'interaction.ended', t(480)),

    e('c7', 'start', 'interaction.started', t(500), { direction: 'outbound' }),
    e('c7', 'join', 'queue.joined', t(500), { queueKey: 'support' }),
    e('c7', 'left', 'queue.left', t(508), { queueKey: 'support', agentKey: 'bob', attrs: { outcome: 'answered' } }),
    e('c7', 'conn', 'agent.connected', t(508), { queueKey: 'support', agentKey: 'bob' }),
    e('c7', 'disc', 'agent.disconnected', t(528), { agentKey: 'bob', attrs: { endedBy: 'agent' } }),
    e('c7', 'end', 'interaction.ended', t(528), { attrs: { endedBy: 'agent' } }),
  ];
}

/** Everything `GET /v1/calls` (and each call's segments) says about the tenant's calls, with ids replaced by names. */
async function callsOf(tenant: TestTenant, names: Map<string, string>) {
  const res = await tenant.admin.get(`/v1/calls?from=${iso(DAY)}&to=${iso(DAY + 86_400_000)}&limit=200`);
  expect(res.status, res.text).toBe(200);
  const rename = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (_k, v) =>
      typeof v === 'string' ? v.replace(/(que|agt)_[0-9a-z]+/g, (id) => names.get(id) ?? id) : v,
    );
  const calls = [];
  for (const { callerHash, ...call } of res.body.data as { id: string; callerHash: string | null }[]) {
    // The hash is salted per tenant: only whether there is one can match.
    expect(callerHash === null, call.id).toBe(call.id !== 'c1');
    const detail = await tenant.admin.get(`/v1/calls/${call.id}`);
    expect(detail.status, detail.text).toBe(200);
    calls.push({ call: rename(call), segments: rename(detail.body.segments) });
  }
  return calls.sort((a, b) => ((a.call as { id: string }).id < (b.call as { id: string }).id ? -1 : 1));
}

const QUEUE_METRICS =
  'offered,answered,abandoned,shortAbandons,flowedOut,serviceLevel,asa,avgAbandonTime,maxWait,avgTalkTime,avgHoldTime,avgAcw,aht,holdRate,inbound,outbound';
const AGENT_METRICS = 'handled,agentAht';

async function kpisOf(tenant: TestTenant, names: Map<string, string>, metrics: string, groupBy: string) {
  const res = await tenant.admin.get(
    `/v1/kpis?${new URLSearchParams({ metrics, from: iso(DAY), to: iso(DAY + 86_400_000), interval: 'hour', groupBy })}`,
  );
  expect(res.status, res.text).toBe(200);
  return JSON.parse(JSON.stringify(res.body.rows), (_k, v) => (typeof v === 'string' ? (names.get(v) ?? v) : v));
}

describe('POST /v1/imports', () => {
  it('imported rows give exactly the records and KPIs of the same calls sent as events; a re-import changes nothing', async () => {
    const imported = await createTenant();
    const sent = await createTenant();
    const a = await setUp(imported);
    const b = await setUp(sent);

    const key = await createKey(sent, { scopes: ['ingest'] });
    await sendEvents(key.client, sameCallsAsEvents());
    await settle(sent);

    const csv = `${HEADER}\r\n${CSV_ROWS.join('\r\n')}\r\n`;
    const res = await postImport(imported, csv, { id: 'imp_same-calls' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      id: 'imp_same-calls',
      status: 'completed',
      unknownKeys: 'reject',
      bytesRead: new TextEncoder().encode(csv).byteLength,
      rowsRead: 7,
      rowsImported: 7,
      rowsUnchanged: 0,
      rowsFailed: 0,
      problems: [],
      error: null,
    });
    await settle(imported);

    const calls = await callsOf(imported, a.names);
    expect(calls).toHaveLength(6);
    expect(calls).toEqual(await callsOf(sent, b.names));
    // Not vacuous: the records hold what the rows say.
    const c1 = calls[0] as { call: Record<string, unknown>; segments: Record<string, unknown>[] };
    expect(c1.call).toMatchObject({ id: 'c1', direction: 'inbound', callerMasked: '+420*******67' });
    expect(c1.call.handling).toMatchObject({ talkMs: 60_000, holdMs: 15_000, acwMs: 30_000 });
    expect(c1.segments).toEqual([expect.objectContaining({ agentId: 'ada', queueId: 'sales', talkMs: 60_000, holdCount: 1 })]);

    for (const [metrics, groupBy] of [
      [QUEUE_METRICS, 'queue,direction'],
      [AGENT_METRICS, 'agent'],
    ] as const) {
      const kpis = await kpisOf(imported, a.names, metrics, groupBy);
      type Cell = { metrics: Record<string, { numerator: number }> };
      const total = (id: string) => kpis.reduce((n: number, r: Cell) => n + (r.metrics[id]?.numerator ?? 0), 0);
      // 7 visits (the call in two queues counts in each), 4 calls handled by an agent.
      expect(metrics === QUEUE_METRICS ? total('offered') : total('handled')).toBe(metrics === QUEUE_METRICS ? 7 : 4);
      expect(kpis).toEqual(await kpisOf(sent, b.names, metrics, groupBy));
    }

    // Again, under another import id: every row is a repeat.
    const again = await postImport(imported, csv);
    expect(again.status, again.text).toBe(201);
    expect(again.body).toMatchObject({ rowsRead: 7, rowsImported: 0, rowsUnchanged: 7, rowsFailed: 0 });
    await settle(imported);
    expect(await callsOf(imported, a.names)).toEqual(calls);

    // The import is kept, and only its tenant sees it.
    const got = await imported.admin.get('/v1/imports/imp_same-calls');
    expect(got.status, got.text).toBe(200);
    expect(got.body).toEqual(res.body);
    expectProblem(await sent.admin.get('/v1/imports/imp_same-calls'), 404, 'NOT_FOUND');
    expectProblem(await postImport(imported, csv, { id: 'imp_same-calls' }), 409, 'CONFLICT');
  });

  it('reports each bad row with its line and column, and still imports the good ones', async () => {
    const tenant = await createTenant();
    const { names } = await setUp(tenant);
    const rows = [
      /* line 2 */ `ok1,,sales,,,,${prague(t(0))},${prague(t(5))},abandoned,,,,,,`,
      /* line 3 */ `bad-time,,sales,,,,2026-11-02 09:00,${prague(t(5))},abandoned,,,,,,`,
      /* line 4 */ `bad-key,,nowhere,,,,${prague(t(10))},${prague(t(15))},abandoned,,,,,,`,
      /* line 5 */ `bad-id,,que_00000000000000000000000000,,,,${prague(t(20))},${prague(t(25))},abandoned,,,,,,`,
      /* line 6 */ `bad-agent,,sales,,,,${prague(t(30))},${prague(t(35))},answered,carol,10,,,,`,
      /* line 7 */ `"bad"quote,,sales,,,,${prague(t(40))},${prague(t(45))},abandoned,,,,,,`,
      /* line 8 */ 'short,,sales',
      /* line 9 */ `ok2,,support,,,,${prague(t(50))},${prague(t(52))},answered,ada,30,,,,`,
      /* line 10 */ `two,,sales,,,,${prague(t(60))},${prague(t(55))},answerd,,,,,,`,
    ];
    const res = await postImport(tenant, `${HEADER}\n${rows.join('\n')}\n`);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ status: 'completed', rowsRead: 9, rowsImported: 2, rowsUnchanged: 0, rowsFailed: 7 });
    // In file order, whether found while reading or by the ingest path (a queue id not in the tenant, unknown keys).
    expect(res.body.problems).toEqual([
      {
        row: 3,
        column: 'enqueuedAt',
        problem: "'2026-11-02 09:00' is not an ISO-8601 instant with an offset (e.g. 2026-02-01T09:30:00+02:00).",
      },
      { row: 4, column: 'queue', problem: 'No queue has this external key (import with unknownKeys=create to create it).' },
      { row: 5, column: 'queue', problem: 'No queue with this id exists in this tenant.' },
      { row: 6, column: 'agent', problem: 'No agent has this external key (import with unknownKeys=create to create it).' },
      { row: 7, column: null, problem: 'Text after the closing quote of a field.' },
      { row: 8, column: null, problem: 'The row has 3 fields; the header has 15.' },
      {
        row: 10,
        column: 'outcome',
        problem: `'answerd' is not one of answered, abandoned, timeout, no_agents, exit_key, rejected_full, transferred, error, other, unknown.`,
      },
      { row: 10, column: 'leftAt', problem: 'Before enqueuedAt.' },
    ]);
    await settle(tenant);
    const calls = await callsOf(tenant, names);
    // The refused rows left nothing behind: not even the start of their call.
    expect(calls.map((c) => (c.call as { id: string }).id)).toEqual(['ok1', 'ok2']);
  });

  it('keeps the first 1,000 problems and counts the rest', async () => {
    const tenant = await createTenant();
    await setUp(tenant);
    const bad = Array.from({ length: 1002 }, (_, i) => `x${i},,sales`).join('\n');
    const good = `ok,,sales,,,,${prague(t(0))},${prague(t(5))},abandoned,,,,,,`;
    const res = await postImport(tenant, `${HEADER}\n${bad}\n${good}\n`);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ rowsRead: 1003, rowsImported: 1, rowsFailed: 1002, problemsTruncated: true });
    expect(res.body.problems).toHaveLength(1000);
    expect(res.body.problems[999]).toEqual({ row: 1001, column: null, problem: 'The row has 3 fields; the header has 15.' });
  });

  it('unknownKeys=create makes the queues and agents a file names', async () => {
    const tenant = await createTenant();
    const res = await postImport(
      tenant,
      `rowKey,queue,enqueuedAt,leftAt,outcome,agent,talkSeconds\nk1,PS,${prague(t(0))},${prague(t(9))},answered,DORIT,166\n`,
      { unknownKeys: 'create' },
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ rowsImported: 1, rowsFailed: 0, unknownKeys: 'create' });
    await settle(tenant);
    const queues = await tenant.admin.get('/v1/queues');
    expect(queues.body.data.map((q: { name: string }) => q.name)).toEqual(['generic:PS']);
    const call = await tenant.admin.get('/v1/calls/k1');
    expect(call.body).toMatchObject({ handling: { talkMs: 166_000 }, visits: [{ waitMs: 9000, outcome: 'answered' }] });
  });

  it('shows its progress while the body streams in', async () => {
    IMPORT_LIMITS.batchEvents = 4; // one abandoned row per ingest batch
    const tenant = await createTenant();
    await setUp(tenant);
    const encoder = new TextEncoder();
    let push: (s: string | null) => void = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (s) => (s === null ? controller.close() : controller.enqueue(encoder.encode(s)));
      },
    });
    const row = (i: number) => `p${i},,sales,,,,${prague(t(i * 10))},${prague(t(i * 10 + 4))},abandoned,,,,,,\n`;
    const posting = worker.fetch(
      new Request('http://callboard.test/v1/imports?id=imp_progress', {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.adminKey}`, 'Content-Type': 'text/csv' },
        body: stream,
        // @ts-expect-error: see postImport
        duplex: 'half',
      }),
    );
    push(`${HEADER}\n${row(1)}${row(2)}${row(3)}`);
    let seen: { status: string; rowsRead: number; rowsImported: number } | undefined;
    for (let i = 0; i < 100 && !(seen && seen.rowsImported >= 3); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await tenant.admin.get('/v1/imports/imp_progress');
      if (res.status === 200) seen = res.body;
    }
    expect(seen).toMatchObject({ status: 'running', rowsRead: 3, rowsImported: 3 });
    push(row(4));
    push(null);
    const done = await posting;
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ status: 'completed', rowsRead: 4, rowsImported: 4 });
  });

  it('refuses what it cannot read: a wrong header (nothing imported), too large a body (413), too many rows (422)', async () => {
    const tenant = await createTenant();
    await setUp(tenant);
    const header = expectProblem(await postImport(tenant, 'rowKey,queue,enqueuedAt,leftAt,when\n'), 422, 'VALIDATION_FAILED');
    expect(header.errors).toEqual([
      { in: 'body', pointer: '/header/when', detail: "Unknown column 'when'." },
      { in: 'body', pointer: '/header/outcome', detail: "Required column 'outcome' is missing." },
    ]);
    expectProblem(await postImport(tenant, ''), 422, 'VALIDATION_FAILED');
    // Bytes that are not UTF-8 stop the import where they are.
    const latin1 = await worker.fetch(
      new Request('http://callboard.test/v1/imports?id=imp_latin1', {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.adminKey}`, 'Content-Type': 'text/csv' },
        body: new Uint8Array([...new TextEncoder().encode(`${HEADER}\nk,,sales,,Zo`), 0xeb, 0x0a]),
      }),
    );
    expect(latin1.status).toBe(422);
    expect((await tenant.admin.get('/v1/imports/imp_latin1')).body).toMatchObject({
      status: 'failed',
      rowsRead: 0,
      error: { code: 'VALIDATION_FAILED', detail: 'The body is not UTF-8 (at data row 1 or just after it).' },
    });

    const row = (i: number) => `l${i},,sales,,,,${prague(t(i * 10))},${prague(t(i * 10 + 4))},abandoned,,,,,,\n`;
    IMPORT_LIMITS.rows = 2;
    IMPORT_LIMITS.batchEvents = 1000;
    const many = expectProblem(
      await postImport(tenant, [HEADER, '\n', row(1), row(2), row(3), row(4)], { id: 'imp_rows' }),
      422,
      'TOO_MANY_ROWS',
    );
    expect(many.detail).toContain('at most 2 rows; the rows after line 3 were not read');
    // The rows before the limit are in, and the import says where it stopped.
    expect((await tenant.admin.get('/v1/imports/imp_rows')).body).toMatchObject({
      status: 'failed',
      rowsRead: 2,
      rowsImported: 2,
      error: { code: 'TOO_MANY_ROWS' },
    });

    Object.assign(IMPORT_LIMITS, defaults);
    IMPORT_LIMITS.bytes = HEADER.length + 1 + row(5).length;
    const big = expectProblem(
      await postImport(tenant, [`${HEADER}\n`, row(5), row(6)], { id: 'imp_bytes' }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(big.detail).toContain(`at most ${IMPORT_LIMITS.bytes} bytes`);
    expect((await tenant.admin.get('/v1/imports/imp_bytes')).body).toMatchObject({
      status: 'failed',
      rowsRead: 1,
      rowsImported: 1,
      bytesRead: IMPORT_LIMITS.bytes,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    // A declared length over the limit is refused before anything is read or recorded.
    const declared = await worker.fetch(
      new Request('http://callboard.test/v1/imports?id=imp_declared', {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.adminKey}`, 'Content-Type': 'text/csv' },
        body: `${HEADER}\n${row(7)}${row(8)}`,
      }),
    );
    expect(declared.status).toBe(413);
    expect((await tenant.admin.get('/v1/imports/imp_declared')).status).toBe(404);
  });
});
