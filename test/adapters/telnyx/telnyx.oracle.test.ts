import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import Telnyx from 'telnyx';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { describe, expect, it } from 'vitest';
import { verifyTelnyx } from '../../../src/adapters/telephony/telnyx/telnyx.adapter';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { bodyOf, queuedCall, telnyxHeaders, telnyxKeyPair } from './fixtures';

// The `telnyx` SDK only verifies (TelnyxWebhook.verify / client.webhooks.unwrap); it has no signer. So deliveries
// are signed as Telnyx documents it — Ed25519 over `${telnyx-timestamp}|${body}`, with Node's crypto — and every
// case must get the same verdict from the SDK's verifier and ours. The SDK reads the clock itself, so these cases
// are built around the real now.

function nodeKeyPair(): { privateKey: KeyObject; publicKeyB64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, publicKeyB64: Buffer.from(x, 'base64url').toString('base64') };
}

function signWithNode(privateKey: KeyObject, body: string, timestamp: string): Record<string, string> {
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
  return { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp };
}

const request = (rawBody: string, headers: Record<string, string>): InboundRequest => ({
  method: 'POST',
  url: 'https://callboard.example/v1/webhooks/telnyx/con_t_x',
  headers: new Headers(headers),
  rawBody,
  contentType: 'application/json',
});
const ctx = (publicKey: string): AdapterContext => ({
  connectorId: 'con_t_x',
  credentials: [{ publicKey }],
  options: {},
  nowMs: Date.now(),
});

async function sdkAccepts(publicKey: string, body: string, headers: Record<string, string>): Promise<boolean> {
  try {
    await new TelnyxWebhook(publicKey).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

const bodies = [
  ...queuedCall({ session: 'oracle-1', queue: 'sales', agent: '1001', t0: Date.now() - 600_000, answerAfter: 9, hold: [5, 20] }),
  ...queuedCall({ session: 'oracle-2', queue: 'sales', agent: null, t0: Date.now() - 600_000, answerAfter: 3 }),
].map(bodyOf);

describe('telnyx signatures: the telnyx SDK and our verifier agree', () => {
  it('accepts every fixture signed per the Telnyx documentation (Node crypto Ed25519)', async () => {
    const { privateKey, publicKeyB64 } = nodeKeyPair();
    const now = String(Math.floor(Date.now() / 1000));
    for (const body of bodies) {
      const headers = signWithNode(privateKey, body, now);
      expect(await sdkAccepts(publicKeyB64, body, headers)).toBe(true);
      expect(await verifyTelnyx(request(body, headers), ctx(publicKeyB64))).toEqual({ ok: true, credentialIndex: 0 });
    }
    const client = new Telnyx({ apiKey: 'KEY_unused', publicKey: publicKeyB64 });
    const headers = signWithNode(privateKey, bodies[0] as string, now);
    await expect(client.webhooks.unwrap(bodies[0] as string, { headers })).resolves.toMatchObject({
      data: { event_type: 'call.initiated' },
    });
  });

  it('the WebCrypto signer the workerd tests use produces what the SDK accepts', async () => {
    const { privateKey, publicKey } = await telnyxKeyPair();
    const body = bodies[3] as string;
    const headers = await telnyxHeaders(privateKey, body, Math.floor(Date.now() / 1000));
    expect(await sdkAccepts(publicKey, body, headers)).toBe(true);
    expect((await verifyTelnyx(request(body, headers), ctx(publicKey))).ok).toBe(true);
  });

  it('refuses, like the SDK, a changed body, another key, stale and future timestamps, a replayed signature, missing headers', async () => {
    const { privateKey, publicKeyB64 } = nodeKeyPair();
    const other = nodeKeyPair();
    const body = bodies[5] as string;
    const nowS = Math.floor(Date.now() / 1000);
    const at = (skew: number) => String(nowS + skew);
    const good = signWithNode(privateKey, body, at(0));
    const cases: {
      name: string;
      body: string;
      headers: Record<string, string>;
      key?: string;
      ours: 'ok' | 'invalid' | 'expired' | 'missing';
    }[] = [
      { name: 'as signed', body, headers: good, ours: 'ok' },
      { name: '299 s old', body, headers: signWithNode(privateKey, body, at(-299)), ours: 'ok' },
      { name: '299 s ahead', body, headers: signWithNode(privateKey, body, at(299)), ours: 'ok' },
      { name: 'body changed', body: body.replace('"sales"', '"billing"'), headers: good, ours: 'invalid' },
      { name: 'body with a trailing newline', body: `${body}\n`, headers: good, ours: 'invalid' },
      { name: "another account's key", body, headers: good, key: other.publicKeyB64, ours: 'invalid' },
      { name: 'signed by another key', body, headers: signWithNode(other.privateKey, body, at(0)), ours: 'invalid' },
      { name: '10 minutes old', body, headers: signWithNode(privateKey, body, at(-600)), ours: 'expired' },
      { name: '10 minutes ahead', body, headers: signWithNode(privateKey, body, at(600)), ours: 'expired' },
      // An old delivery replayed with a fresh timestamp: the signature covers the timestamp.
      {
        name: 'old signature, new timestamp',
        body,
        headers: { ...signWithNode(privateKey, body, at(-600)), 'telnyx-timestamp': at(0) },
        ours: 'invalid',
      },
      { name: 'no signature', body, headers: { 'telnyx-timestamp': at(0) }, ours: 'missing' },
      {
        name: 'no timestamp',
        body,
        headers: { 'telnyx-signature-ed25519': good['telnyx-signature-ed25519'] as string },
        ours: 'missing',
      },
    ];
    for (const c of cases) {
      const key = c.key ?? publicKeyB64;
      const sdk = await sdkAccepts(key, c.body, c.headers);
      const result = await verifyTelnyx(request(c.body, c.headers), ctx(key));
      expect(sdk, c.name).toBe(c.ours === 'ok');
      expect(result.ok ? 'ok' : result.reason, c.name).toBe(c.ours);
    }
  });
});
