import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  type StandardWebhookInput,
  signStandardWebhook,
  signStandardWebhookWithAll,
  verifyStandardWebhook,
} from './standard-webhooks';

// Fixed secrets in the format providers hand out (the first is the specification's example).
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const ID = 'msg_2Lo5Pr2m1bx3x9wk3Wb5cYzqC1y';
const NOW = 1_750_000_000;
const BODY = '{"type":"call.answered","data":{"callId":"c_1","agent":"Zoë"}}';

/** Headers exactly as the reference library (the oracle) would send them. */
function oracleHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
  };
}

function verify(overrides: Partial<StandardWebhookInput> & Pick<StandardWebhookInput, 'headers'>) {
  return verifyStandardWebhook({ secrets: SECRET, rawBody: BODY, nowSeconds: NOW, ...overrides });
}

function flipBit(bytes: Uint8Array, index: number, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ (1 << bit);
  return copy;
}

describe('verifyStandardWebhook against the standardwebhooks reference library', () => {
  it('accepts a delivery signed by the reference library', async () => {
    const result = await verify({ headers: oracleHeaders(SECRET, ID, NOW, BODY) });
    expect(result).toEqual({ ok: true, id: ID, timestamp: NOW, secretIndex: 0 });
  });

  it('signs byte-for-byte like the reference library, and the reference library verifies it', async () => {
    const now = Math.floor(Date.now() / 1000); // the reference verifies against the real clock
    const signature = await signStandardWebhook(SECRET, ID, now, BODY);
    expect(signature).toBe(new Webhook(SECRET).sign(ID, new Date(now * 1000), BODY));
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(now), 'webhook-signature': signature };
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(OTHER_SECRET).verify(BODY, headers)).toThrow('No matching signature found');
  });

  it('accepts a Headers object and a plain record with any header-name case', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    expect((await verify({ headers: new Headers(headers) })).ok).toBe(true);
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect((await verify({ headers: shouted })).ok).toBe(true);
  });

  it('accepts a secret without the whsec_ prefix, and a raw byte body', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    expect((await verify({ headers, secrets: SECRET.slice('whsec_'.length) })).ok).toBe(true);
    expect((await verify({ headers, rawBody: new TextEncoder().encode(BODY) })).ok).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and a wrong id', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    const noMatch = { ok: false, reason: 'no_matching_signature' };
    expect(await verify({ headers, rawBody: BODY.replace('c_1', 'c_2') })).toEqual(noMatch);
    expect(await verify({ headers, rawBody: `${BODY} ` })).toEqual(noMatch);
    expect(await verify({ headers, secrets: OTHER_SECRET })).toEqual(noMatch);
    expect(await verify({ headers: { ...headers, 'webhook-id': `${ID}x` } })).toEqual(noMatch);
    // The timestamp is signed too: moving it within the tolerance still breaks the signature.
    expect(await verify({ headers: { ...headers, 'webhook-timestamp': String(NOW + 1) } })).toEqual(noMatch);
  });

  it('enforces the 5-minute tolerance in both directions, inclusive of the boundary', async () => {
    const at = (timestamp: number) => verify({ headers: oracleHeaders(SECRET, ID, timestamp, BODY) });
    expect((await at(NOW - 300)).ok).toBe(true);
    expect((await at(NOW + 300)).ok).toBe(true);
    expect(await at(NOW - 301)).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(await at(NOW - 86_400)).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(await at(NOW + 301)).toEqual({ ok: false, reason: 'timestamp_in_future' });
    // Fractional seconds (Date.now() / 1000) are floored.
    const headers = oracleHeaders(SECRET, ID, NOW - 300, BODY);
    expect((await verify({ headers, nowSeconds: NOW + 0.999 })).ok).toBe(true);
  });

  it('agrees with the reference library on stale and future timestamps', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [timestamp, theirs, ours] of [
      [now - 301, 'Message timestamp too old', 'timestamp_too_old'],
      [now + 301, 'Message timestamp too new', 'timestamp_in_future'],
    ] as const) {
      const headers = { 'webhook-id': ID, 'webhook-timestamp': String(timestamp) };
      const signed = { ...headers, 'webhook-signature': await signStandardWebhook(SECRET, ID, timestamp, BODY) };
      expect(() => new Webhook(SECRET).verify(BODY, signed)).toThrow(theirs);
      expect(await verifyStandardWebhook({ secrets: SECRET, headers: signed, rawBody: BODY, nowSeconds: now })).toEqual({
        ok: false,
        reason: ours,
      });
    }
  });

  it('refuses missing or empty headers', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _omitted, ...rest } = headers;
      expect(await verify({ headers: rest })).toEqual({ ok: false, reason: 'missing_headers' });
      expect(await verify({ headers: { ...headers, [name]: '' } })).toEqual({ ok: false, reason: 'missing_headers' });
    }
    expect(await verify({ headers: new Headers() })).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('refuses timestamps that are not plain unix seconds', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    for (const timestamp of ['abc', `${NOW}abc`, `${NOW}.5`, `-${NOW}`, `+${NOW}`, '1e9', `${NOW}000`, ' 1']) {
      const result = await verify({ headers: { ...headers, 'webhook-timestamp': timestamp } });
      expect(result, timestamp).toEqual({ ok: false, reason: 'invalid_timestamp' });
    }
  });

  it('finds the one valid signature among several entries', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    const valid = headers['webhook-signature'];
    const wrong = await signStandardWebhook(OTHER_SECRET, ID, NOW, BODY);
    for (const signature of [`${wrong} ${valid}`, `${valid} ${wrong}`, `v1,short ${wrong}  v1, ${valid} v1,${'A'.repeat(44)}`]) {
      expect((await verify({ headers: { ...headers, 'webhook-signature': signature } })).ok, signature).toBe(true);
    }
    const onlyWrong = { ...headers, 'webhook-signature': `${wrong} v1,garbage` };
    expect(await verify({ headers: onlyWrong })).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('ignores entries whose version is not v1, even when they carry the right MAC', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    const mac = headers['webhook-signature']?.slice('v1,'.length);
    for (const signature of [`v1a,${mac}`, `v2,${mac}`, `V1,${mac}`, `v1a,${mac} v1,${'A'.repeat(44)}`, String(mac)]) {
      const result = await verify({ headers: { ...headers, 'webhook-signature': signature } });
      expect(result, signature).toEqual({ ok: false, reason: 'no_matching_signature' });
    }
    const mixed = { ...headers, 'webhook-signature': `v1a,${'B'.repeat(88)} ${headers['webhook-signature']}` };
    expect((await verify({ headers: mixed })).ok).toBe(true);
  });

  it('reads the signature header the way the reference library does', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = await signStandardWebhook(SECRET, ID, now, BODY);
    const mac = valid.slice('v1,'.length);
    const wrong = await signStandardWebhook(OTHER_SECRET, ID, now, BODY);
    for (const [signature, accepted] of [
      [`v1a,${mac}`, false],
      [`v1a,${'B'.repeat(88)} ${valid}`, true],
      [`${wrong} ${valid}`, true],
      [`${wrong} v1,garbage`, false],
    ] as const) {
      const headers = { 'webhook-id': ID, 'webhook-timestamp': String(now), 'webhook-signature': signature };
      const ours = await verifyStandardWebhook({ secrets: SECRET, headers, rawBody: BODY, nowSeconds: now });
      expect(ours.ok, signature).toBe(accepted);
      const theirs = () => new Webhook(SECRET).verify(BODY, headers);
      if (accepted) expect(theirs).not.toThrow();
      else expect(theirs).toThrow('No matching signature found');
    }
  });

  it('supports secret rotation: any candidate secret may match, and the match is reported', async () => {
    const fromOld = oracleHeaders(SECRET, ID, NOW, BODY);
    const fromNew = oracleHeaders(OTHER_SECRET, ID, NOW, BODY);
    const secrets = [OTHER_SECRET, SECRET];
    expect(await verify({ headers: fromNew, secrets })).toMatchObject({ ok: true, secretIndex: 0 });
    expect(await verify({ headers: fromOld, secrets })).toMatchObject({ ok: true, secretIndex: 1 });
    // During a sender-side rotation both signatures may arrive at once.
    const both = { ...fromOld, 'webhook-signature': `${fromNew['webhook-signature']} ${fromOld['webhook-signature']}` };
    expect(await verify({ headers: both, secrets: [SECRET] })).toMatchObject({ ok: true, secretIndex: 0 });
    expect(await verify({ headers: fromOld, secrets: [OTHER_SECRET] })).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('signs with several secrets at once (a rotation): one entry per secret, each the reference signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = await signStandardWebhookWithAll([OTHER_SECRET, SECRET], ID, now, BODY);
    const date = new Date(now * 1000);
    expect(header).toBe(`${new Webhook(OTHER_SECRET).sign(ID, date, BODY)} ${new Webhook(SECRET).sign(ID, date, BODY)}`);
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(now), 'webhook-signature': header };
    // A receiver that holds either secret verifies the delivery; one that holds neither does not.
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(OTHER_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(generateWebhookSecret()).verify(BODY, headers)).toThrow('No matching signature found');
    expect(await signStandardWebhookWithAll([SECRET], ID, now, BODY)).toBe(await signStandardWebhook(SECRET, ID, now, BODY));
    await expect(signStandardWebhookWithAll([], ID, now, BODY)).rejects.toThrow(/at least one secret/);
  });

  it('reports a malformed or missing secret as invalid_secret', async () => {
    const headers = oracleHeaders(SECRET, ID, NOW, BODY);
    for (const secrets of ['whsec_', '', 'whsec_not base64!', 'whsec_abcde', [], [SECRET, 'whsec_%%%%']]) {
      expect(await verify({ headers, secrets }), JSON.stringify(secrets)).toEqual({ ok: false, reason: 'invalid_secret' });
    }
    await expect(signStandardWebhook('whsec_', ID, NOW, BODY)).rejects.toThrow(/secret/);
    await expect(signStandardWebhook(SECRET, ID, 1.5, BODY)).rejects.toThrow(RangeError);
  });

  it('generates whsec_ secrets of 32 random bytes that the reference library accepts', async () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(generateWebhookSecret()).not.toBe(secret);
    const signature = await signStandardWebhook(secret, ID, NOW, BODY);
    expect(signature).toBe(new Webhook(secret).sign(ID, new Date(NOW * 1000), BODY));
  });
});

