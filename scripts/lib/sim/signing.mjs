// Signing deliveries as the senders do: Standard Webhooks for the generic connector, X-Twilio-Signature
// for the Twilio connector. node:crypto; checked against the `standardwebhooks` and `twilio` packages by
// test/node/simulator-signing.test.ts.
import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks headers for a body: `webhook-signature: v1,<base64 HMAC-SHA256>` of
 * `<id>.<timestamp>.<body>`, keyed with the base64-decoded secret after `whsec_`.
 * @param {string} secret `whsec_…`
 * @param {string} id the delivery's id (the same on a retry)
 * @param {number} timestampSeconds unix seconds (now: Callboard allows 5 minutes either way)
 * @param {string} body
 */
export function standardWebhookHeaders(secret, id, timestampSeconds, body) {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}

/**
 * X-Twilio-Signature of a form POST: base64(HMAC-SHA1(authToken, url + each key in sorted order followed
 * by its value)). `url` is the exact URL Twilio would call: the connector's publicBaseUrl + webhookPath.
 * @param {string} authToken
 * @param {string} url
 * @param {Record<string, string | number>} params
 */
export function twilioSignature(authToken, url, params) {
  let data = url;
  for (const key of Object.keys(params).sort()) data += key + String(params[key]);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** A form body as Twilio sends it (`application/x-www-form-urlencoded`, `+` for spaces). */
export function formBody(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) p.append(k, String(v));
  return p.toString();
}
