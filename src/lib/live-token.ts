import type { ApiKeyLimit } from '../domain/api-keys';
import { base64Decode, base64UrlEncode } from './base64';
import type { PlatformKeys } from './secret-box';

/**
 * Live tokens: what a browser (a wallboard on a wall TV, a page) holds instead of an API key to open the live
 * stream. `cbl_<key version>.<payload>.<signature>`: the payload (base64url JSON) names the tenant, the API key
 * that asked for it (revoking the key closes the token's connections), the queues it may watch (null: all)
 * and its expiry; the signature is HMAC-SHA-256 under a key derived from the platform key of that version
 * (`PlatformKeys.hmacKey`), so tokens rotate with the platform keys and need no storage.
 */
export interface LiveTokenClaims {
  tenantId: string;
  keyId: string;
  queueIds: string[] | null;
  /** Epoch ms. */
  expiresAt: number;
  /** The limit of the key that asked for it (docs/roles.md): the token never sees more than its key. */
  limit?: ApiKeyLimit | null;
}

const PURPOSE = 'callboard live token v1';
const encoder = new TextEncoder();
const TOKEN = /^cbl_([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{1,8192})\.([A-Za-z0-9_-]{43})$/;

export async function signLiveToken(keys: PlatformKeys, claims: LiveTokenClaims): Promise<string> {
  const version = keys.currentVersion;
  const key = await keys.hmacKey(version, PURPOSE);
  if (!key) throw new Error('the current platform key is missing');
  const payload = base64UrlEncode(
    encoder.encode(
      JSON.stringify({
        t: claims.tenantId,
        k: claims.keyId,
        q: claims.queueIds,
        e: claims.expiresAt,
        ...(claims.limit ? { l: claims.limit } : {}),
      }),
    ),
  );
  const signed = `cbl_${version}.${payload}`;
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(signed)));
  return `${signed}.${base64UrlEncode(sig)}`;
}

export type LiveTokenCheck = { ok: true; claims: LiveTokenClaims } | { ok: false; reason: 'malformed' | 'expired' };

/** Checks the signature (constant time, WebCrypto's verify) and the expiry; never says which part failed beyond that. */
export async function verifyLiveToken(keys: PlatformKeys, token: string, now: number): Promise<LiveTokenCheck> {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, version, payload, sig] = m as unknown as [string, string, string, string];
  const key = await keys.hmacKey(Number(version), PURPOSE);
  const sigBytes = fromBase64Url(sig);
  if (!key || !sigBytes) return { ok: false, reason: 'malformed' };
  const valid = await crypto.subtle.verify('HMAC', key, sigBytes, encoder.encode(`cbl_${version}.${payload}`));
  if (!valid) return { ok: false, reason: 'malformed' };
  const bytes = fromBase64Url(payload);
  if (!bytes) return { ok: false, reason: 'malformed' };
  const body = JSON.parse(new TextDecoder().decode(bytes)) as {
    t: string;
    k: string;
    q: string[] | null;
    e: number;
    l?: ApiKeyLimit;
  };
  if (body.e <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { tenantId: body.t, keyId: body.k, queueIds: body.q, expiresAt: body.e, limit: body.l ?? null } };
}

function fromBase64Url(value: string): Uint8Array | null {
  const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  return base64Decode(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
}
