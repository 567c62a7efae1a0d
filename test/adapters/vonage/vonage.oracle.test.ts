import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { tokenGenerate, verifySignature } from '@vonage/jwt';
import { describe, expect, it } from 'vitest';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { verifyVonage } from '../../../src/adapters/telephony/vonage/vonage.adapter';
import { vonageJwt, vonageQueuedCall } from './fixtures';

// @vonage/jwt verifies (`verifySignature`: jsonwebtoken with RS256 or HS256) but only generates RS256 tokens with an
// application's private key (`tokenGenerate`); Vonage signs webhooks with HS256 and the account's signature secret.
// So: HS256 tokens are made per Vonage's signed-webhook documentation — with jsonwebtoken (the library @vonage/jwt
// verifies with), by hand with Node's HMAC, and with the WebCrypto signer the workerd tests use — and must pass both
// `verifySignature` and ours. `verifySignature` checks neither payload_hash nor the age of iat; ours does, so a
// changed body or a stale token passes the library's check and must fail ours. `tokenGenerate`'s RS256 token, with a
// payload_hash claim, is what an application (not Vonage) signs: ours refuses it.

// jsonwebtoken (a dependency of @vonage/jwt) ships no types; only these two functions are used.
const jwt = createRequire(import.meta.url)('jsonwebtoken') as {
  sign(claims: object, secret: string, options: { algorithm: 'HS256' }): string;
  decode(token: string): unknown;
};

const SECRET = 'vonage-signature-secret-0123456789';
const sha256 = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');
const documentedClaims = (body: string, iat: number) => ({
  iat,
  jti: `jti-${iat}-${Math.random()}`,
  iss: 'Vonage',
  payload_hash: sha256(body),
  api_key: 'a1b2c3d4',
  application_id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
});

function byHand(secret: string, claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signingInput = `${enc({ typ: 'JWT', alg: 'HS256' })}.${enc(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

const request = (rawBody: string, token: string): InboundRequest => ({
  method: 'POST',
  url: 'https://callboard.example/v1/webhooks/vonage/con_t_v',
  headers: new Headers({ authorization: `Bearer ${token}`, 'content-type': 'application/json' }),
  rawBody,
  contentType: 'application/json',
});
const ctx = (secret = SECRET): AdapterContext => ({
  connectorId: 'con_t_v',
  credentials: [{ signatureSecret: secret }],
  options: {},
  nowMs: Date.now(),
});
const verdict = async (body: string, token: string, secret = SECRET) => {
  const r = await verifyVonage(request(body, token), ctx(secret));
  return r.ok ? 'ok' : r.reason;
};

const bodies = [
  ...vonageQueuedCall({
    call: 'oracle-1',
    queue: 'sales',
    agent: 'alice',
    t0: Date.now() - 600_000,
    answerAfter: 9,
    hold: [5, 20],
  }),
  ...vonageQueuedCall({ call: 'oracle-2', queue: 'sales', agent: null, t0: Date.now() - 600_000, answerAfter: 3 }),
].map((s) => s.body);

describe('vonage signatures: @vonage/jwt and our verifier agree', () => {
  it('every fixture signed per the documentation (jsonwebtoken HS256, Node HMAC by hand) passes both', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const body of bodies) {
      for (const token of [
        jwt.sign(documentedClaims(body, now), SECRET, { algorithm: 'HS256' }),
        byHand(SECRET, documentedClaims(body, now)),
      ]) {
        expect(verifySignature(token, SECRET)).toBe(true);
        expect(await verdict(body, token)).toBe('ok');
      }
    }
  });

  it('the WebCrypto signer the workerd tests use produces what @vonage/jwt accepts', async () => {
    const body = bodies[4] as string;
    const token = await vonageJwt(SECRET, body);
    expect(verifySignature(token, SECRET)).toBe(true);
    expect(jwt.decode(token)).toMatchObject({ iss: 'Vonage', payload_hash: sha256(body) });
    expect(await verdict(body, token)).toBe('ok');
  });

  it('another secret fails both; an expired exp fails both', async () => {
    const body = bodies[0] as string;
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign(documentedClaims(body, now), SECRET, { algorithm: 'HS256' });
    expect(verifySignature(token, 'another-secret-entirely')).toBe(false);
    expect(await verdict(body, token, 'another-secret-entirely')).toBe('invalid');
    const expired = jwt.sign({ ...documentedClaims(body, now - 120), exp: now - 60 }, SECRET, { algorithm: 'HS256' });
    expect(verifySignature(expired, SECRET)).toBe(false);
    expect(await verdict(body, expired)).toBe('expired');
  });

  it('what the library does not check, ours refuses: a changed body, a stale iat, a replay, a future iat', async () => {
    const body = bodies[2] as string;
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign(documentedClaims(body, now), SECRET, { algorithm: 'HS256' });
    const changed = body.replace('"14845552121"', '"14845552122"');
    expect(changed).not.toBe(body);
    expect(verifySignature(token, SECRET)).toBe(true);
    expect(await verdict(changed, token)).toBe('invalid');
    const stale = jwt.sign(documentedClaims(body, now - 600), SECRET, { algorithm: 'HS256' });
    expect(verifySignature(stale, SECRET)).toBe(true);
    expect(await verdict(body, stale)).toBe('expired');
    // The same signed delivery replayed six minutes later.
    const replay = await verifyVonage(request(body, token), { ...ctx(), nowMs: Date.now() + 6 * 60_000 });
    expect(replay).toMatchObject({ ok: false, reason: 'expired' });
    const ahead = jwt.sign(documentedClaims(body, now + 600), SECRET, { algorithm: 'HS256' });
    expect(await verdict(body, ahead)).toBe('expired');
  });

  it("tokenGenerate's RS256 token with a payload_hash is valid for the library with the public key, and refused by ours", async () => {
    const body = bodies[1] as string;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const token = tokenGenerate('aaaaaaaa-bbbb-cccc-dddd-0123456789ab', pem, { payload_hash: sha256(body) } as never);
    expect(jwt.decode(token)).toMatchObject({ payload_hash: sha256(body) });
    expect(verifySignature(token, publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(true);
    expect(await verdict(body, token)).toBe('invalid');
  });
});
