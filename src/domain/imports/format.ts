import { DIRECTIONS, type Direction, ENDED_BY, QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';
import { MAX_FUTURE_SKEW_MS } from '../events/normalized';
import type { WireEvent } from '../events/wire';
import { isStorableText } from '../text';

/**
 * The Callboard import format (docs/imports.md): one CSV row per queue visit. Each row becomes the
 * normalized events the same call would have produced, with ids derived from the row key, and goes
 * through the ordinary ingestion path: so an imported call gives exactly the records (and KPIs) the
 * same call sent as events gives, and importing a row again is a duplicate that changes nothing.
 */

export interface ImportColumn {
  name: string;
  required: boolean;
  description: string;
}

/** The columns, in the order the documentation lists them (a file may order them any way). */
export const IMPORT_COLUMNS = [
  {
    name: 'rowKey',
    required: true,
    description:
      'Your stable key for the row, unique in the tenant (printable ASCII, no spaces, at most 120 characters). Importing a row key again changes nothing.',
  },
  {
    name: 'interactionId',
    required: false,
    description: 'The call; rows of one call (a transfer) share it. Default: the row key.',
  },
  { name: 'queue', required: true, description: 'A queue id (`que_…`) or one of its external keys.' },
  { name: 'direction', required: false, description: '`inbound` (default) or `outbound`.' },
  { name: 'caller', required: false, description: "The caller's number; stored only as a salted hash and a masked form." },
  { name: 'startedAt', required: false, description: 'When the call started (before the queue: IVR). Default: `enqueuedAt`.' },
  { name: 'enqueuedAt', required: true, description: 'When the caller joined the queue.' },
  { name: 'leftAt', required: true, description: 'When the caller left the queue (answered, hung up, flowed out).' },
  { name: 'outcome', required: true, description: `How the visit ended: ${QUEUE_OUTCOMES.join(', ')}.` },
  {
    name: 'agent',
    required: false,
    description: 'The agent who answered (`agt_…` or an external key); only for `answered`. Their talk starts at `leftAt`.',
  },
  { name: 'talkSeconds', required: false, description: 'Talk time, seconds (up to 3 decimals). Required with `agent`.' },
  { name: 'holdSeconds', required: false, description: 'Time on hold, after the talk (one hold). Default 0.' },
  {
    name: 'acwSeconds',
    required: false,
    description: 'After-call work from the hang-up; empty: no wrap-up recorded (0 is a wrap-up of no time).',
  },
  {
    name: 'endedAt',
    required: false,
    description: "When the call ended; default the agent's hang-up (answered) or `leftAt`. Never before either.",
  },
  { name: 'endedBy', required: false, description: `Who hung up: ${ENDED_BY.join(', ')}.` },
] as const satisfies readonly ImportColumn[];

export type ColumnName = (typeof IMPORT_COLUMNS)[number]['name'];

export interface RowProblem {
  /** The physical line the record starts on (the header is line 1). */
  row: number;
  /** The column concerned, or null for the row as a whole. */
  column: string | null;
  problem: string;
}

/** One valid row, instants in epoch ms and durations in ms. */
export interface ImportRow {
  line: number;
  rowKey: string;
  interactionId: string;
  queue: Ref;
  direction: Direction;
  caller: string | null;
  startedAt: number;
  enqueuedAt: number;
  leftAt: number;
  outcome: QueueOutcome;
  agent: Ref | null;
  talkMs: number;
  holdMs: number;
  acwMs: number | null;
  endedAt: number;
  endedBy: (typeof ENDED_BY)[number] | null;
}

/** A queue or agent named by Callboard id or by an external key. */
export type Ref = { id: string } | { key: string };

/** Where each column is in the file's records. */
export type Header = Map<ColumnName, number>;

/** The header record: every column known, none twice, the required ones present. */
export function readHeader(fields: readonly string[]): { header: Header } | { problems: RowProblem[] } {
  const known = new Set<string>(IMPORT_COLUMNS.map((c) => c.name));
  const header: Header = new Map();
  const problems: RowProblem[] = [];
  fields.forEach((raw, index) => {
    const name = raw.trim();
    if (!known.has(name)) problems.push({ row: 1, column: name, problem: `Unknown column '${name.slice(0, 64)}'.` });
    else if (header.has(name as ColumnName)) problems.push({ row: 1, column: name, problem: `Column '${name}' appears twice.` });
    else header.set(name as ColumnName, index);
  });
  for (const c of IMPORT_COLUMNS) {
    if (c.required && !header.has(c.name))
      problems.push({ row: 1, column: c.name, problem: `Required column '${c.name}' is missing.` });
  }
  return problems.length > 0 ? { problems } : { header };
}

const ROW_KEY = /^[\x21-\x7e]{1,120}$/;
/** ISO-8601 with a date, a time and an offset (`Z` or ±hh:mm): a wall-clock time alone is ambiguous. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of an ISO-8601 instant with an offset, or NaN — also for a date that does not exist (`Date.parse` rolls 30 February over to March). */
export function parseInstant(text: string): number {
  const m = INSTANT.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  const valid =
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= daysInMonth &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (second as number) <= 59 &&
    (offH as number) <= 23 &&
    (offM as number) <= 59;
  return valid ? Date.parse(text) : Number.NaN;
}
const SECONDS = /^\d{1,9}(\.\d{1,3})?$/;
const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;
const CALLBOARD_ID = /^(que|agt)_/;

/** Reads one data record against the header: the row, or every problem found in it. */
export function readRow(
  line: number,
  fields: readonly string[],
  header: Header,
  now: number,
): { row: ImportRow } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const bad = (column: ColumnName | null, problem: string) => {
    problems.push({ row: line, column, problem });
    return null;
  };
  if (fields.length !== header.size) {
    bad(null, `The row has ${fields.length} fields; the header has ${header.size}.`);
    return { problems };
  }
  const get = (c: ColumnName) => {
    const i = header.get(c);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
  const text = (c: ColumnName, max = 200): string | null => {
    const v = get(c);
    if (v === '') return null;
    if (v.length > max) return bad(c, `At most ${max} characters.`);
    if (!isStorableText(v)) return bad(c, 'Holds U+0000 or a lone UTF-16 surrogate, which cannot be stored.');
    return v;
  };
  const instant = (c: ColumnName): number | null => {
    const v = get(c);
    if (v === '') return null;
    const ms = parseInstant(v);
    if (!Number.isFinite(ms))
      return bad(c, `'${v.slice(0, 40)}' is not an ISO-8601 instant with an offset (e.g. 2026-02-01T09:30:00+02:00).`);
    if (ms > now + MAX_FUTURE_SKEW_MS) return bad(c, 'In the future.');
    return ms;
  };
  const seconds = (c: ColumnName): number | null => {
    const v = get(c);
    if (v === '') return null;
    if (!SECONDS.test(v)) return bad(c, `'${v.slice(0, 40)}' is not a number of seconds (up to 3 decimals).`);
    const ms = Math.round(Number(v) * 1000);
    if (ms > MAX_DURATION_MS) return bad(c, 'At most 7 days.');
    return ms;
  };
  const ref = (c: ColumnName): Ref | null => {
    const v = text(c);
    if (v === null) return null;
    return CALLBOARD_ID.test(v) ? { id: v } : { key: v };
  };
  const oneOf = <T extends string>(c: ColumnName, values: readonly T[]): T | null => {
    const v = get(c);
    if (v === '') return null;
    if (!(values as readonly string[]).includes(v)) return bad(c, `'${v.slice(0, 40)}' is not one of ${values.join(', ')}.`);
    return v as T;
  };

  const rowKey = get('rowKey');
  if (rowKey === '') bad('rowKey', 'Required.');
  else if (!ROW_KEY.test(rowKey)) bad('rowKey', 'Printable ASCII without spaces, at most 120 characters.');
  const interactionId = text('interactionId', 120) ?? rowKey;
  const queue = ref('queue');
  if (get('queue') === '') bad('queue', 'Required.');
  const direction = oneOf('direction', DIRECTIONS) ?? 'inbound';
  const caller = text('caller', 64);
  const enqueuedAt = instant('enqueuedAt');
  if (get('enqueuedAt') === '') bad('enqueuedAt', 'Required.');
  const leftAt = instant('leftAt');
  if (get('leftAt') === '') bad('leftAt', 'Required.');
  const startedAt = instant('startedAt');
  const outcome = oneOf('outcome', QUEUE_OUTCOMES);
  if (get('outcome') === '') bad('outcome', 'Required.');
  const agent = ref('agent');
  const talkMs = seconds('talkSeconds');
  const holdMs = seconds('holdSeconds');
  const acwMs = seconds('acwSeconds');
  const endedAt = instant('endedAt');
  const endedBy = oneOf('endedBy', ENDED_BY);

  if (enqueuedAt !== null && leftAt !== null && leftAt < enqueuedAt) bad('leftAt', 'Before enqueuedAt.');
  if (startedAt !== null && enqueuedAt !== null && startedAt > enqueuedAt) bad('startedAt', 'After enqueuedAt.');
  if (outcome !== null && outcome !== 'answered') {
    if (agent !== null) bad('agent', `Only an answered visit has an agent (outcome is ${outcome}).`);
  }
  if (agent === null) {
    for (const c of ['talkSeconds', 'holdSeconds', 'acwSeconds'] as const) {
      if (get(c) !== '') bad(c, 'Needs an agent.');
    }
  } else if (get('talkSeconds') === '') bad('talkSeconds', 'Required with an agent.');
  const hangUp = leftAt === null ? null : agent ? leftAt + (talkMs ?? 0) + (holdMs ?? 0) : leftAt;
  if (endedAt !== null && hangUp !== null && endedAt < hangUp) {
    bad('endedAt', agent ? "Before the agent's hang-up (leftAt + talk + hold)." : 'Before leftAt.');
  }
  if (problems.length > 0 || enqueuedAt === null || leftAt === null || outcome === null || queue === null || hangUp === null) {
    return { problems };
  }
  return {
    row: {
      line,
      rowKey,
      interactionId,
      queue,
      direction,
      caller,
      startedAt: startedAt ?? enqueuedAt,
      enqueuedAt,
      leftAt,
      outcome,
      agent,
      talkMs: talkMs ?? 0,
      holdMs: holdMs ?? 0,
      acwMs,
      endedAt: endedAt ?? hangUp,
      endedBy,
    },
  };
}

/** The prefix of every imported event id: `imp:<rowKey>:<step>`. */
export const IMPORT_EVENT_PREFIX = 'imp:';

/**
 * The events the call of a row would have produced, in the order it would have sent them. Every event
 * names the row's queue (and its agent, if any): an unknown or archived queue or agent then rejects all
 * of the row's events, never some, and a call's rows in several queues each stay in their own queue.
 */
export function rowEvents(row: ImportRow): WireEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const refs: Record<string, string> = {};
  if ('id' in row.queue) refs.queueId = row.queue.id;
  else refs.queueKey = row.queue.key;
  if (row.agent) {
    if ('id' in row.agent) refs.agentId = row.agent.id;
    else refs.agentKey = row.agent.key;
  }
  const base = `${IMPORT_EVENT_PREFIX}${row.rowKey}:`;
  const event = (step: string, type: string, at: number, extra: Record<string, unknown> = {}) =>
    ({ id: base + step, type, occurredAt: iso(at), interactionId: row.interactionId, ...refs, ...extra }) as unknown as WireEvent;

  const out: WireEvent[] = [
    event('s', 'interaction.started', row.startedAt, { direction: row.direction, ...(row.caller ? { caller: row.caller } : {}) }),
    event('j', 'queue.joined', row.enqueuedAt),
    event('l', 'queue.left', row.leftAt, { attrs: { outcome: row.outcome } }),
  ];
  if (row.agent) {
    const hold = row.leftAt + row.talkMs;
    const hangUp = hold + row.holdMs;
    out.push(event('c', 'agent.connected', row.leftAt));
    if (row.holdMs > 0) out.push(event('hs', 'hold.started', hold), event('he', 'hold.ended', hangUp));
    out.push(event('d', 'agent.disconnected', hangUp, row.endedBy ? { attrs: { endedBy: row.endedBy } } : {}));
    if (row.acwMs !== null) {
      out.push(event('ws', 'wrapup.started', hangUp), event('we', 'wrapup.ended', hangUp + row.acwMs));
    }
  }
  out.push(event('e', 'interaction.ended', row.endedAt, row.endedBy ? { attrs: { endedBy: row.endedBy } } : {}));
  return out;
}
