import { describe, expect, it } from 'vitest';
import type { Call } from '../../contracts/calls';
import { CALL_CSV_COLUMNS, callCsvLines } from './csv';

const base: Call = {
  id: 'call-1',
  direction: 'inbound',
  callerMasked: '+420 6** *** 567',
  callerHash: 'h',
  startedAt: '2026-11-02T09:00:00.000Z',
  endedAt: '2026-11-02T09:02:12.000Z',
  firstEventAt: '2026-11-02T09:00:00.000Z',
  lastEventAt: '2026-11-02T09:02:42.000Z',
  hangupCause: 'normal_clearing',
  endedBy: 'customer',
  disposition: { resolved: true, code: 'billing, refund', at: '2026-11-02T09:02:42.000Z' },
  survey: { score: 5, scaleMin: 1, scaleMax: 5, at: '2026-11-02T09:03:00.000Z' },
  enqueuedAt: '2026-11-02T09:00:02.000Z',
  outcome: 'answered',
  transfers: 1,
  handling: {
    agentIds: ['agt_a', 'agt_b'],
    segments: 2,
    talkMs: 100_000,
    holdMs: 15_000,
    holdCount: 1,
    acwMs: 30_000,
    handleMs: 145_000,
    inProgress: false,
  },
  visits: [
    {
      id: 'v1',
      queueId: 'que_sales',
      enqueuedAt: '2026-11-02T09:00:02.000Z',
      enqueuedAtSource: 'provider',
      leftAt: '2026-11-02T09:00:12.000Z',
      outcome: 'transferred',
      closedBy: 'event',
      waitMs: 10_000,
      agentId: null,
      answeredAt: null,
    },
    {
      id: 'v2',
      queueId: 'que_support',
      enqueuedAt: '2026-11-02T09:00:12.000Z',
      enqueuedAtSource: 'provider',
      leftAt: '2026-11-02T09:00:20.000Z',
      outcome: 'answered',
      closedBy: 'event',
      waitMs: 8_000,
      agentId: 'agt_a',
      answeredAt: '2026-11-02T09:00:20.000Z',
    },
  ],
};

const unqueued: Call = {
  ...base,
  id: 'call-2',
  direction: null,
  callerMasked: null,
  disposition: null,
  survey: null,
  enqueuedAt: null,
  outcome: null,
  transfers: 0,
  handling: { agentIds: [], segments: 0, talkMs: null, holdMs: 0, holdCount: 0, acwMs: null, handleMs: null, inProgress: false },
  visits: [],
};

async function collect(pages: Call[][]) {
  const lines: string[] = [];
  for await (const line of callCsvLines(
    (async function* () {
      yield* pages;
    })(),
  ))
    lines.push(line);
  return lines;
}

describe('calls as CSV', () => {
  it('a header, then one line per call over all pages, in order', async () => {
    const lines = await collect([[base], [], [unqueued]]);
    expect(lines[0]).toBe(
      'id,direction,callerMasked,firstEventAt,startedAt,endedAt,enqueuedAt,queueIds,visits,waitMs,outcome,agentIds,segments,' +
        'talkMs,holdMs,holdCount,acwMs,handleMs,transfers,inProgress,hangupCause,endedBy,dispositionCode,resolved,' +
        'surveyScore,surveyScaleMax\r\n',
    );
    expect(lines).toHaveLength(3);
    // The masked caller starts with + (defused); the disposition code holds a comma (quoted); waits sum over the visits.
    expect(lines[1]).toBe(
      "call-1,inbound,'+420 6** *** 567,2026-11-02T09:00:00.000Z,2026-11-02T09:00:00.000Z,2026-11-02T09:02:12.000Z," +
        '2026-11-02T09:00:02.000Z,que_sales;que_support,2,18000,answered,agt_a;agt_b,2,100000,15000,1,30000,145000,1,false,' +
        'normal_clearing,customer,"billing, refund",true,5,5\r\n',
    );
    // A call that never queued nor reached an agent: empty fields, not zeros, where nothing was measured.
    expect(lines[2]).toBe(
      'call-2,,,2026-11-02T09:00:00.000Z,2026-11-02T09:00:00.000Z,2026-11-02T09:02:12.000Z,,,0,,,,0,,0,0,,,0,false,' +
        'normal_clearing,customer,,,,\r\n',
    );
  });

  it('a queue visited twice is listed once; a visit still waiting adds no wait', async () => {
    const again: Call = {
      ...base,
      visits: [
        { ...(base.visits[0] as Call['visits'][number]), queueId: 'que_sales' },
        { ...(base.visits[1] as Call['visits'][number]), queueId: 'que_sales', waitMs: null, outcome: null },
      ],
    };
    const row = (await collect([[again]]))[1] as string;
    const cells = row.split(',');
    const at = (name: string) => cells[CALL_CSV_COLUMNS.findIndex((c) => c.name === name)];
    expect(at('queueIds')).toBe('que_sales');
    expect(at('visits')).toBe('2');
    expect(at('waitMs')).toBe('10000');
  });
});
