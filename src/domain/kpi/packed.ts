import { QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';
import { type CellFacts, emptyFacts, MAX_THRESHOLD_SECONDS, OVER_MAX_SLOT } from './facts';

/**
 * Cell facts as stored in a rollup row. Everything but the wait histograms is the facts tree without its zero
 * leaves and empty branches (most of a cell is zeros: a queue's 15 minutes see a few outcomes, an agent's a few
 * states). The wait histograms are kept apart, as two integer arrays Postgres can search:
 *
 * - `waitKeys`: sorted, one per non-empty histogram slot, `WAIT_OUTCOME_CODE[outcome] * WAIT_KEY_STRIDE + slot`;
 * - `waitTotals`: the running total of visits up to and including each key, across outcomes.
 *
 * So "visits of outcome o that waited at most T seconds" is `total(o, T) − total(o, −1)`, where `total(o, x)` is
 * the running total at the last key ≤ `code(o) * STRIDE + x` — a binary search (`width_bucket` in SQL). A query
 * asks Postgres for those totals at its policy's thresholds only (`waitProbeKeys`), instead of reading every
 * slot: exact for the thresholds asked, whatever the histograms hold (src/services/kpis/cell-source.ts).
 * `unpackCell` restores the full facts, so what is stored is exactly what `factsFromRecords` built.
 */
export type PackedFacts = Record<string, unknown>;

export interface PackedCell {
  facts: PackedFacts;
  waitKeys: number[];
  waitTotals: number[];
}

/** Each outcome's code in wait keys. Stored in rollup rows: never renumber, only add. */
export const WAIT_OUTCOME_CODE: Readonly<Record<QueueOutcome, number>> = {
  answered: 0,
  abandoned: 1,
  timeout: 2,
  no_agents: 3,
  exit_key: 4,
  rejected_full: 5,
  transferred: 6,
  error: 7,
  other: 8,
  unknown: 9,
};
/** Keys of one outcome span [code × stride, code × stride + OVER_MAX_SLOT]: the stride exceeds every slot. */
export const WAIT_KEY_STRIDE = 4096;

export function packCell(facts: CellFacts): PackedCell {
  const waitKeys: number[] = [];
  const waitTotals: number[] = [];
  let total = 0;
  const outcomes = (Object.keys(WAIT_OUTCOME_CODE) as QueueOutcome[]).sort((a, b) => WAIT_OUTCOME_CODE[a] - WAIT_OUTCOME_CODE[b]);
  for (const o of outcomes) {
    const h = facts.visits.byOutcome[o].bySecond;
    const slots = Object.keys(h)
      .map(Number)
      .sort((a, b) => a - b);
    for (const slot of slots) {
      const n = h[slot] as number;
      if (n === 0) continue;
      total += n;
      waitKeys.push(WAIT_OUTCOME_CODE[o] * WAIT_KEY_STRIDE + slot);
      waitTotals.push(total);
    }
  }
  const tree = prune(facts, emptyFacts()) ?? {};
  return { facts: tree as PackedFacts, waitKeys, waitTotals };
}

/**
 * Drops the zeros of the fixed shape (`template`, the empty facts), branches left empty and the wait histograms
 * (stored apart); entries of the other open-ended maps (reasons, scores) are kept as they are, zeros included.
 */
function prune(value: unknown, template: unknown): unknown {
  if (template === undefined) return value;
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'bySecond') continue;
    const p = prune(v, (template as Record<string, unknown>)[k]);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The full facts of a stored cell (missing leaves are zeros; histograms from the wait arrays). */
export function unpackCell(cell: PackedCell): CellFacts {
  const facts = unpackTree(cell.facts);
  const codes = outcomeOfCode();
  let before = 0;
  cell.waitKeys.forEach((key, i) => {
    const total = cell.waitTotals[i] as number;
    const o = codes[Math.floor(key / WAIT_KEY_STRIDE)];
    const slot = key % WAIT_KEY_STRIDE;
    if (o === undefined || slot > OVER_MAX_SLOT) throw new RangeError(`wait key ${key} names no outcome and slot`);
    facts.visits.byOutcome[o].bySecond[slot] = total - before;
    before = total;
  });
  return facts;
}

/** What a query needs of the wait histograms: visits of these outcomes within these whole seconds. */
export interface WaitProbe {
  outcomes: readonly QueueOutcome[];
  /** Whole seconds 0..3600. */
  thresholds: readonly number[];
}

/**
 * The keys to look running totals up at, in the order `unpackProbed` reads them: per outcome, each threshold.
 * (The running total before an outcome's first key needs no lookup: it is the timed visits of the outcomes
 * coded before it, each timed visit having one histogram slot.)
 */
export function waitProbeKeys(probe: WaitProbe): number[] {
  const thresholds = sortedThresholds(probe);
  return probe.outcomes.flatMap((o) => thresholds.map((t) => WAIT_OUTCOME_CODE[o] * WAIT_KEY_STRIDE + t));
}

/**
 * Facts from a stored cell's tree and the running totals at `waitProbeKeys(probe)` (0 where no key is ≤ the
 * probe). Each probed outcome's histogram is coarsened to the probe's thresholds — one slot per threshold
 * holding the visits above the previous one, and the slot above 3,600 s the rest of the timed visits — so
 * every count within a probed threshold is exact; other outcomes' histograms are left empty.
 */
export function unpackProbed(tree: PackedFacts, probe: WaitProbe, totals: readonly number[]): CellFacts {
  return probedUnpacker(probe).unpack(tree, totals);
}

/**
 * `unpackProbed` for many cells of one probe (the probe's work done once), and `addTo`, which adds a stored
 * cell's facts straight into an accumulator — the same sums as unpacking then merging (packed.test.ts), without
 * building the cell's facts: a month by hour merges ~60,000 rows.
 */
export function probedUnpacker(probe: WaitProbe) {
  const thresholds = sortedThresholds(probe);
  // Per probed outcome, the outcomes coded before it: their timed visits are the running total before its keys.
  const plan = probe.outcomes.map((o) => ({
    o,
    earlier: QUEUE_OUTCOMES.filter((x) => WAIT_OUTCOME_CODE[x] < WAIT_OUTCOME_CODE[o]),
  }));
  /** Adds the coarse histograms of one row into `acc`, given each outcome's timed visits in that row. */
  const addHistograms = (acc: CellFacts, timedOf: (o: QueueOutcome) => number, totals: readonly number[]) => {
    let i = 0;
    for (const { o, earlier } of plan) {
      let base = 0;
      for (const x of earlier) base += timedOf(x);
      const into = acc.visits.byOutcome[o].bySecond;
      let before = 0;
      for (const t of thresholds) {
        const within = (totals[i++] as number) - base;
        if (within > before) into[t] = (into[t] ?? 0) + (within - before);
        before = within;
      }
      const timed = timedOf(o);
      if (timed > before) into[OVER_MAX_SLOT] = (into[OVER_MAX_SLOT] ?? 0) + (timed - before);
    }
  };
  return {
    unpack(tree: PackedFacts, totals: readonly number[]): CellFacts {
      const facts = unpackTree(tree);
      const byOutcome = facts.visits.byOutcome;
      addHistograms(facts, (o) => byOutcome[o].timed, totals);
      return facts;
    },
    addTo(acc: CellFacts, tree: PackedFacts, totals: readonly number[]): void {
      const p = tree as Tree;
      const v = branch(p.visits);
      const o = branch(v.byOutcome);
      addHistograms(acc, (name) => num(branch(o[name]).timed), totals);
      acc.visits.waiting += num(v.waiting);
      for (const name in o) {
        const w = branch(o[name]);
        const x = acc.visits.byOutcome[name as QueueOutcome];
        if (!x) throw new RangeError(`stored facts name no outcome ${name}`);
        x.n += num(w.n);
        x.timed += num(w.timed);
        x.sumMs += num(w.sumMs);
        x.maxMs = Math.max(x.maxMs, num(w.maxMs));
      }
      addNumbers(acc.visits.byDirection, v.byDirection);
      addNumbers(acc.segments, p.segments);
      addNumbers(acc.quality, p.quality);
      addNumbers(acc.states, p.states);
    },
  };
}

/** Adds every number of a packed branch into the same place of `into` (maps of reasons and scores created as needed). */
function addNumbers(into: object, from: Tree | number | undefined): void {
  if (typeof from !== 'object' || from === null) return;
  const target = into as Record<string, unknown>;
  for (const k in from) {
    const v = from[k];
    if (typeof v === 'number') target[k] = ((target[k] as number | undefined) ?? 0) + v;
    else if (typeof v === 'object' && v !== null) {
      if (typeof target[k] !== 'object' || target[k] === null) target[k] = {};
      addNumbers(target[k] as object, v);
    }
  }
}

function sortedThresholds(probe: WaitProbe): number[] {
  for (const t of probe.thresholds) {
    if (!Number.isInteger(t) || t < 0 || t > MAX_THRESHOLD_SECONDS) throw new RangeError(`threshold ${t} is not 0..3600 s`);
  }
  return [...new Set(probe.thresholds)].sort((a, b) => a - b);
}

let codes: QueueOutcome[] | undefined;
function outcomeOfCode(): QueueOutcome[] {
  if (!codes) {
    codes = [];
    for (const [o, code] of Object.entries(WAIT_OUTCOME_CODE)) codes[code] = o as QueueOutcome;
  }
  return codes;
}

type Tree = { [k: string]: Tree | number | undefined };
const num = (x: Tree | number | undefined) => (typeof x === 'number' ? x : 0);
const branch = (x: Tree | number | undefined): Tree => (typeof x === 'object' && x !== null ? x : {});
const counts = (x: Tree | number | undefined): Record<string, number> => ({ ...(branch(x) as Record<string, number>) });

/**
 * The full facts tree of a packed one (missing leaves are zeros), built in one pass: a report unpacks every
 * cell it reads. Mirrors `emptyFacts` field for field (packed.test.ts checks the round trip on random facts).
 */
function unpackTree(packed: PackedFacts): CellFacts {
  const p = packed as Tree;
  const v = branch(p.visits);
  const o = branch(v.byOutcome);
  const byOutcome = {} as CellFacts['visits']['byOutcome'];
  for (const name of QUEUE_OUTCOMES) {
    const w = branch(o[name]);
    byOutcome[name] = { n: num(w.n), timed: num(w.timed), sumMs: num(w.sumMs), maxMs: num(w.maxMs), bySecond: {} };
  }
  const direction = (x: Tree | number | undefined) => {
    const d = branch(x);
    return { inbound: num(d.inbound), outbound: num(d.outbound), unknown: num(d.unknown) };
  };
  const g = branch(p.segments);
  const q = branch(p.quality);
  const st = branch(p.states);
  const ms = branch(st.ms);
  const breaks: Record<string, { n: number; ms: number }> = {};
  const b = branch(st.breaksByReason);
  for (const reason in b) {
    const x = branch(b[reason]);
    breaks[reason] = { n: num(x.n), ms: num(x.ms) };
  }
  return {
    visits: { waiting: num(v.waiting), byOutcome, byDirection: direction(v.byDirection) },
    segments: {
      connected: num(g.connected),
      handled: num(g.handled),
      talkMs: num(g.talkMs),
      holdMs: num(g.holdMs),
      holds: num(g.holds),
      withHold: num(g.withHold),
      acwMs: num(g.acwMs),
      withAcw: num(g.withAcw),
      acwPending: num(g.acwPending),
      transferred: num(g.transferred),
      byDirection: direction(g.byDirection),
    },
    quality: {
      dispositioned: num(q.dispositioned),
      resolved: num(q.resolved),
      dispositionsByCategory: counts(q.dispositionsByCategory),
      surveys: num(q.surveys),
      surveyScores: counts(q.surveyScores),
      ivrSessions: num(q.ivrSessions),
      ivrSelfServed: num(q.ivrSelfServed),
      outboundAttempts: num(q.outboundAttempts),
      outboundConnects: num(q.outboundConnects),
      outboundAbandoned: num(q.outboundAbandoned),
      outboundConnectsByCategory: counts(q.outboundConnectsByCategory),
      agentOutboundByCategory: counts(q.agentOutboundByCategory),
    },
    states: {
      ms: { available: num(ms.available), busy: num(ms.busy), wrapup: num(ms.wrapup), away: num(ms.away) },
      awayMsByReason: counts(st.awayMsByReason),
      breaksByReason: breaks,
      open: num(st.open),
    },
  };
}
