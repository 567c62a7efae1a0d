import { AppError, unavailable } from '../domain/errors';
import type { DeadLetter } from './outbox';

/**
 * Calls a Durable Object by RPC. Infrastructure failures (the object unreachable, overloaded, reset)
 * become `unavailable` (503, a retry is safe because every write is idempotent); an exception thrown
 * by the object's own code is a bug and stays one.
 */
export async function callDurableObject<S, R>(stub: S, what: string, call: (stub: S) => R): Promise<Awaited<R>> {
  try {
    return await call(stub);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const flags = err as { remote?: boolean; retryable?: boolean; overloaded?: boolean };
    if (flags.retryable || flags.overloaded || !flags.remote) {
      throw Object.assign(unavailable(`${what} is unavailable; retry the request.`), { cause: err });
    }
    throw err;
  }
}

/** A method's result as a port declares it: the class may answer at once, its stub always answers a promise. */
export type Awaitable<T> = T | Promise<T>;

/** What every Durable Object with an outbox answers (dead letters, the health probe). */
export interface OutboxPort {
  deadLetters(limit?: number): Awaitable<{ total: number; items: DeadLetter[] }>;
  retryDeadLetters(): Promise<number>;
  discardDeadLetters(): Awaitable<number>;
  ping(): Promise<number>;
}
