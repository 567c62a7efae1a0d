// Oracle: Twilio's own npm library (twilio@6.2.0, lib/webhooks/webhooks.js) signs the deliveries our
// WebCrypto verifier must accept, and judges the ones it must refuse. Twilio's library has a signer
// (getExpectedTwilioSignature, getExpectedBodyHash), so every fixture here is signed by the vendor.
// Runs in Node (the library needs node:crypto).
import querystring from 'node:querystring';
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { withLegacyQuerystring } from '../../../src/adapters/telephony/twilio/signature';
import { twilioAdapter } from '../../../src/adapters/telephony/twilio/twilio.adapter';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import {
  AUTH_TOKEN,
  callStatus,
  enqueueAction,
  formBody,
  formPairs,
  OTHER_AUTH_TOKEN,
  type Params,
  sid,
  signTwilio,
  taskRouterCallback,
  taskRouterCloudEvent,
  withBodyHash,
} from './fixtures';

const BASE = 'https://cb.example.com/v1/webhooks/twilio/con_oracle';
const T = Date.UTC(2024, 5, 4, 10, 0, 0);
const ctx: AdapterContext = { connectorId: 'con_oracle', credentials: [{ authToken: AUTH_TOKEN }], options: {}, nowMs: T };

/** The body's parameters as Express hands them to the library: repeated keys become arrays. */
function expressParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of formPairs(body)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

const formRequest = (url: string, body: string, signature: string): InboundRequest => ({
  method: 'POST',
  url,
  headers: new Headers({ 'X-Twilio-Signature': signature }),
  rawBody: body,
  contentType: 'application/x-www-form-urlencoded',
});

const verify = (req: InboundRequest, c: AdapterContext = ctx) => twilioAdapter.verify(req, c);

const FIXTURES: [string, Params][] = [
  ['a voice status callback', callStatus({ callSid: sid('CA', 'c1'), status: 'completed', atMs: T, seq: 3, durationS: 187 })],
  [
    'an <Enqueue> action request',
    enqueueAction({ callSid: sid('CA', 'c1'), result: 'hangup', queueSid: sid('QU', 'q'), queueTimeS: 47 }),
  ],
  [
    'a TaskRouter callback (JSON attributes, spaces, unicode)',
    taskRouterCallback({
      eventType: 'worker.activity.update',
      eventSid: sid('EV', 'e1'),
      atMs: T,
      worker: {
        workerSid: sid('WK', 'w'),
        name: 'Zoë Müller',
        activity: 'Lunch Break',
        previousActivity: 'Available',
        msInPrevious: 61_000,
      },
    }),
  ],
];

