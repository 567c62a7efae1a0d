import { base64Decode, base64Encode, base64UrlEncode } from './base64';

// Connector secrets at rest: AES-256-GCM under a versioned platform key, sealed as
// `v<version>.<base64url iv>.<base64url ciphertext+tag>`. The version picks the key, so keys can rotate:
// the first configured key seals, every configured key opens, needsReencryption() finds what to re-seal.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = /^[1-9][0-9]{0,8}$/;
const SEALED = /^v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** Why a sealed secret could not be opened. */
export type SecretBoxErrorCode = 'malformed' | 'unknown_version' | 'decrypt_failed';

/** Thrown by {@link decryptSecret} and {@link needsReencryption}; the message never contains key or plaintext. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The parsed platform keys. Key material lives in private fields, so logging or serialising this object
 * shows only the versions.
 */
class PlatformKeys {
  readonly #raw: ReadonlyMap<number, Uint8Array>;
  readonly #imported = new Map<number, CryptoKey>();
  readonly currentVersion: number;
  readonly versions: readonly number[];

  constructor(raw: ReadonlyMap<number, Uint8Array>, currentVersion: number) {
    this.#raw = raw;
    this.currentVersion = currentVersion;
    this.versions = Object.freeze([...raw.keys()]);
  }

  async key(version: number): Promise<CryptoKey | undefined> {
    const cached = this.#imported.get(version);
    if (cached) return cached;
    const raw = this.#raw.get(version);
    if (!raw) return undefined;
    const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    this.#imported.set(version, key);
    return key;
  }

  /**
   * An HMAC-SHA-256 key derived from a platform key for one purpose (HKDF, `info` names the purpose): signing
   * short-lived tokens without a secret of their own, rotating with the platform keys.
   */
  async hmacKey(version: number, info: string): Promise<CryptoKey | undefined> {
    const raw = this.#raw.get(version);
    if (!raw) return undefined;
    const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
    return crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: encoder.encode(info) },
      base,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    );
  }

  toJSON(): { currentVersion: number; versions: readonly number[] } {
    return { currentVersion: this.currentVersion, versions: this.versions };
  }
}

export type { PlatformKeys };

let lastParsed: { value: string; keys: PlatformKeys } | undefined;

/**
 * Parses `"<version>:<base64 32-byte key>,…"` (e.g. `"2:…,1:…"`); the first entry is the current key.
 * Versions are positive integers and unique. Throws an Error naming the bad entry, never its key.
 * The last result is memoised, so calling it per request with the same env value is cheap.
 */
export function parsePlatformKeys(value: string | undefined): PlatformKeys {
  if (lastParsed && lastParsed.value === value) return lastParsed.keys;
  if (value === undefined || value.trim() === '') {
    throw new Error('Platform keys are not configured (expected "<version>:<base64 key>,…")');
  }
  const raw = new Map<number, Uint8Array>();
  for (const [index, entry] of value.split(',').entries()) {
    const where = `platform key entry ${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator < 0) throw new Error(`Malformed ${where}: expected "<version>:<base64 key>"`);
    const versionText = entry.slice(0, separator).trim();
    const keyText = entry.slice(separator + 1).trim();
    if (!VERSION.test(versionText)) throw new Error(`Malformed ${where}: the version must be a positive integer`);
    const version = Number(versionText);
    if (raw.has(version)) throw new Error(`Duplicate platform key version ${version}`);
    const key = base64Decode(keyText);
    if (!key) throw new Error(`Malformed platform key version ${version}: the key is not base64`);
    if (key.length !== KEY_BYTES) {
      throw new Error(`Platform key version ${version} is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    raw.set(version, key);
  }
  const [currentVersion] = raw.keys();
  if (currentVersion === undefined) throw new Error('Platform keys are not configured');
  const keys = new PlatformKeys(raw, currentVersion);
  lastParsed = { value, keys };
  return keys;
}

/** Seals a secret under the current platform key; `aad` (e.g. the connector id) must be given again to open it. */
export async function encryptSecret(keys: PlatformKeys, plaintext: string, aad?: string): Promise<string> {
  const version = keys.currentVersion;
  const key = await keys.key(version);
  if (!key) throw new Error(`Platform key version ${version} is missing`);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(version, aad) },
    key,
    encoder.encode(plaintext),
  );
  return `v${version}.${base64UrlEncode(iv)}.${base64UrlEncode(new Uint8Array(sealed))}`;
}

/** Opens a sealed secret with whichever configured key sealed it; throws {@link SecretBoxError} otherwise. */
export async function decryptSecret(keys: PlatformKeys, sealed: string, aad?: string): Promise<string> {
  const parts = parseSealed(sealed);
  const key = await keys.key(parts.version);
  if (!key) {
    throw new SecretBoxError(
      'unknown_version',
      `Secret is sealed under platform key version ${parts.version}, which is not configured`,
    );
  }
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: parts.iv, additionalData: additionalData(parts.version, aad) },
      key,
      parts.ciphertext,
    );
    return decoder.decode(plaintext);
  } catch {
    throw new SecretBoxError(
      'decrypt_failed',
      'Secret could not be decrypted: it was altered, sealed for another context (aad), or under a different key',
    );
  }
}

/** True when the secret is sealed under a version other than the current one (so it should be re-sealed). */
export function needsReencryption(keys: PlatformKeys, sealed: string): boolean {
  return parseSealed(sealed).version !== keys.currentVersion;
}

/** A new random platform key: base64 of 32 random bytes. */
export function generatePlatformKey(): string {
  return base64Encode(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

// The version is authenticated too, so a sealed value only opens under the exact header it was written with.
function additionalData(version: number, aad: string | undefined): Uint8Array {
  return encoder.encode(`callboard.secret-box.v${version}\0${aad ?? ''}`);
}

function parseSealed(sealed: string): { version: number; iv: Uint8Array; ciphertext: Uint8Array } {
  const [, versionText = '', ivText = '', ciphertextText = ''] = SEALED.exec(sealed) ?? [];
  const iv = base64UrlDecode(ivText);
  const ciphertext = base64UrlDecode(ciphertextText);
  if (!versionText || !iv || !ciphertext || iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new SecretBoxError('malformed', 'Sealed secret is malformed (expected "v<version>.<iv>.<ciphertext>")');
  }
  return { version: Number(versionText), iv, ciphertext };
}

// Only the canonical (unpadded, zero trailing bits) spelling is accepted, so a sealed value has exactly one form.
function base64UrlDecode(value: string): Uint8Array | null {
  if (value.length % 4 === 1) return null;
  const bytes = base64Decode(value.replaceAll('-', '+').replaceAll('_', '/'));
  return bytes && base64UrlEncode(bytes) === value ? bytes : null;
}
