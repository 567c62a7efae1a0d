import { describe, expect, it } from 'vitest';
import { judgeRepeatCaller, type RepeatCallerCall } from './repeat-caller';

const H = 3_600_000;
const call = (endAt: number | null, nextCallAt: number | null): RepeatCallerCall => ({
  interactionId: 'i1',
  queueId: 'q1',
  agentId: 'a1',
  connectedAt: 0,
  endAt,
  nextCallAt,
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
