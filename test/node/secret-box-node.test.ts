import { describe, expect, it } from 'vitest';
import { decryptSecret, parsePlatformKeys } from '../../scripts/lib/secret-box.mjs';
import { encryptSecret, generatePlatformKey, parsePlatformKeys as parseWorkerKeys } from '../../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from '../constants';

// scripts/lib/secret-box.mjs opens in Node what the Worker sealed (src/lib/secret-box.ts): a tenant's database URLs
// for `npm run db:migrate -- --tenant <id>` (issue 12 §3).

describe('scripts/lib/secret-box.mjs', () => {
  const url = 'postgres://owner:p%40ss w0rd@db.example:5432/tenant_ü?sslmode=require';

  it('opens a value sealed by encryptSecret with the same aad, under the current or an older key', async () => {
    const keys = parsePlatformKeys(TEST_PLATFORM_KEYS);
    expect(decryptSecret(keys, await encryptSecret(parseWorkerKeys(TEST_PLATFORM_KEYS), url, 'acme'), 'acme')).toBe(url);
    // Sealed under version 1 alone (before a rotation), opened with "2:…,1:…".
    const older = TEST_PLATFORM_KEYS.split(',')[1] as string;
    expect(decryptSecret(keys, await encryptSecret(parseWorkerKeys(older), url, 'acme'), 'acme')).toBe(url);
    expect(decryptSecret(keys, await encryptSecret(parseWorkerKeys(TEST_PLATFORM_KEYS), ''), undefined)).toBe('');
  });

  it('refuses another aad, another key, an unknown version and altered or malformed values', async () => {
    const keys = parsePlatformKeys(TEST_PLATFORM_KEYS);
    const sealed = await encryptSecret(parseWorkerKeys(TEST_PLATFORM_KEYS), url, 'acme');
    expect(() => decryptSecret(keys, sealed, 'other')).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    expect(() => decryptSecret(keys, sealed)).toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    expect(() => decryptSecret(parsePlatformKeys(`2:${generatePlatformKey()}`), sealed, 'acme')).toThrow(
      expect.objectContaining({ code: 'decrypt_failed' }),
    );
    expect(() => decryptSecret(parsePlatformKeys(`3:${generatePlatformKey()}`), sealed, 'acme')).toThrow(
      expect.objectContaining({ code: 'unknown_version' }),
    );
    const [version, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = `${body.slice(0, 5)}${body[5] === 'A' ? 'B' : 'A'}${body.slice(6)}`;
    expect(() => decryptSecret(keys, `${version}.${iv}.${flipped}`, 'acme')).toThrow(
      expect.objectContaining({ code: 'decrypt_failed' }),
    );
    for (const bad of [
      '',
      'v2',
      `${version}.${iv}`,
      `${version}.${iv}=.${body}`,
      `v0.${iv}.${body}`,
      `${version}.AAAA.${body}`,
    ]) {
      expect(() => decryptSecret(keys, bad, 'acme'), bad).toThrow(expect.objectContaining({ code: 'malformed' }));
    }
  });

  it('parses PLATFORM_KEYS as the Worker does, naming the bad entry but never its key', () => {
    expect([...parsePlatformKeys(TEST_PLATFORM_KEYS).keys()]).toEqual([2, 1]);
    expect(() => parsePlatformKeys(undefined)).toThrow(/not configured/);
    expect(() => parsePlatformKeys(' ')).toThrow(/not configured/);
    expect(() => parsePlatformKeys('x:abc')).toThrow(/entry 1: the version/);
    expect(() => parsePlatformKeys('1:c2hvcnQ=')).toThrow(/version 1 is 5 bytes/);
    expect(() => parsePlatformKeys('1:not base64!')).toThrow(/not base64/);
    const key = generatePlatformKey();
    expect(() => parsePlatformKeys(`1:${key},1:${key}`)).toThrow(/Duplicate platform key version 1/);
    const thrown = (() => {
      try {
        parsePlatformKeys(`1:${key},2:${key.slice(4)}`);
      } catch (err) {
        return String(err);
      }
    })();
    expect(thrown).toMatch(/version 2 is 29 bytes/);
    expect(thrown).not.toContain(key.slice(4));
  });
});
