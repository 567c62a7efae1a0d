import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ev } from '../calls/test-events';
import type { NormalizedEvent } from '../events/normalized';
import { projectPresence } from './presence';

const A = 'agt_ada';
const change = (at: number, state: 'available' | 'busy' | 'away' | 'offline', reason?: string) =>
  ev('agent.state_changed', at, {
    agentId: A,
    interactionId: null,
    attrs: { state, ...(reason ? { reason } : {}) },
  }) as NormalizedEvent<'agent.state_changed'>;

describe('projectPresence', () => {
  const day = [change(0, 'available'), change(60_000, 'away', 'lunch'), change(90_000, 'available'), change(200_000, 'offline')];

  it('each change starts an interval the next one ends', () => {
    expect(projectPresence(A, day).map((i) => [i.state, i.reason, i.startedAt, i.endedAt])).toEqual([
      ['available', null, 0, 60_000],
      ['away', 'lunch', 60_000, 90_000],
      ['available', null, 90_000, 200_000],
      ['offline', null, 200_000, null],
    ]);
  });

  // Wazo logs AGENTCALLBACKLOGOFF and then UNPAUSEALL, often in the same second.
  const unpause = (at: number) =>
    ev('agent.state_changed', at, {
      id: `unpause@${at}`,
      agentId: A,
      interactionId: null,
      attrs: { state: 'available', unpause: true },
    }) as NormalizedEvent<'agent.state_changed'>;

  it('an unpause ends a pause but never logs an offline agent in, whatever the order within the instant', () => {
    const logoff = [change(0, 'available'), change(10_000, 'away', 'lunch'), change(50_000, 'offline')];
    for (const events of [
      [...logoff, unpause(50_000)],
      [unpause(50_000), ...logoff],
    ]) {
      expect(projectPresence(A, events).map((i) => [i.state, i.reason, i.startedAt, i.endedAt])).toEqual([
        ['available', null, 0, 10_000],
        ['away', 'lunch', 10_000, 50_000],
        ['offline', null, 50_000, 50_000],
        ['offline', null, 50_000, null],
      ]);
    }
    const later = projectPresence(A, [...logoff, unpause(70_000), change(90_000, 'available')]);
    expect(later.map((i) => [i.state, i.startedAt, i.endedAt])).toEqual([
      ['available', 0, 10_000],
      ['away', 10_000, 50_000],
      ['offline', 50_000, 70_000],
      ['offline', 70_000, 90_000],
      ['available', 90_000, null],
    ]);
    // A pause ended: available again.
    expect(projectPresence(A, [change(0, 'away', 'lunch'), unpause(30_000)]).map((i) => i.state)).toEqual(['away', 'available']);
  });

  it('late and repeated changes give the same intervals, with stable ids (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(day, { minLength: day.length, maxLength: day.length }),
        fc.array(fc.constantFrom(...day)),
        (s, r) => {
          expect(projectPresence(A, [...s, ...r])).toEqual(projectPresence(A, day));
        },
      ),
    );
  });
});
