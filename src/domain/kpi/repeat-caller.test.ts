import { describe, expect, it } from 'vitest';
import { explainRepeatCaller, judgeRepeatCaller, type RepeatCallerCall } from './repeat-caller';

const H = 3_600_000;
const call = (endAt: number | null, nextCallAt: number | null): RepeatCallerCall => ({
  interactionId: 'i1',
  queueId: 'q1',
  agentId: 'a1',
  connectedAt: 0,
  endAt,
  nextCallAt,
  direction: 'inbound',
});

describe('judgeRepeatCaller (72 h window, now = 100 h)', () => {
  const W = 72 * H;
  const NOW = 100 * H;
  it.each([
    ['called again 24 h after the end', call(0, 24 * H), 'repeated'],
    ['called again exactly at the end of the window', call(0, 72 * H), 'repeated'],
    ['called again 1 ms after the window', call(0, 72 * H + 1), 'resolved'],
    ['never called again, window closed', call(0, null), 'resolved'],
    ['never called again yet, window still open', call(50 * H, null), 'pending'],
    ['called again within a window still open', call(50 * H, 60 * H), 'repeated'],
    ['the call goes on', call(null, null), 'pending'],
    ['window closes exactly now', call(28 * H, null), 'resolved'],
  ] as const)('%s', (_name, c, verdict) => {
    expect(judgeRepeatCaller(c, W, NOW)).toBe(verdict);
  });
});

describe('explainRepeatCaller (72 h window, now = 100 h)', () => {
  const W = 72 * H;
  const NOW = 100 * H;
  it.each([
    [call(0, 24 * H), { inNumerator: false, inDenominator: true }, 'called again 24 h after it ended, within 72 h: repeated'],
    [call(0, null), { inNumerator: true, inDenominator: true }, 'no call from the caller within 72 h after it ended: resolved'],
    [call(0, 73.5 * H), { inNumerator: true, inDenominator: true }, '(next call 73.5 h after it ended): resolved'],
    [call(50 * H, null), { inNumerator: false, inDenominator: false }, 'window is open until 1970-01-06T02:00:00.000Z: pending'],
    [call(null, null), { inNumerator: false, inDenominator: false }, 'still going on: pending'],
  ] as const)('%j', (c, flags, reason) => {
    const d = explainRepeatCaller(c, W, NOW);
    expect(d).toMatchObject({ ...flags, numerator: flags.inNumerator ? 1 : 0, denominator: flags.inDenominator ? 1 : 0 });
    expect(d.reason).toContain(reason);
    // The same verdict as the one reports count.
    const verdict = judgeRepeatCaller(c, W, NOW);
    expect(verdict === 'resolved' ? [true, true] : verdict === 'repeated' ? [false, true] : [false, false]).toEqual([
      d.inNumerator,
      d.inDenominator,
    ]);
  });
});
