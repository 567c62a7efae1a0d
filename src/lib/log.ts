type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line, always with the request id and, once known, the tenant id. */
export interface Logger {
  child(fields: Record<string, unknown>): Logger;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(base: Record<string, unknown> = {}, minLevel: string = 'info'): Logger {
  const min = RANK[minLevel as Level] ?? RANK.info;
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const line = JSON.stringify({ level, msg, ...base, ...fields, at: new Date().toISOString() });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    child: (fields) => createLogger({ ...base, ...fields }, minLevel),
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/**
 * Error details safe for logs (never sent to clients). A query wrapper (Drizzle's DrizzleQueryError)
 * carries the whole statement and every parameter — all rows of a batch — in its message and stack:
 * only their sizes are logged, with the Postgres error underneath (SQLSTATE, message, table,
 * constraint, column). Its `detail` and `where` are left out: they quote row values.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err).slice(0, 500) };
  const wrapper = err as { query?: unknown; params?: unknown };
  if (typeof wrapper.query !== 'string') {
    return { error: err.message, errorName: err.name, stack: err.stack, ...postgresFields(err.cause) };
  }
  const params = Array.isArray(wrapper.params) ? wrapper.params : [];
  return {
    error: 'Failed query',
    errorName: err.name,
    // The stack's first line is the message: keep only the frames.
    stack: err.stack
      ?.split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
    queryChars: wrapper.query.length,
    params: params.length,
    paramChars: params.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : String(p).length), 0),
    ...postgresFields(err.cause),
  };
}

/** The Postgres error somewhere down a cause chain, as log fields. */
function postgresFields(cause: unknown): Record<string, unknown> {
  let current = cause;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; table?: unknown; constraint?: unknown; column?: unknown };
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return {
        sqlState: e.code,
        pgMessage: typeof e.message === 'string' ? e.message.slice(0, 300) : undefined,
        pgTable: e.table,
        pgConstraint: e.constraint,
        pgColumn: e.column,
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  // No Postgres error: the innermost message that is not a query wrapper's (a socket error, a timeout).
  let message: string | undefined;
  current = cause;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && typeof (current as { query?: unknown }).query !== 'string') message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message === undefined ? {} : { cause: message.slice(0, 300) };
}
