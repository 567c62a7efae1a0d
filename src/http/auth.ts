import type { Context, MiddlewareHandler } from 'hono';
import { type ApiKeyScope, describeLimit, parseApiKey, scopeAllows } from '../domain/api-keys';
import { callTenantDO } from '../durable-objects/tenant/tenant.client';
import { sha256Hex, timingSafeEqualStrings } from '../lib/crypto';
import { verifyLiveToken } from '../lib/live-token';
import { parsePlatformKeys } from '../lib/secret-box';
import type { AppEnv, Principal } from './context';
import { ProblemError } from './problem';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="callboard"' };

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** How a guarded route treats keys limited to a team or an agent (docs/roles.md). */
export interface KeyLimitOptions {
  /**
   * The route applies a key's limit itself (src/http/key-limits.ts). Without it a limited key is refused with 403
   * `KEY_LIMITED`: a route added later shows nothing to a team lead or an agent until someone makes it honour limits.
   */
  honoursLimits?: boolean;
}

/** A limited principal on a route that does not honour limits is refused: safe by default. */
function checkLimit(principal: Principal, options: KeyLimitOptions): void {
  if (principal.limit && !options.honoursLimits) {
    throw new ProblemError(
      'KEY_LIMITED',
      `This key is limited to ${describeLimit(principal.limit)}, and this route does not apply such limits: use a key of the whole tenant.`,
    );
  }
}

/**
 * API-key authentication, rate limiting and scope check. The key names its tenant, so one RPC to
 * that tenant's TenantDO answers everything (Postgres is not involved): key known, not revoked,
 * not expired, a token left in its bucket. Revocation takes effect on the next request.
 */
export function requireApiKey(scope: ApiKeyScope, options: KeyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('guard', scope);
    const principal = await authenticate(c, c.req.header('Authorization'));
    if (!scopeAllows(principal.scopes, scope)) {
      throw new ProblemError('INSUFFICIENT_SCOPE', `This route needs an API key with the '${scope}' scope.`);
    }
    checkLimit(principal, options);
    await next();
  };
}

/**
 * The live stream's guard: an API key with `scope` in the Authorization header, or a live token in `?token=`
 * (a browser cannot set headers on a WebSocket). A token is checked for its signature and expiry, and the key
 * that asked for it must still be live: revoking the key ends its tokens.
 */
export function requireApiKeyOrLiveToken(scope: ApiKeyScope, options: KeyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const byKey = requireApiKey(scope, options);
  return async (c, next) => {
    const token = c.req.query('token');
    if (token === undefined) return byKey(c, next);
    c.set('guard', scope);
    const check = await verifyLiveToken(parsePlatformKeys(c.env.PLATFORM_KEYS), token, Date.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw new ProblemError('LIVE_TOKEN_EXPIRED', 'The live token has expired.');
      throw new ProblemError('LIVE_TOKEN_INVALID', 'The live token is not valid.');
    }
    const { claims } = check;
    const live = await callTenantDO(c.env, claims.tenantId, (stub) => stub.liveKeys([claims.keyId]));
    if (live.length === 0)
      throw new ProblemError('LIVE_TOKEN_INVALID', 'The API key that issued this live token is no longer valid.');
    // A token minted by a limited key carries its limit (signed with the rest of the claims).
    const principal: Principal = {
      tenantId: claims.tenantId,
      keyId: claims.keyId,
      scopes: ['read'],
      limit: claims.limit ?? null,
      configVersion: 0,
    };
    checkLimit(principal, options);
    c.set('principal', principal);
    c.set('liveToken', claims);
    await next();
  };
}

/** Checks a bearer API key (and takes a rate-limit token); sets the principal and the RateLimit headers. */
export async function authenticate(c: Context<AppEnv>, authorization: string | undefined): Promise<Principal> {
  const token = bearer(authorization);
  if (!token) {
    throw new ProblemError('UNAUTHENTICATED', 'Send an API key as `Authorization: Bearer cbk_…`.', { headers: CHALLENGE });
  }
  const parsed = parseApiKey(token);
  if (!parsed) throw new ProblemError('INVALID_CREDENTIALS', 'The API key is not valid.', { headers: CHALLENGE });
  const hash = await sha256Hex(token);
  const result = await callTenantDO(c.env, parsed.tenantId, (stub) => stub.authorize(hash));
  if (!result.ok) {
    switch (result.reason) {
      case 'revoked':
        throw new ProblemError('API_KEY_REVOKED', 'The API key was revoked.', { headers: CHALLENGE });
      case 'expired':
        throw new ProblemError('API_KEY_EXPIRED', 'The API key has expired.', { headers: CHALLENGE });
      case 'rate_limited':
        throw new ProblemError('RATE_LIMITED', `Rate limit of ${result.limit} requests exceeded for this API key.`, {
          headers: {
            'Retry-After': String(result.retryAfterSeconds),
            'RateLimit-Limit': String(result.limit),
            'RateLimit-Remaining': '0',
          },
        });
      default:
        throw new ProblemError('INVALID_CREDENTIALS', 'The API key is not valid.', { headers: CHALLENGE });
    }
  }
  const principal: Principal = {
    tenantId: result.tenantId,
    keyId: result.keyId,
    scopes: result.scopes,
    limit: result.limit ?? null,
    configVersion: result.configVersion,
  };
  c.set('principal', principal);
  c.header('RateLimit-Limit', String(result.rateLimit.limit));
  c.header('RateLimit-Remaining', String(result.rateLimit.remaining));
  c.header('RateLimit-Reset', String(result.rateLimit.resetSeconds));
  return principal;
}

/** The platform operator's bearer token (a Worker secret), compared in constant time. */
export function requirePlatformToken(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('guard', 'platform');
    const token = bearer(c.req.header('Authorization'));
    if (!token) {
      throw new ProblemError('UNAUTHENTICATED', 'Send the platform token as `Authorization: Bearer …`.', { headers: CHALLENGE });
    }
    const expected = c.env.PLATFORM_TOKEN;
    if (!expected || !(await timingSafeEqualStrings(token, expected))) {
      throw new ProblemError('INVALID_CREDENTIALS', 'The platform token is not valid.', { headers: CHALLENGE });
    }
    await next();
  };
}
