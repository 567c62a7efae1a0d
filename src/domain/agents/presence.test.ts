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
