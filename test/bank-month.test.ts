/// <reference types="vite/client" />
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createTenant, type TestTenant } from './factories';
import { settle } from './helpers/ingest';

/**
 * The real month (docs/imports.md): the "Anonymous Bank" call center, February 1999, imported through
 * `POST /v1/imports`, gives per day and per queue type the figures an independent computation straight
 * from the TSV gives (below, sharing no code with Callboard). The data set is not in the repository: it
 * is looked for in `shared/data/` next to the checkout (or next to the worktrees' folder); without it
 * this test is skipped.
 */
const files = import.meta.glob(
  ['../../shared/data/anonymous-bank-1999-02.tsv', '../../../shared/data/anonymous-bank-1999-02.tsv'],
  { query: '?raw', import: 'default' },
);
const load = Object.values(files)[0] as (() => Promise<string>) | undefined;

const worker = (exports as unknown as { default: { fetch: (req: Request) => Promise<Response> } }).default;

interface Visit {
  type: string;
  /** Local (Israel) date of the join, and of the agent's connect. */
  day: string;
  connectDay: string;
  waitS: number;
  outcome: 'answered' | 'abandoned';
  agent: string | null;
  talkS: number;
  csv: string;
}

const secondsOf = (time: string) => time.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
/** yymmdd + days → YYYY-MM-DD. */
function dayOf(date: string, addDays: number): string {
  const d = new Date(Date.UTC(1900 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)) + addDays));
  return d.toISOString().slice(0, 10);
}
/** A time of a call: on the day of its VRU entry, or the next when more than 12 hours before it (midnight). */
const rollover = (vruEntry: string, time: string) => (secondsOf(time) < secondsOf(vruEntry) - 12 * 3600 ? 1 : 0);
const pad = (n: number) => String(n).padStart(2, '0');
const instant = (day: string, time: string) => {
  const [h, m, s] = time.split(':').map(Number);
  return `${day}T${pad(h as number)}:${pad(m as number)}:${pad(s as number)}+02:00`;
};

/** Every call that entered a queue or was served (phantoms left out): 31,125 visits. */
function visitsOf(tsv: string): Visit[] {
  const lines = tsv.split('\n').map((l) => l.replace(/\r$/, ''));
  const names = (lines[0] ?? '').split('\t');
  const col = (name: string) => names.indexOf(name);
  const out: Visit[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const f = line.split('\t');
    const get = (name: string) => f[col(name)] as string;
    const outcome = get('outcome');
    const queued = get('q_start') !== '0:00:00';
    if (outcome === 'PHANTOM' || !(queued || outcome === 'AGENT')) continue;
    const vru = get('vru_entry');
    const join = queued ? get('q_start') : get('ser_start');
    const leave = queued ? get('q_exit') : join;
    const day = dayOf(get('date'), rollover(vru, join));
    const connectDay = dayOf(get('date'), rollover(vru, leave));
    const answered = outcome === 'AGENT';
    const agent = answered && get('server') !== 'NO_SERVER' ? get('server') : null;
    const startDay = dayOf(get('date'), 0);
    // A clock skew of seconds may put the queue before the VRU entry: the call started by then.
    const [started] = [instant(startDay, vru), instant(day, join)].sort();
    const v: Visit = {
      type: get('type'),
      day,
      connectDay,
      waitS: queued ? Number(get('q_time')) : 0,
      outcome: answered ? 'answered' : 'abandoned',
      agent,
      talkS: agent ? Number(get('ser_time')) : 0,
      csv: '',
    };
    v.csv = [
      `${get('vru+line')}-${get('call_id')}`,
      v.type,
      started,
      instant(day, join),
      instant(connectDay, leave),
      v.outcome,
      agent ?? '',
      agent ? String(v.talkS) : '',
    ].join(',');
    out.push(v);
  }
  return out;
}

const T = 20;
const SHORT = 5;

