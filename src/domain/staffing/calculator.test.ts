import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { eachInterval, erlangAInterval, erlangCInterval, requiredAgents } from './calculator';

/** Within the contract's bounds (src/contracts/staffing.ts), loads under and over the agents alike. */
const question = fc
  .record({
    agents: fc.integer({ min: 1, max: 200 }),
    loadOverAgents: fc.double({ min: 0, max: 2, noNaN: true }),
    intervalSeconds: fc.constantFrom(900, 1800, 3600),
    ahtSeconds: fc.double({ min: 10, max: 1200, noNaN: true }),
    targetSeconds: fc.integer({ min: 0, max: 600 }),
    patienceSeconds: fc.double({ min: 5, max: 1800, noNaN: true }),
  })
  .map(({ agents, loadOverAgents, intervalSeconds, ahtSeconds, targetSeconds, patienceSeconds }) => ({
    agents,
    intervalSeconds,
    ahtSeconds,
    targetSeconds,
    patienceSeconds,
    arrivals: (agents * loadOverAgents * intervalSeconds) / ahtSeconds,
  }));

const probabilities = (o: Record<string, unknown>) =>
  ['pWait', 'pAbandon', 'serviceLevel', 'occupancy'].flatMap((k) => (typeof o[k] === 'number' ? [o[k] as number] : []));

describe('the staffing calculator', () => {
  it('every answer survives JSON unchanged (no NaN, no infinity: an unstable queue has null means) and its probabilities are in [0, 1]', () => {
    fc.assert(
      fc.property(question, (q) => {
        for (const answer of [erlangCInterval(q), erlangAInterval(q)]) {
          expect(JSON.parse(JSON.stringify(answer))).toEqual(answer);
          for (const p of probabilities(answer)) {
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(1);
          }
        }
        const c = erlangCInterval(q);
        expect(c.stable).toBe(c.erlangs < q.agents);
        if (!c.stable) expect([c.asaSeconds, c.meanDelaySeconds, c.expectedQueueLength]).toEqual([null, null, null]);
      }),
      { numRuns: 60 },
    );
  });

  it('required agents meet the targets, one fewer misses the ones named in limitedBy, and shrinkage only adds', () => {
    fc.assert(
      fc.property(
        question,
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.constantFrom<'erlang-c' | 'erlang-a'>('erlang-c', 'erlang-a'),
        (q, targetServiceLevel, shrinkage, model) => {
          const r = requiredAgents({ ...q, targetServiceLevel, shrinkage, model, maxOccupancy: 0.9 });
          expect(r.serviceLevel).toBeGreaterThanOrEqual(targetServiceLevel);
          expect(r.occupancy).toBeLessThanOrEqual(0.9);
          expect(r.scheduledAgents).toBeGreaterThanOrEqual(r.agents);
          expect(r.scheduledAgents * (1 - shrinkage)).toBeGreaterThanOrEqual(r.agents - 1e-9);
          if (r.agents > 1) {
            expect(r.limitedBy.length).toBeGreaterThan(0);
            const fewer =
              model === 'erlang-a'
                ? erlangAInterval({ ...q, agents: r.agents - 1 })
                : erlangCInterval({ ...q, agents: r.agents - 1 });
            if (r.limitedBy.includes('serviceLevel')) expect(fewer.serviceLevel).toBeLessThan(targetServiceLevel);
            if (r.limitedBy.includes('occupancy')) expect(fewer.occupancy).toBeGreaterThan(0.9);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a refusal inside a batch points into the interval it came from', () => {
    const fine = { arrivals: 100, intervalSeconds: 1800, ahtSeconds: 180, agents: 14, targetSeconds: 20, patienceSeconds: 300 };
    const swamped = { ...fine, arrivals: 1_000_000, intervalSeconds: 900, ahtSeconds: 9, agents: 1, patienceSeconds: 3600 };
    try {
      eachInterval([fine, fine, swamped], erlangAInterval);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).extra.issues?.map((i) => i.pointer)).toEqual(['/intervals/2/patienceSeconds']);
    }
  });
});
