// The "Anonymous Bank" month (one TSV row per call, see the data set's README), read the one way both of its
// scripts need (scripts/bank-to-import-csv.mjs, scripts/bank-forecast-fixture.mjs): the calls that entered a queue
// or were served, phantom calls left out, with the instants of their queue visit. Times are Israeli wall-clock
// times: February 1999 was standard time, +02:00.
import fs from 'node:fs';
import readline from 'node:readline';

/** The centre's offset from UTC all month, in ms. */
const OFFSET_MS = 2 * 3_600_000;

export const seconds = (time) => time.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

/** The instant (epoch ms) of a wall-clock time on a row's date (yymmdd) plus `addDays`. */
export function instant(date, time, addDays = 0) {
  const y = 1900 + Number(date.slice(0, 2)) + (Number(date.slice(0, 2)) < 50 ? 100 : 0);
  return Date.UTC(y, Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)) + addDays) + seconds(time) * 1000 - OFFSET_MS;
}

/**
 * `later` on the day of `earlier`, or the next one when the clock went past midnight (a time more than 12 hours
 * before `earlier`: the source has a few clock skews of seconds, which are not a new day).
 */
export const after = (date, earlier, later) => instant(date, later, seconds(later) < seconds(earlier) - 12 * 3600 ? 1 : 0);

/**
 * Each call that queued or was served: `get(column)`, and its visit — joined at q_start and left at q_exit when it
 * queued, else joined and left at ser_start (a wait of 0) — as epoch ms.
 */
export async function* bankVisits(file) {
  let header = null;
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
    const enqueuedAt = after(date, get('vru_entry'), queued ? get('q_start') : get('ser_start'));
    const leftAt = queued ? after(date, get('vru_entry'), get('q_exit')) : enqueuedAt;
    yield { get, outcome, date, enqueuedAt, leftAt };
  }
}
