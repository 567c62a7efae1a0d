#!/usr/bin/env node
// Converts the "Anonymous Bank" month (one TSV row per call, see the data set's README) into the
// Callboard import format (docs/imports.md): one row per queue visit, for every call that entered a
// queue or was served, phantom calls left out. The data is not part of the repository: pass its path.
//
//   node scripts/bank-to-import-csv.mjs anonymous-bank-1999-02.tsv > bank.csv
//
// Row key: the VRU line and call id (a call id alone repeats across lines). Mapping: queue = the call type (PS, PE, IN, NE, NW, TT); startedAt = the VRU entry; a call that
// queued joined at q_start and left at q_exit; one served without queueing joined and left at
// ser_start (a wait of 0); outcome AGENT → answered (agent = server, talk = ser_time; NO_SERVER → no
// agent), HANG → abandoned. Times are Israeli wall-clock times: February 1999 was standard time, +02:00.
import { bankVisits, instant } from './lib/bank-month.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bank-to-import-csv.mjs <anonymous-bank.tsv> > out.csv');
  process.exit(2);
}

/** An instant as ISO-8601 with the centre's offset (+02:00 all month), as the import rows carry it. */
const local = (ms) => `${new Date(ms + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const out = process.stdout;
out.write('rowKey,queue,caller,startedAt,enqueuedAt,leftAt,outcome,agent,talkSeconds\n');
let rows = 0;
for await (const { get, outcome, date, enqueuedAt, leftAt } of bankVisits(file)) {
  // A clock skew may put the queue a few seconds before the VRU entry: the call started by then.
  const startedAt = Math.min(instant(date, get('vru_entry')), enqueuedAt);
  const server = get('server');
  const answered = outcome === 'AGENT';
  const agent = answered && server !== 'NO_SERVER' ? server : '';
  const customer = get('customer_id');
  const record = [
    // A call id is unique per VRU line only.
    `bank-1999-02-${get('vru+line')}-${get('call_id')}`,
    get('type'),
    customer && customer !== '0' ? customer : '',
    local(startedAt),
    local(enqueuedAt),
    local(leftAt),
    answered ? 'answered' : 'abandoned',
    agent,
    agent ? String(Number(get('ser_time'))) : '',
  ];
  out.write(`${record.map(csvField).join(',')}\n`);
  rows += 1;
}
console.error(`${rows} rows`);
