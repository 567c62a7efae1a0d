import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  generatePlatformKey,
  needsReencryption,
  parsePlatformKeys,
  SecretBoxError,
} from './secret-box';

const KEY_1 = generatePlatformKey();
const KEY_2 = generatePlatformKey();
const CONNECTOR = 'con_01m83b47ka04r4vde2cwcyjg4x';

function fromBase64Url(value: string): Uint8Array {
  const binary = atob(value.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** The sealed value with one bit of its iv (part 1) or ciphertext+tag (part 2) flipped. */
function flipBit(sealed: string, part: 1 | 2, index: number, bit: number): string {
  const parts = sealed.split('.');
  const bytes = fromBase64Url(parts[part] ?? '');
  const at = index % bytes.length;
  bytes[at] = (bytes[at] ?? 0) ^ (1 << bit);
  parts[part] = toBase64Url(bytes);
  return parts.join('.');
}

async function decryptError(promise: Promise<unknown>): Promise<SecretBoxError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretBoxError);
  return error as SecretBoxError;
}

describe('secret box', () => {
  it('round-trips secrets, sealed as v<version>.<iv>.<ciphertext> with a fresh iv each time', async () => {
    const keys = parsePlatformKeys(`1:${KEY_1}`);
    for (const secret of ['', 'sk_live_51H…', 'žluťoučký kůň 🐎', 'x'.repeat(10_000)]) {
      const sealed = await encryptSecret(keys, secret, CONNECTOR);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/);
      expect(sealed).not.toContain(secret || '\0');
      expect(await decryptSecret(keys, sealed, CONNECTOR)).toBe(secret);
    }
    const [a, b] = [await encryptSecret(keys, 'same'), await encryptSecret(keys, 'same')];
    expect(a).not.toBe(b);
    expect(await decryptSecret(keys, a)).toBe('same');
  });

  it('round-trips any string and context (property)', async () => {
    const keys = parsePlatformKeys(`7:${KEY_2},1:${KEY_1}`);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.option(fc.string()), async (secret, aad) => {
        const sealed = await encryptSecret(keys, secret, aad ?? undefined);
        expect(sealed.startsWith('v7.')).toBe(true);
        expect(await decryptSecret(keys, sealed, aad ?? undefined)).toBe(secret);
      }),
      { numRuns: 100 },
    );
  });

  it('detects any flipped bit of the iv or the ciphertext+tag (property)', async () => {
    const keys = parsePlatformKeys(`1:${KEY_1}`);
    const sealed = await encryptSecret(keys, 'whsec_connector-secret', CONNECTOR);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(1 as const, 2 as const), fc.nat(), fc.nat({ max: 7 }), async (part, index, bit) => {
        const tampered = flipBit(sealed, part, index, bit);
        expect(tampered).not.toBe(sealed);
        expect((await decryptError(decryptSecret(keys, tampered, CONNECTOR))).code).toBe('decrypt_failed');
      }),
      { numRuns: 100 },
    );
  });

  it('refuses the wrong context (aad), including none for a value sealed with one', async () => {
    const keys = parsePlatformKeys(`1:${KEY_1}`);
    const sealed = await encryptSecret(keys, 'token', CONNECTOR);
    for (const aad of [`${CONNECTOR}x`, '', undefined]) {
      expect((await decryptError(decryptSecret(keys, sealed, aad))).code).toBe('decrypt_failed');
    }
    const unbound = await encryptSecret(keys, 'token');
    expect((await decryptError(decryptSecret(keys, unbound, CONNECTOR))).code).toBe('decrypt_failed');
    expect(await decryptSecret(keys, unbound, '')).toBe('token');
  });

  it('binds the version: relabelling a sealed value with another configured version fails', async () => {
    const keys = parsePlatformKeys(`2:${KEY_1},1:${KEY_1}`);
    const sealed = await encryptSecret(keys, 'token');
    expect(sealed.startsWith('v2.')).toBe(true);
    const relabelled = sealed.replace(/^v2\./, 'v1.');
    expect((await decryptError(decryptSecret(keys, relabelled))).code).toBe('decrypt_failed');
  });

  it('rotates: the old key keeps opening, needsReencryption finds values to re-seal under the new one', async () => {
    const before = parsePlatformKeys(`1:${KEY_1}`);
    const sealedBefore = await encryptSecret(before, 'token', CONNECTOR);
    expect(needsReencryption(before, sealedBefore)).toBe(false);

    const during = parsePlatformKeys(`2:${KEY_2},1:${KEY_1}`);
    expect(during.currentVersion).toBe(2);
    expect(await decryptSecret(during, sealedBefore, CONNECTOR)).toBe('token');
    expect(needsReencryption(during, sealedBefore)).toBe(true);
    const resealed = await encryptSecret(during, await decryptSecret(during, sealedBefore, CONNECTOR), CONNECTOR);
    expect(resealed.startsWith('v2.')).toBe(true);
    expect(needsReencryption(during, resealed)).toBe(false);

    const after = parsePlatformKeys(`2:${KEY_2}`);
    expect(await decryptSecret(after, resealed, CONNECTOR)).toBe('token');
    const error = await decryptError(decryptSecret(after, sealedBefore, CONNECTOR));
    expect(error.code).toBe('unknown_version');
    expect(error.message).toContain('version 1');
  });

  it('refuses malformed sealed values', async () => {
    const keys = parsePlatformKeys(`1:${KEY_1}`);
    const sealed = await encryptSecret(keys, 'token');
    const [, iv = '', ciphertext = ''] = sealed.split('.');
    for (const bad of [
      '',
      'token',
      sealed.slice(1),
      `v0.${iv}.${ciphertext}`,
      `v01.${iv}.${ciphertext}`,
      `v1.${iv}`,
      `v1.${iv}.${ciphertext}.x`,
      `v1.${iv.slice(1)}.${ciphertext}`,
      `v1.${iv}.${ciphertext.slice(0, 21)}`,
      `v1.${iv}=.${ciphertext}`,
      `v1.${iv}.${ciphertext.replace(/.$/, '+')}`,
    ]) {
      expect((await decryptError(decryptSecret(keys, bad))).code, bad).toBe('malformed');
      expect(() => needsReencryption(keys, bad), bad).toThrow(SecretBoxError);
    }
  });

  it('generates 32-byte base64 platform keys', () => {
    const key = generatePlatformKey();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(atob(key)).toHaveLength(32);
    expect(generatePlatformKey()).not.toBe(key);
  });
});

