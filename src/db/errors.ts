import { AppError } from '../domain/errors';
import type { SinkFailure } from '../durable-objects/ports';

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
 * query is wrong": no SQLSTATE at all (socket, DNS, WebSocket, the driver's own timeouts),
 * connection exceptions (08), operator intervention (57P), a statement timeout (57014) and
 * resource exhaustion (53).
 */
export function isUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (!state) return true;
  return state.startsWith('08') || state.startsWith('57P') || state === QUERY_CANCELED || state.startsWith('53');
}

export const DEADLOCK_DETECTED = '40P01';
export const SERIALIZATION_FAILURE = '40001';
export const QUERY_CANCELED = '57014';

/**
 * True when Postgres refused the data itself — a value it cannot store (class 22: U+0000 or a lone
 * surrogate in text or jsonb, a number out of range), a constraint the row breaks (23), or a row too
 * big for an index (54). Writing the same rows again fails again; writing other rows works. Never
 * true for connection trouble, timeouts or a bug in the statement (42), which must keep the backoff.
 */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23') || state.startsWith('54'));
}

/** A deadlock or serialization failure: the transaction lost a race and may run again at once. */
export function isTransactionConflict(err: unknown): boolean {
  const state = sqlState(err);
  return state === DEADLOCK_DETECTED || state === SERIALIZATION_FAILURE;
}

/** What may be shown about a database failure: the sink port's failure (the Durable Objects own its shape). */
export type DbFailure = SinkFailure;

const REASON_MAX = 200;

/**
 * Summarizes a database failure. Drizzle wraps the driver's error in one whose message is the whole
 * statement and its parameters (every row of a batch): the reason comes from the innermost cause
 * instead, cut to its first line.
 */
export function describeDbFailure(err: unknown): DbFailure {
  if (err instanceof AppError && err.code === 'TENANT_MOVING') {
    return {
      code: 'TENANT_MOVING',
      sqlState: sqlState(err) ?? null,
      reason: 'the tenant is being moved to another database',
      retryAfterMs: 1000,
    };
  }
  const state = sqlState(err) ?? null;
  const reason = innermostMessage(err);
  const timedOut = state === QUERY_CANCELED || (state === null && /time(d)? ?out|timeout/i.test(reason));
  let code: DbFailure['code'] = 'POSTGRES_ERROR';
  if (timedOut) code = 'POSTGRES_TIMEOUT';
  else if (isDataError(err)) code = 'POSTGRES_REFUSED_DATA';
  else if (isTransactionConflict(err)) code = 'POSTGRES_CONFLICT';
  else if (isUnavailable(err)) code = 'POSTGRES_UNAVAILABLE';
  return { code, sqlState: state, reason };
}

function innermostMessage(err: unknown): string {
  let current: unknown = err;
  let message = '';
  for (let depth = 0; current && depth < 5; depth++) {
    const wrapper = typeof current === 'object' && 'query' in current;
    const text = current instanceof Error ? current.message : typeof current === 'string' ? current : '';
    if (text && !wrapper) {
      message = text;
      const own = (current as { code?: unknown }).code;
      if (typeof own === 'string' && /^[0-9A-Z]{5}$/.test(own)) break; // the Postgres error itself
    }
    current = (current as { cause?: unknown }).cause;
  }
  const line = (message.split('\n')[0] ?? '').trim();
  if (!line) return 'no answer from Postgres';
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX - 1)}…` : line;
}
