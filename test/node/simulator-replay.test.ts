import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importMapping, moveFacts, readImportFile, replayFacts } from '../../scripts/lib/sim/replay.mjs';
import { readHeader, readRow, rowEvents } from '../../src/domain/imports/format';

// `npm run simulate -- --replay file.csv` sends a file in the import format as the events the import
// would make of it: the Worker's own mapping (src/domain/imports/), bundled by esbuild at run time.

const CSV = `rowKey,interactionId,queue,caller,startedAt,enqueuedAt,leftAt,outcome,agent,talkSeconds,holdSeconds,acwSeconds
c-1001,c-1001,sales,+420 601 234 567,2026-02-01T09:00:00+01:00,2026-02-01T09:00:02+01:00,2026-02-01T09:00:14+01:00,answered,ada,60,15,30
c-1002,c-1002,sales,,,2026-02-01T09:05:00+01:00,2026-02-01T09:05:40+01:00,abandoned,,,,
t-7-a,t-7,sales,,,2026-02-01T09:10:00+01:00,2026-02-01T09:10:20+01:00,timeout,,,,
t-7-b,t-7,support,,,2026-02-01T09:10:20+01:00,2026-02-01T09:10:30+01:00,answered,bob,50,,5
bad,bad,sales,,,2026-02-01T09:20:00+01:00,2026-02-01T09:19:00+01:00,answered,,,,
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callboard-replay-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'history.csv');
fs.writeFileSync(file, CSV);

describe('replaying an import file', () => {
  it('makes the events the import makes, in time order, with the import ids at the file’s own times', async () => {
    const m = await importMapping();
    const { rows, problems } = await readImportFile(file, Date.now());
    expect(rows).toHaveLength(4);
    expect(problems).toEqual([{ row: 6, column: 'leftAt', problem: 'Before enqueuedAt.' }]);

    // The same events as the TypeScript source makes of the same rows.
    const lines = CSV.trim().split('\n');
    const header = readHeader((lines[0] as string).split(','));
    if (!('header' in header)) throw new Error('header');
    const expected = lines.slice(1, 5).flatMap((line, i) => {
      const read = readRow(i + 2, line.split(','), header.header, Date.now());
      if (!('row' in read)) throw new Error(`row ${i + 2}`);
      return rowEvents(read.row);
    });
    const facts = replayFacts(rows, m);
    expect(facts.map((f) => f.event).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      [...expected].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(facts.every((f, i) => i === 0 || f.at >= (facts[i - 1]?.at as number))).toBe(true);
    expect(facts[0]?.t).toBe(0);
    expect(facts[0]?.event.id).toBe('imp:c-1001:s');
    expect(facts.at(-1)?.t).toBe(Date.parse('2026-02-01T09:11:25+01:00') - Date.parse('2026-02-01T09:00:00+01:00'));
  });

  it('moved in time, sends other calls: ids and interactions carry the run’s tag', async () => {
    const m = await importMapping();
    const { rows } = await readImportFile(file, Date.now());
    const facts = replayFacts(rows, m);
    const shiftMs = Date.parse('2026-11-30T08:00:00Z') - (facts[0]?.at as number);
    const moved = moveFacts(facts, { shiftMs, tag: 'r1-abc', prefix: m.IMPORT_EVENT_PREFIX });
    expect(moved[0]?.event).toMatchObject({
      id: 'sim-r1-abc:c-1001:s',
      interactionId: 'sim-r1-abc:c-1001',
      occurredAt: '2026-11-30T08:00:00.000Z',
    });
    expect(moved.map((f) => f.t)).toEqual(facts.map((f) => f.t));
    expect(moved.map((f) => Date.parse(f.event.occurredAt) - f.at)).toEqual(moved.map(() => 0));
    expect(new Set(moved.map((f) => f.event.interactionId))).toEqual(
      new Set(['sim-r1-abc:c-1001', 'sim-r1-abc:c-1002', 'sim-r1-abc:t-7']),
    );
  });
});
