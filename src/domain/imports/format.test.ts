import { describe, expect, it } from 'vitest';
import { projectInteraction } from '../calls/project';
import { normalizeWireEvent } from '../events/normalized';
import { WireEventSchema } from '../events/wire';
import { readCsv } from './csv';
import { type Header, type ImportRow, readHeader, readRow, rowEvents } from './format';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const HEADER = 'rowKey,queue,enqueuedAt,leftAt,outcome,agent,talkSeconds,holdSeconds,acwSeconds,endedAt,startedAt,caller,endedBy';

function header(line = HEADER): Header {
  const read = readHeader(line.split(','));
  if ('problems' in read) throw new Error(JSON.stringify(read.problems));
  return read.header;
}

/** One data line read against HEADER. */
function row(line: string, h = header()) {
  const [record] = readCsv(line);
  if (!record) throw new Error('no record');
  return readRow(7, record.fields, h, NOW);
}

function ok(line: string): ImportRow {
  const r = row(line);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.row;
}

describe('readHeader', () => {
  it('takes the columns in any order', () => {
    const h = header('outcome,leftAt,enqueuedAt,queue,rowKey');
    expect(h.get('rowKey')).toBe(4);
    expect(h.get('outcome')).toBe(0);
  });
  it.each([
    ['rowKey,queue,enqueuedAt,leftAt', [{ row: 1, column: 'outcome', problem: "Required column 'outcome' is missing." }]],
    ['rowKey,queue,enqueuedAt,leftAt,outcome,wait', [{ row: 1, column: 'wait', problem: "Unknown column 'wait'." }]],
    ['rowKey,queue,enqueuedAt,leftAt,outcome,queue', [{ row: 1, column: 'queue', problem: "Column 'queue' appears twice." }]],
  ])('%s', (line, problems) => {
    expect(readHeader(line.split(','))).toEqual({ problems });
  });
});

