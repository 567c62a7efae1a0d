import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomAlphanumeric } from '../lib/crypto';
import { newId } from '../lib/ids';
import { API_KEY_SCOPES, type ApiKeyScope, apiKeyPrefix, formatApiKey, isTenantId, parseApiKey, scopeAllows } from './api-keys';

describe('API key format', () => {
  it('round-trips tenant and secret (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 40, max: 64 }), (ms, len) => {
        const tenantId = newId('tenant', ms);
        const secret = randomAlphanumeric(len);
        expect(isTenantId(tenantId)).toBe(true);
        expect(parseApiKey(formatApiKey(tenantId, secret))).toEqual({ tenantId, secret });
      }),
    );
  });

  it.each([
    '',
    'cbk_',
    'cbk_tnt_short_abcdefghijabcdefghijabcdefghijabcdefghij',
    `cbk_${'tnt_'.padEnd(30, 'A')}_${'a'.repeat(48)}`,
    `sk_live_${'a'.repeat(48)}`,
    `cbk_tnt_01m83a858zfwfhpsvq4nv2fbb7_${'a'.repeat(10)}`,
    `cbk_tnt_01m83a858zfwfhpsvq4nv2fbb7_${'a'.repeat(48)}!`,
  ])('rejects %j', (value) => {
    expect(parseApiKey(value)).toBeNull();
  });

  it('shows only 4 characters of the secret in the prefix', () => {
    const key = formatApiKey('tnt_01m83a858zfwfhpsvq4nv2fbb7', `abcd${'x'.repeat(44)}`);
    expect(apiKeyPrefix(key)).toBe('cbk_tnt_01m83a858zfwfhpsvq4nv2fbb7_abcd');
  });
});

describe('scopes', () => {
  const table: [ApiKeyScope[], ApiKeyScope, boolean][] = [
    [['admin'], 'admin', true],
    [['admin'], 'read', true],
    [['admin'], 'ingest', true],
    [['read'], 'read', true],
    [['read'], 'admin', false],
    [['read'], 'ingest', false],
    [['ingest'], 'ingest', true],
    [['ingest'], 'read', false],
    [['read', 'ingest'], 'ingest', true],
    [['read', 'ingest'], 'admin', false],
  ];
  it.each(table)('%j may do %s: %s', (granted, needed, allowed) => {
    expect(scopeAllows(granted, needed)).toBe(allowed);
  });
  it('knows exactly three scopes', () => {
    expect([...API_KEY_SCOPES].sort()).toEqual(['admin', 'ingest', 'read']);
  });
});
