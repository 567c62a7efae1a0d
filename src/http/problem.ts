import { HTTPException } from 'hono/http-exception';
import { AppError, type ErrorKind, type FieldIssue } from '../domain/errors';
import { PROBLEM_CATALOG, type ProblemCode, problemType } from './problem-catalog';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one HTTP error type: everything thrown on the way out becomes one of these. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: { status?: number; errors?: FieldIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = options.status ?? PROBLEM_CATALOG[code].status;
  }
}

const KIND_FALLBACK: Record<ErrorKind, ProblemCode> = {
  invalid: 'VALIDATION_FAILED',
  unauthenticated: 'INVALID_CREDENTIALS',
  forbidden: 'INSUFFICIENT_SCOPE',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'SERVICE_UNAVAILABLE',
};

/** What a 503 asks a client to wait when the failing service did not say. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_CATALOG, code);
}

/** Maps any thrown value to a problem; unknown errors become a 500 that reveals nothing. */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof AppError) {
    const code = isProblemCode(err.code) ? err.code : KIND_FALLBACK[err.kind];
    const headers: Record<string, string> = { ...err.extra.headers };
    // Every 503 says when to try again (a Durable Object or Postgres hiccup); a service may say how long.
    const retryAfter = err.extra.retryAfterSeconds ?? (err.kind === 'unavailable' ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined);
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
    return new ProblemError(code, err.message, { errors: err.extra.issues, headers });
  }
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) {
      return new ProblemError('MALFORMED_JSON', 'The request body is not valid JSON.');
    }
    if (err.status === 413) return new ProblemError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (err.status === 415) {
      return new ProblemError('UNSUPPORTED_MEDIA_TYPE', 'This route takes a JSON body: send Content-Type: application/json.');
    }
    if (err.status === 401) return new ProblemError('UNAUTHENTICATED', err.message);
    if (err.status >= 400 && err.status < 500) {
      return new ProblemError('BAD_REQUEST', err.message || 'The request cannot be read.', { status: err.status });
    }
  }
  return new ProblemError('INTERNAL_ERROR', 'An unexpected error occurred. Quote the request id when reporting it.');
}

/** Renders a problem as RFC 9457 JSON with the request id in the body and the header. */
export function problemResponse(problem: ProblemError, requestId: string, instance?: string): Response {
  const entry = PROBLEM_CATALOG[problem.code];
  const body = {
    type: problemType(problem.code),
    title: entry.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
    ...(instance ? { instance } : {}),
    ...(problem.options.errors?.length ? { errors: problem.options.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'X-Request-Id': requestId, ...problem.options.headers },
  });
}

export { jsonPointer, zodFieldIssues } from '../lib/zod-issues';
