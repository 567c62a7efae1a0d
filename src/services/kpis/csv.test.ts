import { describe, expect, it } from 'vitest';
import type { KpiResponse } from '../../contracts/kpis';
import { kpiCsvFilename, kpiCsvLines, requestedMetrics } from './csv';

const metric = (value: number | null, numerator: number, denominator: number | null, status = 'complete') => ({
  value,
  numerator,
  denominator,
  unit: 'count' as const,
  status: status as 'complete' | 'partial',
});

const report: KpiResponse = {
  timeZone: 'Europe/Prague',
  interval: 'day',
  from: '2026-11-01T23:00:00.000Z',
  to: '2026-11-03T23:00:00.000Z',
  groupBy: ['queue', 'direction'],
  rows: [
    {
      start: '2026-11-01T23:00:00.000Z',
      end: '2026-11-02T23:00:00.000Z',
      group: { queueId: 'que_1', direction: 'inbound' },
      metrics: { offered: metric(7, 7, null), serviceLevel: metric(2 / 6, 2, 6) },
    },
    {
      start: '2026-11-02T23:00:00.000Z',
      end: '2026-11-03T23:00:00.000Z',
      group: { queueId: '=cmd|calc', direction: null },
      metrics: { offered: metric(0, 0, null, 'partial'), serviceLevel: metric(null, 0, 0, 'partial') },
    },
  ],
};

describe('KPI report as CSV', () => {
  it('values: start, end, the group keys, one column per metric in the order asked', () => {
    expect([...kpiCsvLines(report, ['serviceLevel', 'offered'], 'values')]).toEqual([
      'start,end,queueId,direction,serviceLevel,offered\r\n',
      `2026-11-01T23:00:00.000Z,2026-11-02T23:00:00.000Z,que_1,inbound,${2 / 6},7\r\n`,
      // A null value is an empty field; a group value that starts a formula is defused.
      "2026-11-02T23:00:00.000Z,2026-11-03T23:00:00.000Z,'=cmd|calc,,,0\r\n",
    ]);
  });

  it('full: each metric followed by its numerator, denominator and status', () => {
    expect([...kpiCsvLines(report, ['offered', 'serviceLevel'], 'full')]).toEqual([
      'start,end,queueId,direction,offered,offered.numerator,offered.denominator,offered.status,' +
        'serviceLevel,serviceLevel.numerator,serviceLevel.denominator,serviceLevel.status\r\n',
      `2026-11-01T23:00:00.000Z,2026-11-02T23:00:00.000Z,que_1,inbound,7,7,,complete,${2 / 6},2,6,complete\r\n`,
      "2026-11-02T23:00:00.000Z,2026-11-03T23:00:00.000Z,'=cmd|calc,,0,0,,partial,,0,0,partial\r\n",
    ]);
  });

  it('a report without rows or groups still has its header', () => {
    const empty: KpiResponse = { ...report, groupBy: [], rows: [] };
    expect([...kpiCsvLines(empty, ['asa'], 'values')]).toEqual(['start,end,asa\r\n']);
  });

  it('metric ids from the request: trimmed, each once, in the order given', () => {
    expect(requestedMetrics(' asa, offered ,,asa,serviceLevel')).toEqual(['asa', 'offered', 'serviceLevel']);
  });

  it('the file is named after the interval and the range', () => {
    expect(kpiCsvFilename(report)).toBe('kpis-day-2026-11-01T2300-2026-11-03T2300.csv');
  });
});
