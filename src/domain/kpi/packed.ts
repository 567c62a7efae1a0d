import { type CellFacts, emptyFacts } from './facts';

/**
 * Cell facts as stored in a rollup row: the same tree without its zero leaves and empty branches (most of a
 * cell is zeros: a queue's 15 minutes see a few outcomes, an agent's a few states). `unpackFacts` restores the
 * full shape, so what is stored is exactly what `factsFromRecords` built.
 */
export type PackedFacts = Record<string, unknown>;

export function packFacts(facts: CellFacts): PackedFacts {
  return (prune(facts, emptyFacts()) ?? {}) as PackedFacts;
}

/**
 * Drops the zeros of the fixed shape (`template`, the empty facts) and branches left empty; entries of the
 * open-ended maps (histograms, reasons, scores) are kept as they are, zeros included.
 */
function prune(value: unknown, template: unknown): unknown {
  if (template === undefined) return value;
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = prune(v, (template as Record<string, unknown>)[k]);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The full facts of a packed row (missing leaves are zeros). */
export function unpackFacts(packed: PackedFacts): CellFacts {
  const facts = emptyFacts();
  fill(facts as unknown as Record<string, unknown>, packed);
  return facts;
}

function fill(target: Record<string, unknown>, packed: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(packed)) {
    if (v !== null && typeof v === 'object') {
      const child = (target[k] ?? {}) as Record<string, unknown>;
      target[k] = child;
      fill(child, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
}
