import type { SegmentRecord, VisitRecord } from '../../domain/calls/records';
import type { CellFacts } from '../../domain/kpi/facts';
import { emptyFacts } from '../../domain/kpi/facts';
import { LIVE_WINDOWS_MINUTES, LiveFactsIndex, type LiveRecords } from '../../domain/kpi/live';
import { startOfLocalDay } from '../../domain/time/zones';

const MINUTE_MS = 60_000;
const LONGEST_WINDOW_MS = Math.max(...LIVE_WINDOWS_MINUTES) * MINUTE_MS;

/** The facts the live view computes its KPIs from: today in the tenant's zone, and each rolling window. */
export interface LiveFacts {
  date: string;
  dayStart: number;
  today: CellFacts;
  windows: { minutes: number; from: number; facts: CellFacts }[];
}

/** The live facts of a queue with no records (no storage yet). */
export function emptyLiveFacts(now: number, timeZone: string): LiveFacts {
  const { start: dayStart, date } = startOfLocalDay(now, timeZone);
  return {
    date,
    dayStart,
    today: emptyFacts(),
    windows: LIVE_WINDOWS_MINUTES.map((minutes) => ({ minutes, from: now - minutes * MINUTE_MS, facts: emptyFacts() })),
  };
}

/**
 * The queue's records of today and of the longest rolling window, indexed by 15-minute bucket in memory
 * (`LiveFactsIndex`). The projection says which interactions it wrote (`touched`, inside the storage
 * transaction); they are read again from storage at the next `read`, after the commit, so a rolled-back
 * batch leaves nothing behind. After an eviction the index is rebuilt from storage on first read.
 */
export class LiveKpis {
  private index = new LiveFactsIndex();
  /** Records counted from this instant on are in the index (null: not loaded). */
  private loadedFrom: number | null = null;
  private readonly dirty = new Set<string>();

  constructor(private readonly sql: SqlStorage) {}

  /** Interactions whose records were written (or forgotten): read again before the next read. */
  touched(interactionIds: Iterable<string>): void {
    if (this.loadedFrom === null) return;
    for (const id of interactionIds) this.dirty.add(id);
  }

  read(now: number, timeZone: string): LiveFacts {
    const { start: dayStart, date } = startOfLocalDay(now, timeZone);
    const since = Math.min(dayStart, now - LONGEST_WINDOW_MS);
    if (this.loadedFrom === null || since < this.loadedFrom) this.load(since);
    else {
      this.refresh();
      if (since > this.loadedFrom) {
        this.index.forgetBefore(since);
        this.loadedFrom = since;
      }
    }
    return {
      date,
      dayStart,
      today: this.index.facts(dayStart, Number.POSITIVE_INFINITY),
      windows: LIVE_WINDOWS_MINUTES.map((minutes) => {
        const from = now - minutes * MINUTE_MS;
        return { minutes, from, facts: this.index.facts(from, Number.POSITIVE_INFINITY) };
      }),
    };
  }

  /** Every interaction that may have records counted from `since` on (its last event is no earlier). */
  private load(since: number): void {
    this.index = new LiveFactsIndex();
    this.dirty.clear();
    const rows = this.sql.exec<RecordRow>(
      `SELECT interaction_id, kind, body FROM records
       WHERE kind IN ('visit', 'segment') AND interaction_id IN (SELECT id FROM interactions WHERE last_event_at >= ?)`,
      since,
    );
    for (const [id, records] of group(rows)) this.index.replace(id, records);
    this.loadedFrom = since;
  }

  private refresh(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    const rows = this.sql.exec<RecordRow>(
      `SELECT interaction_id, kind, body FROM records
       WHERE kind IN ('visit', 'segment') AND interaction_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(ids),
    );
    const found = group(rows);
    for (const id of ids) this.index.replace(id, found.get(id) ?? null);
  }
}

type RecordRow = { interaction_id: string; kind: 'visit' | 'segment'; body: string };

function group(rows: Iterable<RecordRow>): Map<string, LiveRecords> {
  const out = new Map<string, { visits: VisitRecord[]; segments: SegmentRecord[] }>();
  for (const r of rows) {
    let g = out.get(r.interaction_id);
    if (!g) {
      g = { visits: [], segments: [] };
      out.set(r.interaction_id, g);
    }
    if (r.kind === 'visit') g.visits.push(JSON.parse(r.body) as VisitRecord);
    else g.segments.push(JSON.parse(r.body) as SegmentRecord);
  }
  return out;
}