/** The expected cells, computed from the visits alone. */
function expected(visits: Visit[]) {
  const cells = new Map<string, Record<string, [number, number | null]>>();
  const cell = (day: string, type: string) => {
    const key = `${day}|${type}`;
    let c = cells.get(key);
    if (!c) {
      c = {
        offered: [0, null],
        answered: [0, null],
        abandoned: [0, null],
        shortAbandons: [0, null],
        serviceLevel: [0, 0],
        asa: [0, 0],
        avgAbandonTime: [0, 0],
        avgTalkTime: [0, 0],
      };
      cells.set(key, c);
    }
    return c;
  };
  const add = (pair: [number, number | null], n: number, d = 0) => {
    pair[0] += n;
    if (pair[1] !== null) pair[1] += d;
  };
  for (const v of visits) {
    const c = cell(v.day, v.type);
    add(c.offered as [number, null], 1);
    if (v.outcome === 'answered') {
      add(c.answered as [number, null], 1);
      add(c.asa as [number, number], v.waitS * 1000, 1);
      add(c.serviceLevel as [number, number], v.waitS <= T ? 1 : 0, 1);
      if (v.agent) add(cell(v.connectDay, v.type).avgTalkTime as [number, number], v.talkS * 1000, 1);
    } else {
      const short = v.waitS <= SHORT;
      add(c.abandoned as [number, null], 1);
      add(c.shortAbandons as [number, null], short ? 1 : 0);
      add(c.avgAbandonTime as [number, number], v.waitS * 1000, 1);
      // Abandons are in the denominator, short ones left out; an abandon is never met.
      if (!short) add(c.serviceLevel as [number, number], 0, 1);
    }
  }
  return cells;
}

describe.skipIf(!load)('the real month, imported', () => {
  it('gives per day and queue type the offered, answered, abandoned, short abandons, SL, ASA, abandon and talk times of the TSV', async () => {
    const visits = visitsOf(await (load as () => Promise<string>)());
    expect(visits).toHaveLength(31_125);
    const tenant: TestTenant = await createTenant();

    // Streamed in 64 KiB chunks, queues (the call types) and agents created from their keys.
    const csv = `rowKey,queue,startedAt,enqueuedAt,leftAt,outcome,agent,talkSeconds\n${visits.map((v) => v.csv).join('\n')}\n`;
    const bytes = new TextEncoder().encode(csv);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + 65_536));
        offset += 65_536;
      },
    });
    const res = await worker.fetch(
      new Request('http://callboard.test/v1/imports?unknownKeys=create', {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.adminKey}`, 'Content-Type': 'text/csv' },
        body,
        // @ts-expect-error: a streamed request body
        duplex: 'half',
      }),
    );
    const result = await res.json<Record<string, unknown>>();
    expect(res.status, JSON.stringify(result).slice(0, 500)).toBe(201);
    expect(result).toMatchObject({ status: 'completed', rowsRead: 31_125, rowsImported: 31_125, rowsFailed: 0 });
    await settle(tenant, 240_000);

    const queues = await tenant.admin.get('/v1/queues?limit=200');
    const typeOf = new Map<string, string>(
      queues.body.data.map((q: { id: string; name: string }) => [q.id, q.name.replace(/^generic:/, '')]),
    );
    const metrics = 'offered,answered,abandoned,shortAbandons,serviceLevel,asa,avgAbandonTime,avgTalkTime';
    const kpis = await tenant.admin.get(
      `/v1/kpis?${new URLSearchParams({
        metrics,
        from: '1999-02-01T00:00:00+02:00',
        to: '1999-03-01T00:00:00+02:00',
        interval: 'day',
        groupBy: 'queue',
        timeZone: 'Asia/Jerusalem',
        'serviceLevel.thresholdSeconds': String(T),
        'serviceLevel.shortAbandonSeconds': String(SHORT),
        'serviceLevel.abandonsInDenominator': 'true',
        'serviceLevel.excludeShortAbandons': 'true',
        'serviceLevel.flowOutsInDenominator': 'true',
        'serviceLevel.abandonsWithinThresholdMet': 'false',
      })}`,
    );
    expect(kpis.status, kpis.text.slice(0, 500)).toBe(200);

    const want = expected(visits);
    const got = new Map<string, Record<string, [number, number | null]>>();
    for (const row of kpis.body.rows as {
      start: string;
      group: { queueId: string };
      metrics: Record<string, { numerator: number; denominator: number | null }>;
    }[]) {
      // A day starts at 00:00 +02:00, i.e. 22:00 UTC the day before.
      const day = new Date(Date.parse(row.start) + 2 * 3_600_000).toISOString().slice(0, 10);
      const pairs = Object.fromEntries(
        metrics.split(',').map((m) => [m, [row.metrics[m]?.numerator ?? 0, row.metrics[m]?.denominator ?? null]]),
      ) as Record<string, [number, number | null]>;
      // Days without a visit of that type are zeros: compare only what either side has.
      if (pairs.offered?.[0] === 0 && !want.has(`${day}|${typeOf.get(row.group.queueId)}`)) continue;
      got.set(`${day}|${typeOf.get(row.group.queueId)}`, pairs);
    }
    // Calls of 28 February answered after midnight talk on 1 March, outside the range.
    for (const key of [...want.keys()]) if (key.startsWith('1999-03-')) want.delete(key);
    expect(got.size).toBe(want.size);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  }, 600_000);
});