describe('readRow', () => {
  it('reads a full answered row: instants to UTC ms, seconds to ms, defaults', () => {
    const r = ok(
      'k1,Sales,2026-02-01T09:00:00+02:00,2026-02-01T09:00:12.5+02:00,answered,ada,60,15.25,30,,,+420601234567,customer',
    );
    expect(r).toEqual({
      line: 7,
      rowKey: 'k1',
      interactionId: 'k1',
      queue: { key: 'Sales' },
      direction: 'inbound',
      caller: '+420601234567',
      startedAt: Date.parse('2026-02-01T07:00:00Z'),
      enqueuedAt: Date.parse('2026-02-01T07:00:00Z'),
      leftAt: Date.parse('2026-02-01T07:00:12.500Z'),
      outcome: 'answered',
      agent: { key: 'ada' },
      talkMs: 60_000,
      holdMs: 15_250,
      acwMs: 30_000,
      // The hang-up: left + talk + hold.
      endedAt: Date.parse('2026-02-01T07:00:12.500Z') + 75_250,
      endedBy: 'customer',
    });
  });

  it('takes 29 February of a leap year, offsets and fractions', () => {
    const r = ok('k1,Q,2024-02-29T23:59:59.999-05:30,2024-03-01T05:30:00Z,abandoned,,,,,,,,');
    expect(r.enqueuedAt).toBe(Date.UTC(2024, 2, 1, 5, 29, 59, 999));
    expect(r.leftAt - r.enqueuedAt).toBe(1);
  });

  it('tells Callboard ids from external keys', () => {
    const r = ok('k1,que_01abc,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,agt_01xyz,1,,,,,,');
    expect(r.queue).toEqual({ id: 'que_01abc' });
    expect(r.agent).toEqual({ id: 'agt_01xyz' });
    expect(r.acwMs).toBeNull();
  });

  it.each([
    ['a row key with a space', 'k 1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'rowKey'],
    ['no queue', 'k1,,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'queue'],
    ['an instant without offset', 'k1,Q,2026-02-01T09:00:00,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'enqueuedAt'],
    ['a date only', 'k1,Q,2026-02-01,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'enqueuedAt'],
    [
      'an impossible date (Date.parse would take it as 2 March)',
      'k1,Q,2026-02-01T09:00:00Z,2026-02-30T09:00:01Z,abandoned,,,,,,,,',
      'leftAt',
    ],
    ['29 February of a common year', 'k1,Q,2026-02-01T09:00:00Z,2026-02-29T09:00:01Z,abandoned,,,,,,,,', 'leftAt'],
    ['left before it joined', 'k1,Q,2026-02-01T09:00:02Z,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'leftAt'],
    ['an unknown outcome', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,hungup,,,,,,,,', 'outcome'],
    ['an agent on an abandon', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,ada,10,,,,,,', 'agent'],
    ['talk without an agent', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,,10,,,,,,', 'talkSeconds'],
    ['an agent without talk', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,,,,,,,', 'talkSeconds'],
    ['negative seconds', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,-1,,,,,,', 'talkSeconds'],
    ['four decimals', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,1.0001,,,,,,', 'talkSeconds'],
    ['more than 7 days', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,604801,,,,,,', 'talkSeconds'],
    [
      'ended before the hang-up',
      'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,10,,,2026-02-01T09:00:05Z,,,',
      'endedAt',
    ],
    [
      'started after the join',
      'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,2026-02-01T09:00:00.5Z,,',
      'startedAt',
    ],
    ['in the future', 'k1,Q,2026-11-29T11:00:00Z,2026-11-29T12:06:00Z,abandoned,,,,,,,,', 'leftAt'],
    ['an hour 24', 'k1,Q,2026-02-01T24:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'enqueuedAt'],
    ['an offset of 24 hours', 'k1,Q,2026-02-01T09:00:00+24:00,2026-02-01T09:00:01Z,abandoned,,,,,,,,', 'enqueuedAt'],
    ['an unknown endedBy', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,,,me', 'endedBy'],
    ['a NUL in the caller', 'k1,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,abandoned,,,,,,,a\u0000b,', 'caller'],
  ])('%s: a problem in %s', (_name, line, column) => {
    const r = row(line);
    expect('problems' in r && r.problems.map((p) => [p.row, p.column])).toEqual([[7, column]]);
  });

  it('a row with the wrong number of fields is one problem for the row', () => {
    expect(row('k1,Q,2026-02-01T09:00:00Z')).toEqual({
      problems: [{ row: 7, column: null, problem: 'The row has 3 fields; the header has 13.' }],
    });
  });

  it('reports every problem of a row, not only the first', () => {
    const r = row('k 1,,x,y,z,,,,,,,,');
    expect('problems' in r && r.problems.map((p) => p.column)).toEqual(['rowKey', 'queue', 'enqueuedAt', 'leftAt', 'outcome']);
  });
});

describe('rowEvents', () => {
  const normalize = (r: ImportRow) =>
    rowEvents(r).map((e) => {
      // Every event is a valid wire event, as `POST /v1/events` would take it.
      const parsed = WireEventSchema.parse(e);
      return normalizeWireEvent(parsed, { tenantId: 't', provider: 'generic', receivedAt: NOW, caller: null });
    });

  it('an answered row: ids from the row key; the projection is the call the row describes', () => {
    const r = ok(
      'k1,que_q,2026-02-01T09:00:00Z,2026-02-01T09:00:12Z,answered,agt_a,60,15,30,2026-02-01T09:02:00Z,2026-02-01T08:59:00Z,,',
    );
    const events = normalize(r);
    expect(events.map((e) => `${e.id} ${e.type}`)).toEqual([
      'imp:k1:s interaction.started',
      'imp:k1:j queue.joined',
      'imp:k1:l queue.left',
      'imp:k1:c agent.connected',
      'imp:k1:hs hold.started',
      'imp:k1:he hold.ended',
      'imp:k1:d agent.disconnected',
      'imp:k1:ws wrapup.started',
      'imp:k1:we wrapup.ended',
      'imp:k1:e interaction.ended',
    ]);
    const p = projectInteraction({ interactionId: 'k1', queueId: 'que_q', events });
    const t = (s: string) => Date.parse(`2026-02-01T${s}Z`);
    expect(p.visits).toEqual([
      expect.objectContaining({
        enqueuedAt: t('09:00:00'),
        leftAt: t('09:00:12'),
        waitMs: 12_000,
        outcome: 'answered',
        agentId: 'agt_a',
      }),
    ]);
    expect(p.segments).toEqual([
      expect.objectContaining({
        agentId: 'agt_a',
        connectedAt: t('09:00:12'),
        disconnectedAt: t('09:01:27'),
        talkMs: 60_000,
        holdMs: 15_000,
        holdCount: 1,
        acwMs: 30_000,
      }),
    ]);
    expect(p.interaction).toMatchObject({ startedAt: t('08:59:00'), endedAt: t('09:02:00'), direction: 'inbound' });
  });

  it('an abandoned row: start, join, leave, end; no agent', () => {
    const r = ok('k2,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:07Z,abandoned,,,,,,,,');
    const events = normalize(r);
    expect(events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined', 'queue.left', 'interaction.ended']);
    expect(events.every((e) => e.queueKey === 'Q' && e.agentKey === null)).toBe(true);
    const p = projectInteraction({ interactionId: 'k2', queueId: 'Q', events: events.map((e) => ({ ...e, queueId: 'Q' })) });
    expect(p.visits).toEqual([expect.objectContaining({ outcome: 'abandoned', waitMs: 7000, agentId: null })]);
    expect(p.segments).toEqual([]);
  });

  it('no hold events for no hold; a wrap-up of 0 s is still a wrap-up', () => {
    const r = ok('k3,Q,2026-02-01T09:00:00Z,2026-02-01T09:00:01Z,answered,ada,10,0,0,,,,');
    expect(rowEvents(r).map((e) => e.type)).toEqual([
      'interaction.started',
      'queue.joined',
      'queue.left',
      'agent.connected',
      'agent.disconnected',
      'wrapup.started',
      'wrapup.ended',
      'interaction.ended',
    ]);
  });
});
