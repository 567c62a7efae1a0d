import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { plivoAdapter } from '../../../src/adapters/telephony/plivo/plivo.adapter';
import { signPlivoV3 } from '../../../src/adapters/telephony/plivo/plivo.signature';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { CUSTOMER, customerHangup, dialAnswer, type Form, formBody, KNOWN_ANSWER } from './fixtures';

/**
 * Oracles for X-Plivo-Signature-V3. plivo@4.79.0 only verifies (`validateV3Signature`); it has no
 * signer. So both directions are checked:
 * 1. requests signed by OUR signer must pass plivo's own `validateV3Signature`;
 * 2. requests signed by hand with Node's crypto, following Plivo's documented algorithm (see
 *    ./plivo.signature.ts), must pass OUR verify();
 * and what one refuses, the other refuses.
 */
const plivo = createRequire(import.meta.url)('plivo') as {
  validateV3Signature: (
    method: string,
    uri: string,
    nonce: string,
    authToken: string,
    signature: string,
    params?: Record<string, string | string[]>,
  ) => boolean;
};

const TOKEN = 'MAXXXXXXXXXXXXXXXXXX-oracle-token';

/** Form pairs as the params object plivo's verifier takes (repeated keys as arrays). */
function paramsObject(form: Form): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of form) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Plivo's documented V3 algorithm, written independently of ours with Node's crypto. */
function nodeSign(token: string, method: 'GET' | 'POST', url: string, form: Form, nonce: string): string {
  const [withoutFragment = ''] = url.split('#');
  const [path = '', rawQuery] = withoutFragment.split('?');
  const sortPairs = (pairs: Form) =>
    [...pairs].sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  const query = rawQuery ? [...new URLSearchParams(rawQuery)] : [];
  let base: string;
  if (method === 'GET') {
    const q = sortPairs([...query, ...form]).map(([k, v]) => `${k}=${v}`);
    base = q.length ? `${path}?${q.join('&')}` : path;
  } else {
    const q = sortPairs(query)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    base = path;
    if (q || form.length) base += `?${q}`;
    if (q && form.length) base += '.';
    base += sortPairs(form)
      .map(([k, v]) => `${k}${v}`)
      .join('');
  }
  return createHmac('sha256', token).update(`${base}.${nonce}`).digest('base64');
}

const ctx = (authToken = TOKEN): AdapterContext => ({
  connectorId: 'con_t_1',
  credentials: [{ authToken }],
  options: { timeZone: 'America/New_York' },
  nowMs: Date.parse('2024-06-04T19:40:00Z'),
});

function inbound(method: 'GET' | 'POST', url: string, form: Form, nonce: string, signature: string): InboundRequest {
  return {
    method,
    url,
    headers: new Headers({ 'X-Plivo-Signature-V3': signature, 'X-Plivo-Signature-V3-Nonce': nonce }),
    rawBody: method === 'POST' ? formBody(form) : '',
    contentType: method === 'POST' ? 'application/x-www-form-urlencoded' : null,
  };
}

const CASES: { name: string; method: 'GET' | 'POST'; url: string; form: Form }[] = [
  {
    name: 'hangup callback on a tagged URL',
    method: 'POST',
    url: `https://cb.example.com/v1/webhooks/plivo/con_1?queue=billing`,
    form: customerHangup,
  },
  { name: 'Dial callback, no query', method: 'POST', url: 'https://cb.example.com/v1/webhooks/plivo/con_1', form: dialAnswer },
  {
    name: 'several tags, a port, percent-encoding',
    method: 'POST',
    url: `http://cb.example.com:8787/v1/webhooks/plivo/con_1?queue=Billing%20EU&agent=alice&interaction=${CUSTOMER}`,
    form: dialAnswer,
  },
  {
    name: 'repeated keys, empty values, spaces and non-ASCII',
    method: 'POST',
    url: 'https://cb.example.com/v1/webhooks/plivo/con_1?z=2&a=1&a=0',
    form: [
      ['Digits', '2'],
      ['Digits', '1'],
      ['CallerName', 'Zoë Müller'],
      ['Empty', ''],
      ['Note', 'a+b c'],
    ],
  },
  { name: 'a POST with no params', method: 'POST', url: 'https://cb.example.com/v1/webhooks/plivo/con_1?queue=q', form: [] },
  {
    name: 'a GET callback',
    method: 'GET',
    url: `https://cb.example.com/v1/webhooks/plivo/con_1?CallUUID=${CUSTOMER}&Event=Hangup&queue=q`,
    form: [],
  },
];