describe('parsePlatformKeys', () => {
  it('takes the first entry as current, tolerating spaces around entries', () => {
    const keys = parsePlatformKeys(` 3:${KEY_1} , 1:${KEY_2}`);
    expect(keys.currentVersion).toBe(3);
    expect(keys.versions).toEqual([3, 1]);
    expect(parsePlatformKeys(` 3:${KEY_1} , 1:${KEY_2}`)).toBe(keys);
  });

  it('never exposes key material when logged or serialised', () => {
    const keys = parsePlatformKeys(`1:${KEY_1}`);
    expect(JSON.stringify(keys)).toBe('{"currentVersion":1,"versions":[1]}');
    expect(Object.values(keys).join()).not.toContain(KEY_1);
  });

  it('rejects malformed configuration with a clear message that does not echo keys', () => {
    const short = btoa('x'.repeat(16));
    const cases: [string | undefined, RegExp][] = [
      [undefined, /not configured/],
      ['', /not configured/],
      ['   ', /not configured/],
      [KEY_1, /entry 1: expected "<version>:<base64 key>"/],
      [`1:${KEY_1},${KEY_2}`, /entry 2: expected/],
      [`:${KEY_1}`, /entry 1: the version must be a positive integer/],
      [`0:${KEY_1}`, /positive integer/],
      [`01:${KEY_1}`, /positive integer/],
      [`v1:${KEY_1}`, /positive integer/],
      [`-1:${KEY_1}`, /positive integer/],
      [`1:${KEY_1},`, /entry 2/],
      [`1:${KEY_1},1:${KEY_2}`, /Duplicate platform key version 1/],
      ['1:', /version 1 is 0 bytes/],
      [`1:${short}`, /version 1 is 16 bytes; AES-256 needs 32/],
      [`1:${KEY_1}${KEY_1}`, /not base64|64 bytes/],
      [`1:${KEY_1.replace(/[A-Za-z]/, '!')}`, /version 1: the key is not base64/],
      [`1:${toBase64Url(new Uint8Array(32).fill(251))}`, /not base64/], // base64url is not accepted for keys
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        parsePlatformKeys(value);
      } catch (e) {
        error = e;
      }
      expect(error, String(value)).toBeInstanceOf(Error);
      expect((error as Error).message, String(value)).toMatch(message);
      expect((error as Error).message).not.toContain(KEY_1);
      expect((error as Error).message).not.toContain(short);
    }
  });
});
