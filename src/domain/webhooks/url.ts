/** Where a webhook may be sent, checked when an endpoint is created or changed. */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why `url` cannot be an endpoint's URL, or null when it can: an absolute `https://` URL without credentials or
 * fragment; `http://` only to the loopback host (127.0.0.1, localhost, [::1]) and only when `allowLoopbackHttp`
 * (`ALLOW_HTTP_WEBHOOKS`, set by `npm start` and the tests).
 */
export function webhookUrlProblem(url: string, allowLoopbackHttp: boolean): string | null {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `At most ${MAX_WEBHOOK_URL_LENGTH} characters.`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not an absolute URL.';
  }
  if (parsed.protocol === 'http:') {
    if (!allowLoopbackHttp) return 'Must be https://.';
    if (!LOOPBACK.has(parsed.hostname)) return 'Must be https:// (plain http:// only to 127.0.0.1, localhost or [::1] here).';
  } else if (parsed.protocol !== 'https:') {
    return 'Must be https://.';
  }
  if (parsed.username || parsed.password) return 'Must not carry credentials: verify the signature instead.';
  if (parsed.hash) return 'Must not have a #fragment.';
  return null;
}
