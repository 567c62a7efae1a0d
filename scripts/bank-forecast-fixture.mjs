#!/usr/bin/env node
// Derives the forecasting fixture (test/fixtures/bank-1999-02-buckets.tsv) from the "Anonymous Bank" month, once:
// per queue (the call type) and per 15-minute bucket of February 1999, the visits offered (counted where they joined
// the queue), the agent segments handled and their handle seconds (counted where the agent connected), which is what
// the KPI rollups hold for the same month imported by scripts/bank-to-import-csv.mjs (same mapping: phantom calls
// and calls that neither queued nor were served left out; talk = ser_time, no hold or wrap-up in the data set).
// The data set is not part of the repository: pass its path.
//
//   node scripts/bank-forecast-fixture.mjs anonymous-bank-1999-02.tsv > test/fixtures/bank-1999-02-buckets.tsv
//
// A line per queue and series: one number per bucket from 1999-02-01T00:00+02:00 (Israel was on standard time all month), with a
// run of k > 1 zeros written as -k to keep the file small (decoded by test/fixtures/bank-buckets.ts).
import { bankVisits } from './lib/bank-month.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bank-forecast-fixture.mjs <anonymous-bank.tsv> > test/fixtures/bank-1999-02-buckets.tsv');
  process.exit(2);
}

const FROM = Date.parse('1999-02-01T00:00:00+02:00');
const BUCKETS = 28 * 96;
const bucketOf = (at) => Math.floor((at - FROM) / 900_000);

const queues = new Map();
const queue = (type) => {
  let q = queues.get(type);
  if (!q) {
    q = { offered: new Array(BUCKETS).fill(0), handled: new Array(BUCKETS).fill(0), handleSeconds: new Array(BUCKETS).fill(0) };
    queues.set(type, q);
  }
  return q;
};
let outside = 0;
for await (const { get, outcome, enqueuedAt, leftAt } of bankVisits(file)) {
  const q = queue(get('type'));
  const b = bucketOf(enqueuedAt);
  if (b < 0 || b >= BUCKETS) {
    outside += 1;
    continue;
  }
  q.offered[b] += 1;
  if (outcome === 'AGENT' && get('server') !== 'NO_SERVER') {
    const c = bucketOf(leftAt);
    if (c >= 0 && c < BUCKETS) {
      q.handled[c] += 1;
      q.handleSeconds[c] += Number(get('ser_time'));
    }
  }
}

/** Runs of k > 1 zeros as -k. */
function pack(values) {
  const out = [];
  let zeros = 0;
  const flush = () => {
    if (zeros === 1) out.push(0);
    else if (zeros > 1) out.push(-zeros);
    zeros = 0;
  };
  for (const v of values) {
    if (v === 0) zeros += 1;
    else {
      flush();
      out.push(v);
    }
  }
  flush();
  return out;
}

const names = [...queues.keys()].sort();
const lines = [
  '# anonymous-bank-1999-02.tsv (sha256 4004237dcb32355816e9bf98b9a61401ec4ded56c5c66c4a51d3e78f9802cf46), by scripts/bank-forecast-fixture.mjs',
  '# zone Asia/Jerusalem; 2688 buckets of 15 minutes from 1999-02-01T00:00:00+02:00; a run of k > 1 zeros is -k',
  'queue\tseries\tvalues',
  ...names.flatMap((name) =>
    ['offered', 'handled', 'handleSeconds'].map((k) => `${name}\t${k}\t${pack(queues.get(name)[k]).join(',')}`),
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
console.error(`${names.length} queues, ${outside} visits outside the month left out`);
