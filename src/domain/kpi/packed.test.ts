import { describe, expect, it } from 'vitest';
import { emptyFacts, factsFromRecords } from './facts';
import { packFacts, unpackFacts } from './packed';
import { interaction, interval, MIN, prng, segment, T0, visit } from './test-records';

describe('packed facts', () => {
  it('drop zeros and empty branches, and unpack to exactly the facts built', () => {
    const r = prng(7);
    const visits = Array.from({ length: 40 }, () =>
      visit(r.pick(['answered', 'abandoned', 'timeout', null] as const), r.int(0, 90_000), {
        enqueuedAt: T0 + r.int(0, 3) * 15 * MIN,
      }),
    );
    const cells = factsFromRecords(
      {
        visits,
        segments: [
          segment({ holdMs: 5_000, holdCount: 1 }),
          segment({ connectedAt: T0 + 20 * MIN, disconnectedAt: null, talkMs: null }),
        ],
        intervals: [interval('away', T0, T0 + 50 * MIN, { reason: 'lunch' }), interval('available', T0 + 50 * MIN, null)],
        interactions: visits.map((v) =>
          interaction(v.interactionId, {
            survey: r.bool() ? { score: r.int(1, 5), scaleMin: 1, scaleMax: 5, at: v.enqueuedAt } : null,
          }),
        ),
      },
      { asOf: T0 + 60 * MIN },
    );
    expect(cells.length).toBeGreaterThan(4);
    for (const c of cells) {
      const packed = packFacts(c.facts);
      expect(unpackFacts(JSON.parse(JSON.stringify(packed)))).toEqual(c.facts);
      expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(c.facts).length);
    }
  });

  it('empty facts pack to nothing', () => {
    expect(packFacts(emptyFacts())).toEqual({});
    expect(unpackFacts({})).toEqual(emptyFacts());
  });

  it('keep what is not zero, even deep in a histogram', () => {
    const f = emptyFacts();
    f.visits.byOutcome.answered.bySecond['20'] = 3;
    f.states.breaksByReason.lunch = { n: 1, ms: 0 };
    expect(packFacts(f)).toEqual({
      visits: { byOutcome: { answered: { bySecond: { '20': 3 } } } },
      states: { breaksByReason: { lunch: { n: 1, ms: 0 } } },
    });
    expect(unpackFacts(packFacts(f))).toEqual(f);
  });
});
