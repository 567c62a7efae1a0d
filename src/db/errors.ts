/** The SQLSTATE of a Postgres error, looking through driver and ORM wrappers. */
export function sqlState(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The constraint a Postgres error names, looking through wrappers. */
export function violatedConstraint(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const constraint = (current as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return constraint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * True when the error means "Postgres could not be reached or is going away" rather than "this
 * query is wrong": no SQLSTATE at all (socket, DNS, WebSocket), connection exceptions (08),
 * operator intervention (57P) and resource exhaustion (53).
 */
export function isUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (!state) return true;
  return state.startsWith('08') || state.startsWith('57P') || state.startsWith('53');
}
