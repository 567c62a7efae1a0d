import type { QueueOutcome } from '../events/event-types';
import type { CellFacts } from '../kpi/facts';
import { queueFacts } from '../kpi/live';
import { POLICY, segment, visit } from '../kpi/test-records';

export { POLICY };

/** Facts of visits given as [outcome, wait ms] and segments as talk ms, for alert tests. */
export function queueFacts_(visits: readonly (readonly [QueueOutcome, number])[], talks: readonly number[]): CellFacts {
  return queueFacts(
    visits.map(([o, w]) => visit(o, w)),
    talks.map((t) => segment({ talkMs: t })),
  );
}
