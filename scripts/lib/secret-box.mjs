// Opens secrets sealed by src/lib/secret-box.ts (`encryptSecret`) in Node scripts, e.g. a tenant's sealed database
// URL for `npm run db:migrate -- --tenant <id>` (issue 12 §3). Same format and rules: platform keys
// "<version>:<base64 32-byte key>,…" (PLATFORM_KEYS), sealed values `v<version>.<base64url iv>.<base64url
// ciphertext+tag>`, AES-256-GCM with the additional data `callboard.secret-box.v<version>\0<aad>`.
// Errors never contain key material or plaintext.
import { createDecipheriv } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = /^[1-9][0-9]{0,8}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const SEALED = /^v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** Why a sealed secret could not be opened: 'malformed' | 'unknown_version' | 'decrypt_failed' (as in src/lib/secret-box.ts). */
export class SecretBoxError extends Error {
  /** @param {'malformed' | 'unknown_version' | 'decrypt_failed'} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'SecretBoxError';
    this.code = code;
  }
}

/**
 * Parses PLATFORM_KEYS ("<version>:<base64 key>,…"; the first is the current one) into version → key bytes.
 * Throws an Error naming the bad entry, never its key.
 * @param {string | undefined} value
 * @returns {Map<number, Buffer>}
 */
export function parsePlatformKeys(value) {
  if (value === undefined || value.trim() === '') {
    throw new Error('Platform keys are not configured (expected "<version>:<base64 key>,…")');
  }
  const keys = new Map();
  for (const [index, entry] of value.split(',').entries()) {
    const where = `platform key entry ${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator < 0) throw new Error(`Malformed ${where}: expected "<version>:<base64 key>"`);
    const versionText = entry.slice(0, separator).trim();
    const keyText = entry.slice(separator + 1).trim();
    if (!VERSION.test(versionText)) throw new Error(`Malformed ${where}: the version must be a positive integer`);
    const version = Number(versionText);
    if (keys.has(version)) throw new Error(`Duplicate platform key version ${version}`);
    if (!BASE64.test(keyText)) throw new Error(`Malformed platform key version ${version}: the key is not base64`);
    const key = Buffer.from(keyText, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(`Platform key version ${version} is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    keys.set(version, key);
  }
  if (keys.size === 0) throw new Error('Platform keys are not configured');
  return keys;
}

/** Bytes of canonical unpadded base64url (the only spelling src/lib/secret-box.ts writes or accepts), or null. */
function base64UrlDecode(value) {
  if (value.length % 4 === 1) return null;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.toString('base64url') === value ? bytes : null;
}

/**
 * Opens a value sealed by `encryptSecret(keys, plaintext, aad)` with whichever configured key sealed it.
 * @param {Map<number, Buffer>} keys from {@link parsePlatformKeys}
 * @param {string} sealed
 * @param {string} [aad] the same additional data it was sealed with (e.g. the tenant id)
 * @returns {string}
 */
export function decryptSecret(keys, sealed, aad) {
  const [, versionText = '', ivText = '', bodyText = ''] = SEALED.exec(sealed) ?? [];
  const iv = versionText ? base64UrlDecode(ivText) : null;
  const body = versionText ? base64UrlDecode(bodyText) : null;
  if (!iv || !body || iv.length !== IV_BYTES || body.length < TAG_BYTES) {
    throw new SecretBoxError('malformed', 'Sealed secret is malformed (expected "v<version>.<iv>.<ciphertext>")');
  }
  const version = Number(versionText);
  const key = keys.get(version);
  if (!key) {
    throw new SecretBoxError(
      'unknown_version',
      `Secret is sealed under platform key version ${version}, which is not configured`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`callboard.secret-box.v${version}\0${aad ?? ''}`, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: false }).decode(plaintext);
  } catch {
    throw new SecretBoxError(
      'decrypt_failed',
      'Secret could not be decrypted: it was altered, sealed for another context (aad), or under a different key',
    );
  }
}
