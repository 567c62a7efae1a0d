import { describe, expect, it } from 'vitest';
import type { StateInterval } from '../agents/presence';
import type { AgentState } from '../events/event-types';
import { DEFAULT_ATTENDANCE_POLICY as POLICY, type Shift, shiftAdherence, shiftAttendance } from './attendance';

const T = Date.UTC(2026, 0, 5, 8, 0); // the shift starts 08:00
const M = 60_000;
let n = 0;
const iv = (state: AgentState, from: number, to: number | null, reason: string | null = null): StateInterval => ({
  id: `i${++n}`,
  agentId: 'a1',
  state,
  reason,
  startedAt: T + from * M,
  endedAt: to === null ? null : T + to * M,
});
const shift: Shift = {
  id: 's1',
  agentId: 'a1',
  start: T,
  end: T + 480 * M,
  activities: [
    { type: 'break', start: T + 120 * M, end: T + 135 * M },
    { type: 'lunch', start: T + 240 * M, end: T + 270 * M },
  ],
};
const AFTER = T + 600 * M;

describe('attendance of a shift', () => {
  const cases: [string, StateInterval[], number, Partial<ReturnType<typeof shiftAttendance>>][] = [
    [
      'on time, all day',
      [iv('available', -10, 485)],
      AFTER,
      { status: 'attended', lateMinutes: 0, late: false, leftEarly: false },
    ],
    ['late within the grace', [iv('available', 4, 480)], AFTER, { lateMinutes: 4, late: false }],
    ['late beyond it', [iv('available', 12, 480)], AFTER, { lateMinutes: 12, late: true }],
    ['left 20 minutes early', [iv('available', 0, 460)], AFTER, { earlyLeaveMinutes: 20, leftEarly: true }],
    [
      'states back to back are one presence (away on a break, then busy)',
      [iv('available', -5, 120), iv('away', 120, 135, 'break'), iv('busy', 135, 479)],
      AFTER,
      { firstPresentAt: T - 5 * M, lastPresentAt: T + 479 * M, late: false, earlyLeaveMinutes: 1, leftEarly: false },
    ],
    ['never logged in', [iv('offline', 0, 480)], AFTER, { status: 'absent', firstPresentAt: null }],
    ['another day’s login is not this shift', [iv('available', -600, -300)], AFTER, { status: 'absent' }],
    ['before the start', [], T - 10 * M, { status: 'upcoming' }],
    [
      'still on shift: not leaving early yet',
      [iv('available', 2, null)],
      T + 60 * M,
      { status: 'in_progress', earlyLeaveMinutes: 0, leftEarly: false },
    ],
  ];
  for (const [name, intervals, now, expected] of cases) {
    it(name, () => expect(shiftAttendance(shift, intervals, POLICY, now)).toMatchObject(expected));
  }
});

describe('adherence and conformance', () => {
  it('time in the state the schedule asks for, with the exceptions; on-queue worked over scheduled', () => {
    const intervals = [
      iv('available', 0, 120),
      iv('busy', 120, 130), // the break began on a call: 10 minutes out of adherence
      iv('away', 130, 135, 'break'),
      iv('available', 135, 240),
      iv('away', 240, 280, 'lunch'), // 10 minutes' long lunch
      iv('available', 280, 500), // 20 minutes of overtime
    ];
    const a = shiftAdherence(shift, intervals, POLICY, AFTER);
    expect(a.scheduledMs).toBe(480 * M);
    expect(a.adherentMs).toBe((480 - 10 - 10) * M);
    expect(a.exceptions).toEqual([
      { start: T + 120 * M, end: T + 130 * M, scheduled: 'break', actual: 'busy' },
      { start: T + 270 * M, end: T + 280 * M, scheduled: 'on_queue', actual: 'away' },
    ]);
    expect(a.scheduledOnQueueMs).toBe((480 - 15 - 30) * M);
    // On queue: 0–130, 135–240, 280–500 = 130 + 105 + 220 = 455 minutes, against 435 scheduled: over 100 %.
    expect(a.workedOnQueueMs).toBe(455 * M);
  });

  it('as of now during the shift, only the time elapsed is scheduled; short exceptions are not listed but count', () => {
    const a = shiftAdherence(
      shift,
      [iv('available', 0, 30), iv('away', 30, 30.5), iv('available', 30.5, null)],
      POLICY,
      T + 60 * M,
    );
    expect(a.scheduledMs).toBe(60 * M);
    expect(a.adherentMs).toBe(59.5 * M);
    expect(a.exceptions).toEqual([]);
  });
});
