import { base64Decode, base64Encode } from './base64';
import { timingSafeEqualBytes } from './constant-time';

// Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256 over `${id}.${timestamp}.${body}`,
// sent as `webhook-signature: v1,<base64> [v1,<base64> …]`. WebCrypto only, so it runs in workerd as is.

const encoder = new TextEncoder();

/** Secrets are `whsec_` followed by the base64 of the key bytes. */
export const STANDARD_WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How far `webhook-timestamp` may be from now, in either direction (the specification's 5 minutes). */
export const STANDARD_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** Why a delivery was refused. `invalid_secret` is our configuration's fault, every other reason the sender's. */
export type StandardWebhookFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_secret'
  | 'no_matching_signature';

/** Outcome of {@link verifyStandardWebhook}; `secretIndex` says which candidate secret matched (rotation). */
export type StandardWebhookVerification =
  | { ok: true; id: string; timestamp: number; secretIndex: number }
  | { ok: false; reason: StandardWebhookFailure };

/** Input of {@link verifyStandardWebhook}. */
export interface StandardWebhookInput {
  /** Candidate secrets, e.g. the new and the previous one while a rotation is under way. */
  secrets: string | readonly string[];
  /** Request headers; a plain record is looked up case-insensitively. */
  headers: Headers | Readonly<Record<string, string | null | undefined>>;
  /** The exact request body as received (`await request.text()`, or its bytes): never re-serialised JSON. */
  rawBody: string | Uint8Array;
  /** Current time in unix SECONDS (fractions are floored), e.g. `Date.now() / 1000`. */
  nowSeconds: number;
}

const TIMESTAMP = /^[0-9]{1,12}$/;
const KEY_CACHE_LIMIT = 1000;

// CryptoKeys are plain values, not I/O objects, so they may outlive the request that imported them.
const keyCache = new Map<string, CryptoKey>();

/**
 * Verifies a Standard Webhooks delivery against any of the candidate secrets. Checks, in order: the
 * three headers are present, the timestamp is an integer within the tolerance of `nowSeconds`, every
 * secret decodes, then every `v1,` signature entry against every secret (other versions are ignored).
 */
export async function verifyStandardWebhook(input: StandardWebhookInput): Promise<StandardWebhookVerification> {
  const id = readHeader(input.headers, 'webhook-id');
  const timestampHeader = readHeader(input.headers, 'webhook-timestamp');
  const signatureHeader = readHeader(input.headers, 'webhook-signature');
  if (!id || !timestampHeader || !signatureHeader) return { ok: false, reason: 'missing_headers' };

  if (!TIMESTAMP.test(timestampHeader)) return { ok: false, reason: 'invalid_timestamp' };
  const timestamp = Number(timestampHeader);
  const now = Math.floor(input.nowSeconds);
  if (now - timestamp > STANDARD_WEBHOOK_TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp_too_old' };
  if (timestamp - now > STANDARD_WEBHOOK_TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp_in_future' };

  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  const keys: CryptoKey[] = [];
  for (const secret of secrets) {
    const key = await importSecret(secret);
    if (!key) return { ok: false, reason: 'invalid_secret' };
    keys.push(key);
  }
  if (keys.length === 0) return { ok: false, reason: 'invalid_secret' };

  const received = signatureHeader
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => encoder.encode(entry.slice(3)));
  const content = signedContent(id, timestampHeader, input.rawBody);

  let secretIndex = -1;
  for (const [index, key] of keys.entries()) {
    const expected = encoder.encode(base64Encode(await crypto.subtle.sign('HMAC', key, content)));
    // Every entry is compared, with no early exit, so timing says nothing about which entry matched.
    let matched = false;
    for (const candidate of received) matched = constantTimeEqual(candidate, expected) || matched;
    if (matched && secretIndex < 0) secretIndex = index;
  }
  if (secretIndex < 0) return { ok: false, reason: 'no_matching_signature' };
  return { ok: true, id, timestamp, secretIndex };
}

/** Signs a delivery; returns the `webhook-signature` header value `v1,<base64>`. Throws on a malformed secret. */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string | Uint8Array,
): Promise<string> {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('Standard Webhooks timestamp must be a non-negative integer number of seconds');
  }
  const key = await importSecret(secret);
  if (!key) throw new Error('Standard Webhooks secret must be "whsec_" followed by non-empty base64');
  const signature = await crypto.subtle.sign('HMAC', key, signedContent(id, String(timestampSeconds), rawBody));
  return `v1,${base64Encode(signature)}`;
}

/**
 * Signs a delivery with several secrets at once (the current and, while a rotation's overlap lasts, the
 * previous one): the `webhook-signature` header value `v1,<base64> v1,<base64>`, one entry per secret in
 * order. A receiver holding any one of the secrets verifies it. Throws on an empty list or a malformed secret.
 */
export async function signStandardWebhookWithAll(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  rawBody: string | Uint8Array,
): Promise<string> {
  if (secrets.length === 0) throw new Error('Standard Webhooks signing needs at least one secret');
  const entries = await Promise.all(secrets.map((secret) => signStandardWebhook(secret, id, timestampSeconds, rawBody)));
  return entries.join(' ');
}

/** A new random secret: `whsec_` followed by the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return STANDARD_WEBHOOK_SECRET_PREFIX + base64Encode(crypto.getRandomValues(new Uint8Array(32)));
}

function readHeader(headers: StandardWebhookInput['headers'], name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return null;
}

function signedContent(id: string, timestamp: string, rawBody: string | Uint8Array): Uint8Array {
  if (typeof rawBody === 'string') return encoder.encode(`${id}.${timestamp}.${rawBody}`);
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + rawBody.length);
  content.set(prefix);
  content.set(rawBody, prefix.length);
  return content;
}

/** The HMAC key of a secret, or null when the secret is not (optionally `whsec_`-prefixed) non-empty base64. */
async function importSecret(secret: string): Promise<CryptoKey | null> {
  const cached = keyCache.get(secret);
  if (cached) return cached;
  const encoded = secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX)
    ? secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const bytes = base64Decode(encoded);
  if (!bytes || bytes.length === 0) return null;
  const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(secret, key);
  return key;
}

/** Equal-length inputs are compared in constant time; a length difference is the only thing timing can reveal. */
const constantTimeEqual = timingSafeEqualBytes;