describe('X-Twilio-Signature, form posts, signed by twilio.getExpectedTwilioSignature', () => {
  it.each(FIXTURES)('%s verifies with ours; tampering, another token or another URL does not', async (_name, params) => {
    const body = formBody(params);
    const lib = expressParams(body);
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, BASE, lib);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, BASE, lib)).toBe(true);
    expect(await verify(formRequest(BASE, body, signature))).toEqual({ ok: true, credentialIndex: 0 });

    const tampered = body.replace(/(AccountSid=AC)[0-9a-f]/, '$1z');
    expect(tampered).not.toBe(body);
    expect(twilio.validateRequest(AUTH_TOKEN, signature, BASE, expressParams(tampered))).toBe(false);
    expect(await verify(formRequest(BASE, tampered, signature))).toMatchObject({ ok: false, reason: 'invalid' });

    const otherToken = twilio.getExpectedTwilioSignature(OTHER_AUTH_TOKEN, BASE, lib);
    expect(await verify(formRequest(BASE, body, otherToken))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verify(formRequest(`${BASE}x`, body, signature))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('the test signer used by the workerd tests computes what the library computes', async () => {
    for (const [, params] of FIXTURES) {
      const body = `${formBody(params)}&Tag=b&Tag=a&Tag=b`;
      expect(await signTwilio(AUTH_TOKEN, BASE, formPairs(body))).toBe(
        twilio.getExpectedTwilioSignature(AUTH_TOKEN, BASE, expressParams(body)),
      );
    }
    const json = JSON.stringify([{ type: 'com.twilio.taskrouter.task.created' }]);
    const url = await withBodyHash(BASE, json);
    expect(url).toBe(`${BASE}?bodySHA256=${twilio.getExpectedBodyHash(json)}`);
    expect(await signTwilio(AUTH_TOKEN, url, null)).toBe(twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {}));
  });

  it('agrees with the library on any parameters, repeated keys and query strings (property)', async () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,3}$/);
    const value = fc.string({ unit: 'grapheme', maxLength: 12 });
    const query = fc.array(fc.tuple(key, value), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 8 }), query, async (pairs, q) => {
        const url = q.length === 0 ? BASE : `${BASE}?${new URLSearchParams(q).toString()}`;
        const body = new URLSearchParams(pairs).toString();
        const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, expressParams(body));
        expect(await verify(formRequest(url, body, signature))).toMatchObject({ ok: true });
        const wrong = twilio.getExpectedTwilioSignature(OTHER_AUTH_TOKEN, url, expressParams(body));
        expect(await verify(formRequest(url, body, wrong))).toMatchObject({ ok: false });
      }),
      { numRuns: 150 },
    );
  });

  it('takes the URL variants the library takes: with/without the default port, escaped query characters', async () => {
    const body = formBody(FIXTURES[0]?.[1] ?? {});
    const lib = expressParams(body);
    // Signed with :443, reached without (and the reverse).
    const withPort = 'https://cb.example.com:443/v1/webhooks/twilio/con_oracle';
    const sigWithPort = twilio.getExpectedTwilioSignature(AUTH_TOKEN, withPort, lib);
    expect(twilio.validateRequest(AUTH_TOKEN, sigWithPort, BASE, lib)).toBe(true);
    expect(await verify(formRequest(BASE, body, sigWithPort))).toMatchObject({ ok: true });
    const sigNoPort = twilio.getExpectedTwilioSignature(AUTH_TOKEN, BASE, lib);
    expect(await verify(formRequest(withPort, body, sigNoPort))).toMatchObject({ ok: true });
    // Twilio signs the URL as configured (`'` raw); the runtime hands us the WHATWG form (`%27`).
    const raw = `${BASE}?team=O'Brien&x=1`;
    const reached = new URL(raw).toString();
    expect(reached).toContain('%27');
    const sigRaw = twilio.getExpectedTwilioSignature(AUTH_TOKEN, raw, lib);
    expect(twilio.validateRequest(AUTH_TOKEN, sigRaw, reached, lib)).toBe(true);
    expect(await verify(formRequest(reached, body, sigRaw))).toMatchObject({ ok: true });
    // A port that is not the default is part of what was signed.
    const sigOtherPort = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      'https://cb.example.com:8443/v1/webhooks/twilio/con_oracle',
      lib,
    );
    expect(twilio.validateRequest(AUTH_TOKEN, sigOtherPort, BASE, lib)).toBe(false);
    expect(await verify(formRequest(BASE, body, sigOtherPort))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it("re-encodes a query as Node's legacy querystring does (the library's last fallback)", () => {
    const pair = fc.tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }));
    const legacy = (q: string) => `${BASE}?${querystring.stringify(querystring.parse(q))}`;
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 5 }), (pairs) => {
        const q = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        let expected: string;
        try {
          expected = legacy(q);
        } catch {
          return; // Node throws on lone surrogates; so does our version, and the candidate is skipped.
        }
        expect(withLegacyQuerystring(`${BASE}?${q}`)).toBe(expected);
      }),
      { numRuns: 300 },
    );
    for (const q of ['a=1&&b=2&c&=x&d=%27&e=a+b&1=z&b=3', 'a=%zz', 'a=%E2%82', 'x=1&x=1&x=2', 'a=b=c', '=']) {
      expect(withLegacyQuerystring(`${BASE}?${q}`), q).toBe(legacy(q));
    }
  });
});

describe('X-Twilio-Signature, JSON bodies (Event Streams), signed by the library over the URL with bodySHA256', () => {
  const body = JSON.stringify([
    taskRouterCloudEvent({
      eventType: 'task-queue.entered',
      eventSid: sid('EV', 'json'),
      atMs: T,
      task: { taskSid: sid('WT', 't'), callSid: sid('CA', 'c'), queueSid: sid('WQ', 'q'), queueName: 'Billing', enteredMs: T },
    }),
  ]);
  const jsonRequest = (url: string, raw: string, signature: string): InboundRequest => ({
    method: 'POST',
    url,
    headers: new Headers({ 'X-Twilio-Signature': signature }),
    rawBody: raw,
    contentType: 'application/json',
  });

  it('verifies with ours, with and without other query parameters; a tampered body or another token does not', async () => {
    for (const configured of [BASE, `${BASE}?next=${encodeURIComponent('https://app.example.com/x')}`]) {
      const url = `${configured}${configured.includes('?') ? '&' : '?'}bodySHA256=${twilio.getExpectedBodyHash(body)}`;
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
      expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, body)).toBe(true);
      expect(await verify(jsonRequest(url, body, signature))).toEqual({ ok: true, credentialIndex: 0 });

      const tampered = body.replace('Billing', 'Billinh');
      expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, tampered)).toBe(false);
      expect(await verify(jsonRequest(url, tampered, signature))).toMatchObject({ ok: false, reason: 'invalid' });

      const other = twilio.getExpectedTwilioSignature(OTHER_AUTH_TOKEN, url, {});
      expect(twilio.validateRequestWithBody(AUTH_TOKEN, other, url, body)).toBe(false);
      expect(await verify(jsonRequest(url, body, other))).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('has no timestamp or nonce: a replay verifies in both, so replays rely on deterministic event ids', async () => {
    // Twilio's scheme carries no iat/nonce: "stale" cannot be detected by anyone, the library included.
    const url = `${BASE}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    const req = jsonRequest(url, body, signature);
    expect(await verify(req)).toMatchObject({ ok: true });
    expect(await verify(req, { ...ctx, nowMs: T + 7 * 86_400_000 })).toMatchObject({ ok: true });
    expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, body)).toBe(true);
    const a = await twilioAdapter.normalize(req, ctx);
    const b = await twilioAdapter.normalize(req, { ...ctx, nowMs: T + 7 * 86_400_000 });
    expect(b.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
    expect(a.events).toHaveLength(1);
  });
});
