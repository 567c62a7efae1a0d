import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { freeswitchAdapter } from '../../../src/adapters/telephony/freeswitch/freeswitch.adapter';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { generateWebhookSecret, signStandardWebhook } from '../../../src/lib/standard-webhooks';
import { FS_CASES } from './fixtures';

// Oracle: the `standardwebhooks` library (the Standard Webhooks reference implementation) signs the
// ESL forwarder's deliveries; our WebCrypto verify() must accept exactly those. The other direction is
// checked too: what our signer produces, the library's verify() accepts (and parses back to the events).

const body = JSON.stringify(FS_CASES.map((c) => c.event));

function request(rawBody: string, headers: Record<string, string>): InboundRequest {
  return {
    method: 'POST',
    url: 'https://callboard.example/v1/webhooks/freeswitch/con_x',
    headers: new Headers({ ...headers, 'Content-Type': 'application/json' }),
    rawBody,
    contentType: 'application/json',
  };
}

const context = (secrets: string[], nowMs = Date.now()): AdapterContext => ({
  connectorId: 'con_x',
  credentials: secrets.map((secret) => ({ secret })),
  options: {},
  nowMs,
});

function vendorSigned(secret: string, rawBody = body, at = new Date(), id = 'msg_fs_9QmX2') {
  return request(rawBody, {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, rawBody),
  });
}

describe('freeswitch forwarder deliveries signed by standardwebhooks', () => {
  const secret = generateWebhookSecret();

  it('verify with our verify(), also with the previous secret during a rotation', async () => {
    expect(await freeswitchAdapter.verify(vendorSigned(secret), context([secret]))).toEqual({ ok: true, credentialIndex: 0 });
    expect(await freeswitchAdapter.verify(vendorSigned(secret), context([generateWebhookSecret(), secret]))).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });

  it('do not verify when tampered, under another secret, stale or from the future', async () => {
    const signed = vendorSigned(secret);
    const tampered = request(body.replace('NORMAL_CLEARING', 'USER_BUSY'), Object.fromEntries(signed.headers));
    expect(await freeswitchAdapter.verify(tampered, context([secret]))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await freeswitchAdapter.verify(vendorSigned(generateWebhookSecret()), context([secret]))).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    const stale = vendorSigned(secret, body, new Date(Date.now() - 6 * 60_000));
    expect(await freeswitchAdapter.verify(stale, context([secret]))).toMatchObject({ ok: false, reason: 'expired' });
    const future = vendorSigned(secret, body, new Date(Date.now() + 6 * 60_000));
    expect(await freeswitchAdapter.verify(future, context([secret]))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('a replay verifies only within the 5-minute window, and normalizes to the same ids (a duplicate, no effect)', async () => {
    const at = new Date();
    const signed = vendorSigned(secret, body, at);
    expect(await freeswitchAdapter.verify(signed, context([secret], at.getTime() + 60_000))).toMatchObject({ ok: true });
    expect(await freeswitchAdapter.verify(signed, context([secret], at.getTime() + 301_000))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const first = await freeswitchAdapter.normalize(signed, context([secret]));
    const replay = await freeswitchAdapter.normalize(vendorSigned(secret, body, at), context([secret]));
    expect(first.events.length).toBeGreaterThan(0);
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });

  it('our signer produces what the library verifies', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = await signStandardWebhook(secret, 'msg_ours', ts, body);
    const headers = { 'webhook-id': 'msg_ours', 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
  });
});
