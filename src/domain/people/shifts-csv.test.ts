import { describe, expect, it } from 'vitest';
import { csvPointer, readShiftsCsv } from './shifts-csv';

const HEADER = 'shiftId,agent,start,end,activity,activityStart,activityEnd';

describe('shifts CSV', () => {
  it('gathers the rows of a shift wherever they are, and remembers where each value came from', () => {
    const { shifts, problems } = readShiftsCsv(
      [
        HEADER,
        'a,agt_1,,,lunch,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z',
        'b,agt_2,2026-03-02T12:00:00Z,2026-03-02T20:00:00Z,,,',
        'a,,2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,break,2026-03-02T14:00:00Z,2026-03-02T14:15:00Z',
      ].join('\n'),
      500,
    );
    expect(problems).toEqual([]);
    expect(shifts.map((s) => [s.id, s.agent, s.start, s.activities.map((a) => a.type)])).toEqual([
      ['a', 'agt_1', '2026-03-02T08:00:00Z', ['lunch', 'break']],
      ['b', 'agt_2', '2026-03-02T12:00:00Z', []],
    ]);
    const a = shifts[0];
    if (!a) throw new Error('no shift');
    expect(a.lines).toEqual({ id: 2, agent: 2, start: 4, end: 4 });
    expect(csvPointer(a, ['agentId'])).toBe('/rows/2/agent');
    expect(csvPointer(a, ['end'])).toBe('/rows/4/end');
    expect(csvPointer(a, ['activities', 1, 'start'])).toBe('/rows/4/activityStart');
    expect(csvPointer(a, ['activities', 0])).toBe('/rows/2');
    expect(csvPointer(a, ['id'])).toBe('/rows/2/shiftId');
  });

  it('stops at the shift past the limit and at a header that is not this format', () => {
    const rows = [HEADER, 'a,x,,,,,', 'b,x,,,,,', 'a,x,,,,,', 'c,x,,,,,'].join('\n');
    expect(readShiftsCsv(rows, 2).problems).toEqual([{ pointer: '/rows/5/shiftId', detail: 'At most 2 shifts per request.' }]);
    expect(readShiftsCsv('shiftId,agent,start,end,end\n', 2).problems.map((p) => p.pointer)).toEqual(['/header/end']);
  });
});
