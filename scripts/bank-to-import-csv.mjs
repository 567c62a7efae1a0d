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
import fs from 'node:fs';
import readline from 'node:readline';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bank-to-import-csv.mjs <anonymous-bank.tsv> > out.csv');
  process.exit(2);
}

const OFFSET = '+02:00';
const pad = (n) => String(n).padStart(2, '0');
/** yymmdd + h:mm:ss (+ days) → ISO-8601 with the centre's offset. */
function instant(date, time, addDays = 0) {
  const y = 1900 + Number(date.slice(0, 2)) + (Number(date.slice(0, 2)) < 50 ? 100 : 0);
  const [h, m, s] = time.split(':').map(Number);
  const day = new Date(Date.UTC(y, Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)) + addDays));
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T${pad(h)}:${pad(m)}:${pad(s)}${OFFSET}`;
}
const seconds = (time) => time.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
/**
 * `later` on the day of `earlier`, or the next one when the clock went past midnight (a time more than
 * 12 hours before `earlier`: the source has a few clock skews of seconds, which are not a new day).
 */
const after = (date, earlier, later) => instant(date, later, seconds(later) < seconds(earlier) - 12 * 3600 ? 1 : 0);
const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const out = process.stdout;
out.write('rowKey,queue,caller,startedAt,enqueuedAt,leftAt,outcome,agent,talkSeconds\n');
let header = null;
let rows = 0;
for await (const raw of readline.createInterface({ input: fs.createReadStream(file) })) {
  const line = raw.replace(/\r$/, '');
  if (!line) continue;
  const f = line.split('\t');
  if (!header) {
    header = Object.fromEntries(f.map((name, i) => [name, i]));
    continue;
  }
  const get = (name) => f[header[name]];
  const outcome = get('outcome');
  const queued = get('q_start') !== '0:00:00';
  if (outcome === 'PHANTOM' || !(queued || outcome === 'AGENT')) continue;
  const date = get('date');
  const vruEntry = instant(date, get('vru_entry'));
  const joinTime = queued ? get('q_start') : get('ser_start');
  const enqueuedAt = after(date, get('vru_entry'), joinTime);
  const leftAt = queued ? after(date, get('vru_entry'), get('q_exit')) : enqueuedAt;
  // A clock skew may put the queue a few seconds before the VRU entry: the call started by then.
  const startedAt = Date.parse(vruEntry) <= Date.parse(enqueuedAt) ? vruEntry : enqueuedAt;
  const server = get('server');
  const answered = outcome === 'AGENT';
  const agent = answered && server !== 'NO_SERVER' ? server : '';
  const customer = get('customer_id');
  const record = [
    // A call id is unique per VRU line only.
    `bank-1999-02-${get('vru+line')}-${get('call_id')}`,
    get('type'),
    customer && customer !== '0' ? customer : '',
    startedAt,
    enqueuedAt,
    leftAt,
    answered ? 'answered' : 'abandoned',
    agent,
    agent ? String(Number(get('ser_time'))) : '',
  ];
  out.write(`${record.map(csvField).join(',')}\n`);
  rows += 1;
}
console.error(`${rows} rows`);
