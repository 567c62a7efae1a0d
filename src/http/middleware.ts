import type { MiddlewareHandler } from 'hono';
import { type Databases, openDatabases } from '../db/databases';
import { newId } from '../lib/ids';
import { createLogger, errorFields } from '../lib/log';
import type { AppEnv } from './context';

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request id (kept from a sane `X-Request-Id`, else generated), a request logger and an access log line. */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming && INCOMING_REQUEST_ID.test(incoming) ? incoming : newId('request');
    const log = createLogger({ requestId }, c.env.LOG_LEVEL);
    c.set('requestId', requestId);
    c.set('log', log);
    const started = Date.now();
    await next();
    if (c.res.webSocket) {
      // An upgrade's headers are immutable: the response is made again around the same socket.
      const headers = new Headers(c.res.headers);
      headers.set('X-Request-Id', requestId);
      c.res = new Response(null, { status: c.res.status, webSocket: c.res.webSocket, headers });
    } else {
      c.res.headers.set('X-Request-Id', requestId);
    }
    const principal = c.get('principal');
    log.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
      ...(principal ? { tenantId: principal.tenantId, keyId: principal.keyId } : {}),
    });
  };
}

/** The request's databases, opened lazily, closed once the response is out. */
export function databasePerRequest(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let handle: Databases | undefined;
    c.set('databases', () => {
      handle ??= openDatabases(c.env);
      return handle;
    });
    try {
      await next();
    } finally {
      if (handle) {
        const closing = handle.close().catch((err) => c.get('log').warn('db close failed', errorFields(err)));
        c.executionCtx.waitUntil(closing);
      }
    }
  };
}
