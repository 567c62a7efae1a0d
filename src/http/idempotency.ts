import type { MiddlewareHandler } from 'hono';
import { callTenantDO, PLATFORM_DO_NAME } from '../durable-objects/tenant/tenant.client';
import type { StoredResponse } from '../durable-objects/tenant/tenant.types';
import { sha256Hex } from '../lib/crypto';
import type { AppEnv } from './context';
import { ProblemError } from './problem';

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'location'];

/**
 * `Idempotency-Key` on mutating requests: the same key with the same request (API key, method, path, body)
 * within 24 h gets the first response again (`Idempotent-Replayed: true`); with a different request
 * it gets 409. Records live in the tenant's TenantDO (the platform's own for platform routes).
 * 5xx answers are not recorded, so a retry after a transient failure really runs again.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (key === undefined || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!KEY.test(key)) {
      throw new ProblemError('BAD_REQUEST', 'Idempotency-Key must be 1 to 255 printable ASCII characters.');
    }
    const principal = c.get('principal');
    const scope = principal?.tenantId ?? PLATFORM_DO_NAME;
    const url = new URL(c.req.url);
    // The key that asked is part of the request: another key of the tenant reusing the Idempotency-Key gets a 409, never
    // the first key's answer (a key limited to a team must not be handed what an unlimited key was given).
    const fingerprint = `${principal?.keyId ?? 'platform'} ${c.req.method} ${url.pathname}${url.search} ${await sha256Hex(await c.req.text())}`;
    const begin = await callTenantDO(c.env, scope, (s) => s.idempotencyBegin(key, fingerprint));
    if (begin.state === 'mismatch') {
      throw new ProblemError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request.');
    }
    if (begin.state === 'in_progress') {
      throw new ProblemError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still running.', {
        headers: { 'Retry-After': '1' },
      });
    }
    if (begin.state === 'replay') {
      const { status, headers, body } = begin.response;
      return new Response(body, { status, headers: { ...headers, 'Idempotent-Replayed': 'true' } });
    }
    await next();
    if (c.error || c.res.status >= 500) {
      await callTenantDO(c.env, scope, (s) => s.idempotencyRelease(key)).catch(() => {});
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value) headers[name] = value;
    }
    const stored: StoredResponse = { status: c.res.status, headers, body: await c.res.clone().text() };
    // The change is done: failing the request now would invite a retry that repeats it. The record
    // stays pending instead, so a retry within a minute is told to wait rather than run twice.
    await callTenantDO(c.env, scope, (s) => s.idempotencyComplete(key, stored)).catch((err) =>
      c.get('log').error('could not record the idempotent response', { idempotencyKey: key, error: String(err) }),
    );
  };
}