describe('verifyStandardWebhook properties', () => {
  const secret = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => `whsec_${btoa(String.fromCharCode(...bytes))}`);
  const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
  const body = fc.string({ unit: 'binary', maxLength: 300 });
  const timestamp = fc.integer({ min: NOW - 300, max: NOW + 300 });

  it('any secret, id, timestamp and body round-trips, and matches the reference signature', async () => {
    await fc.assert(
      fc.asyncProperty(secret, id, timestamp, body, async (secret, id, timestamp, body) => {
        const signature = await signStandardWebhook(secret, id, timestamp, body);
        expect(signature).toBe(new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
        const result = await verifyStandardWebhook({ secrets: secret, headers, rawBody: body, nowSeconds: NOW });
        expect(result).toEqual({ ok: true, id, timestamp, secretIndex: 0 });
      }),
      { numRuns: 200 },
    );
  });

  it('any single-bit change of the body bytes is refused', async () => {
    const bytesAndFlip = fc
      .uint8Array({ minLength: 1, maxLength: 300 })
      .chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 7 })));
    await fc.assert(
      fc.asyncProperty(bytesAndFlip, async ([bytes, index, bit]) => {
        const signature = await signStandardWebhook(SECRET, ID, NOW, bytes);
        const headers = { 'webhook-id': ID, 'webhook-timestamp': String(NOW), 'webhook-signature': signature };
        const ok = await verifyStandardWebhook({ secrets: SECRET, headers, rawBody: bytes, nowSeconds: NOW });
        expect(ok.ok).toBe(true);
        const tampered = flipBit(bytes, index, bit);
        const result = await verifyStandardWebhook({ secrets: SECRET, headers, rawBody: tampered, nowSeconds: NOW });
        expect(result).toEqual({ ok: false, reason: 'no_matching_signature' });
      }),
      { numRuns: 200 },
    );
  });

  it('any single-character change of a text body is refused', async () => {
    const bodyAndEdit = body
      .filter((s) => s.length > 0)
      .chain((s) =>
        fc.tuple(fc.constant(s), fc.nat({ max: s.length - 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      );
    await fc.assert(
      fc.asyncProperty(bodyAndEdit, async ([original, index, replacement]) => {
        const edited = original.slice(0, index) + replacement + original.slice(index + 1);
        fc.pre(edited !== original);
        const headers = oracleHeaders(SECRET, ID, NOW, original);
        const result = await verifyStandardWebhook({ secrets: SECRET, headers, rawBody: edited, nowSeconds: NOW });
        expect(result).toEqual({ ok: false, reason: 'no_matching_signature' });
      }),
      { numRuns: 200 },
    );
  });
});
