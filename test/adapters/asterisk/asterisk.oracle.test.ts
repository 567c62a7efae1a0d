import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { asteriskAdapter } from '../../../src/adapters/telephony/asterisk/asterisk.adapter';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { generateWebhookSecret, signStandardWebhook } from '../../../src/lib/standard-webhooks';
import { AMI_CASES, QUEUE_LOG_FILE } from './fixtures';

// Oracle: the `standardwebhooks` library (the Standard Webhooks reference implementation) signs the
// forwarder's deliveries; our WebCrypto verify() must accept exactly those. The other direction is
// checked too: what our signer produces, the library's verify() accepts.

const bodies = [
  ['queue_log lines', QUEUE_LOG_FILE, 'text/plain'],
  ['AMI events', JSON.stringify(AMI_CASES.map((c) => c.event)), 'application/json'],
] as const;

function request(rawBody: string, contentType: string, headers: Record<string, string>): InboundRequest {
  return {
    method: 'POST',
    url: 'https://callboard.example/v1/webhooks/asterisk/con_x',
    headers: new Headers({ ...headers, 'Content-Type': contentType }),
    rawBody,
    contentType,
  };
}

const context = (secrets: string[], nowMs = Date.now()): AdapterContext => ({
  connectorId: 'con_x',
  credentials: secrets.map((secret) => ({ secret })),
  options: {},
  nowMs,
});

/** A delivery signed by the vendor library. */
function vendorSigned(secret: string, body: string, contentType: string, at = new Date(), id = 'msg_2k4TvYqLb8Xz') {
  return request(body, contentType, {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  });
}

describe.each(bodies)('asterisk forwarder deliveries (%s) signed by standardwebhooks', (_, body, contentType) => {
  const secret = generateWebhookSecret();

  it('verify with our verify()', async () => {
    expect(await asteriskAdapter.verify(vendorSigned(secret, body, contentType), context([secret]))).toEqual({
      ok: true,
      credentialIndex: 0,
    });
    // Signed with the previous secret during a rotation.
    expect(
      await asteriskAdapter.verify(vendorSigned(secret, body, contentType), context([generateWebhookSecret(), secret])),
    ).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });

  it('do not verify when tampered, under another secret, stale or from the future', async () => {
    const signed = vendorSigned(secret, body, contentType);
    const tampered = request(`${body} `, contentType, Object.fromEntries(signed.headers));
    expect(await asteriskAdapter.verify(tampered, context([secret]))).toMatchObject({ ok: false, reason: 'invalid' });
    const other = vendorSigned(generateWebhookSecret(), body, contentType);
    expect(await asteriskAdapter.verify(other, context([secret]))).toMatchObject({ ok: false, reason: 'invalid' });
    const stale = vendorSigned(secret, body, contentType, new Date(Date.now() - 6 * 60_000));
    expect(await asteriskAdapter.verify(stale, context([secret]))).toMatchObject({ ok: false, reason: 'expired' });
    const future = vendorSigned(secret, body, contentType, new Date(Date.now() + 6 * 60_000));
    expect(await asteriskAdapter.verify(future, context([secret]))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('a replay verifies only within the 5-minute window, and normalizes to the same ids (a duplicate, no effect)', async () => {
    const at = new Date();
    const signed = vendorSigned(secret, body, contentType, at);
    expect(await asteriskAdapter.verify(signed, context([secret], at.getTime() + 60_000))).toMatchObject({ ok: true });
    expect(await asteriskAdapter.verify(signed, context([secret], at.getTime() + 301_000))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const first = await asteriskAdapter.normalize(signed, context([secret]));
    const replay = await asteriskAdapter.normalize(vendorSigned(secret, body, contentType, at), context([secret]));
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(first.events.length).toBeGreaterThan(0);
  });

  it('our signer produces what the library verifies', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = await signStandardWebhook(secret, 'msg_ours', ts, body);
    const headers = { 'webhook-id': 'msg_ours', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    expect(() => new Webhook(secret).verify(body, headers, { jsonParse: false })).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers, { jsonParse: false })).toThrow(/signature/i);
  });
});