describe('Plivo V3 signatures: plivo@4.79.0 validateV3Signature is the oracle', () => {
  it.each(CASES)('our signature passes plivo validateV3Signature: $name', async ({ method, url, form }) => {
    const nonce = '89123712830918230918';
    const signature = await signPlivoV3(TOKEN, { method, url, params: form, nonce });
    expect(plivo.validateV3Signature(method, url, nonce, TOKEN, signature, paramsObject(form))).toBe(true);
    // ...and agrees with the documented algorithm done by hand.
    expect(signature).toBe(nodeSign(TOKEN, method, url, form, nonce));
  });

  it.each(CASES)('a hand-signed (Node crypto) request passes our verify(): $name', async ({ method, url, form }) => {
    const nonce = '31415926535897932384';
    const signature = nodeSign(TOKEN, method, url, form, nonce);
    expect(plivo.validateV3Signature(method, url, nonce, TOKEN, signature, paramsObject(form))).toBe(true);
    expect(await plivoAdapter.verify(inbound(method, url, form, nonce, signature), ctx())).toEqual({
      ok: true,
      credentialIndex: 0,
    });
  });

  it('the known-answer vector used by the workerd tests is right', () => {
    const { authToken, url, nonce, signature } = KNOWN_ANSWER;
    expect(nodeSign(authToken, 'POST', url, customerHangup, nonce)).toBe(signature);
    expect(plivo.validateV3Signature('POST', url, nonce, authToken, signature, paramsObject(customerHangup))).toBe(true);
  });

  it('both refuse a tampered body, another URL, another nonce and the wrong token', async () => {
    const url = 'https://cb.example.com/v1/webhooks/plivo/con_1?queue=billing';
    const nonce = '27182818284590452353';
    const signature = nodeSign(TOKEN, 'POST', url, customerHangup, nonce);
    const tampered = customerHangup.map(([k, v]): [string, string] => [k, k === 'EndTime' ? '2024-06-04 16:35:09' : v]);
    const cases: { name: string; url: string; form: Form; nonce: string; token: string }[] = [
      { name: 'tampered body', url, form: tampered, nonce, token: TOKEN },
      { name: 'another URL', url: url.replace('billing', 'sales'), form: customerHangup, nonce, token: TOKEN },
      { name: 'another nonce', url, form: customerHangup, nonce: `${nonce}1`, token: TOKEN },
      { name: 'wrong token', url, form: customerHangup, nonce, token: 'not-the-signing-token' },
    ];
    for (const c of cases) {
      expect(plivo.validateV3Signature('POST', c.url, c.nonce, c.token, signature, paramsObject(c.form)), c.name).toBe(false);
      const verdict = await plivoAdapter.verify(inbound('POST', c.url, c.form, c.nonce, signature), ctx(c.token));
      expect(verdict, c.name).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('the scheme has a nonce but no timestamp: neither plivo nor we refuse a replay; its event ids repeat, so it has no effect', async () => {
    const url = 'https://cb.example.com/v1/webhooks/plivo/con_1?queue=billing';
    const nonce = '16180339887498948482';
    const signature = nodeSign(TOKEN, 'POST', url, customerHangup, nonce);
    const req = inbound('POST', url, customerHangup, nonce, signature);
    for (let i = 0; i < 2; i++) {
      expect(plivo.validateV3Signature('POST', url, nonce, TOKEN, signature, paramsObject(customerHangup))).toBe(true);
      expect(await plivoAdapter.verify(req, ctx())).toMatchObject({ ok: true });
    }
    const first = await plivoAdapter.normalize(req, ctx());
    const replay = await plivoAdapter.normalize(req, { ...ctx(), nowMs: ctx().nowMs + 3_600_000 });
    expect(replay.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });
});
