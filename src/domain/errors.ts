/**
 * Errors the services raise. They carry no HTTP types: `http/problem.ts` maps each kind to its
 * status and an RFC 9457 body.
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

export interface FieldIssue {
  /** JSON pointer into the request part named by `in` (RFC 6901), e.g. `/serviceLevel/thresholdSeconds`. */
  pointer: string;
  in: 'body' | 'query' | 'path' | 'header';
  detail: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable SCREAMING_SNAKE code clients can branch on. */
    readonly code: string,
    message: string,
    readonly extra: { issues?: FieldIssue[]; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id: string) =>
  new AppError('not_found', 'NOT_FOUND', `No ${what} with id '${id}' exists in this tenant.`);

export const invalid = (issues: FieldIssue[], message = 'The request is not valid.') =>
  new AppError('invalid', 'VALIDATION_FAILED', message, { issues });

export const conflict = (code: string, message: string, issues?: FieldIssue[]) =>
  new AppError('conflict', code, message, issues ? { issues } : {});

export const unavailable = (message: string) => new AppError('unavailable', 'SERVICE_UNAVAILABLE', message);
