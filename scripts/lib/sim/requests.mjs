// The HTTP requests the simulator sends, signed as their senders sign them. `headers()` is called for each
// attempt, so a Standard Webhooks timestamp is fresh on a retry (with the same webhook-id).
import { formBody, standardWebhookHeaders, twilioSignature } from './signing.mjs';

/**
 * A generic connector's delivery: `{"events": […]}` signed per Standard Webhooks.
 * @param {{ baseUrl: string, connector: { id: string, secret: string }, deliveryId: string, events: object[], now?: () => number }} o
 */
export function genericRequest({ baseUrl, connector, deliveryId, events, now = Date.now }) {
  const body = JSON.stringify({ events });
  return {
    kind: 'generic',
    url: `${baseUrl}/v1/webhooks/generic/${connector.id}`,
    body,
    headers: () => ({
      'Content-Type': 'application/json',
      ...standardWebhookHeaders(connector.secret, deliveryId, Math.floor(now() / 1000), body),
    }),
  };
}

/**
 * A Twilio form post, signed over the URL Twilio would call: the connector's public base URL and its
 * webhook path (Callboard rebuilds that URL to verify), posted to `baseUrl`.
 * @param {{ baseUrl: string, connector: { id: string, authToken: string, publicBaseUrl: string }, params: Record<string, string | number> }} o
 */
export function twilioRequest({ baseUrl, connector, params }) {
  const webhookPath = `/v1/webhooks/twilio/${connector.id}`;
  const signature = twilioSignature(connector.authToken, `${connector.publicBaseUrl}${webhookPath}`, params);
  return {
    kind: 'twilio',
    url: `${baseUrl}${webhookPath}`,
    signedUrl: `${connector.publicBaseUrl}${webhookPath}`,
    body: formBody(params),
    headers: () => ({
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signature,
      'I-Twilio-Idempotency-Token': String(params.Sid ?? params.CallSid),
    }),
  };
}

/**
 * POST /v1/events with an API key (a replay: keys resolve as an import's do).
 * @param {{ baseUrl: string, key: string, events: object[] }} o
 */
export function eventsRequest({ baseUrl, key, events }) {
  const body = JSON.stringify({ events });
  return {
    kind: 'events',
    url: `${baseUrl}/v1/events`,
    body,
    headers: () => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }),
  };
}
