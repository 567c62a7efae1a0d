import { base64Encode } from '../../../lib/base64';

/**
 * Plivo's `X-Plivo-Signature-V3` scheme, built the way its own library checks it (plivo@4.79.0
 * `dist/utils/v3Security.js`, `validateV3Signature`):
 *
 *   GET:  `scheme://host[:port]/path` + (`?` + query params, when there are any)
 *   POST: the GET base of the URL's own query, then `?` when there are body params and no query, or
 *         `.` after a query; then the body params as `key` + `value` with no separators
 *   params are sorted by key and, within a key, by value (JavaScript's default string order); the
 *   query is percent-decoded (`+` is a space) and written back as `k=v` joined by `&`
 *   signature = base64(HMAC-SHA256(authToken, base + "." + nonce))
 *
 * There is no timestamp in the scheme: a replayed delivery verifies again, and is absorbed by the
 * deterministic event ids (the same callback gives the same events, which the ingest drops).
 */
export function plivoV3BaseString(method: string, url: string, params: readonly [string, string][]): string {
  const parts = splitUrl(url);
  // Plivo's URL parser keeps the scheme, host and port as written and the path undecoded.
  const base = `${parts.origin}${parts.path}`;
  const query = [...new URLSearchParams(parts.query).entries()];
  if (method.toUpperCase() === 'GET') {
    const all = sortedQuery([...query, ...params]);
    return all ? `${base}?${all}` : base;
  }
  const sortedUrlQuery = sortedQuery(query);
  let result = base;
  if (sortedUrlQuery || params.length > 0) result += `?${sortedUrlQuery}`;
  if (sortedUrlQuery && params.length > 0) result += '.';
  return result + sortedParams(params);
}

/** base64(HMAC-SHA256(authToken, base + "." + nonce)), with WebCrypto. */
export async function plivoV3Signature(authToken: string, baseString: string, nonce: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(authToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${baseString}.${nonce}`));
  return base64Encode(mac);
}

/** Signs a request as Plivo does (for tests, fixtures and the simulator). */
export async function signPlivoV3(
  authToken: string,
  request: { method: string; url: string; params: readonly [string, string][]; nonce: string },
): Promise<string> {
  return plivoV3Signature(authToken, plivoV3BaseString(request.method, request.url, request.params), request.nonce);
}

function splitUrl(url: string): { origin: string; path: string; query: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(url);
  if (!m) return { origin: url, path: '', query: '' };
  return { origin: `${m[1]}://${m[2]}`, path: m[3] ?? '', query: m[4] ?? '' };
}

function grouped(pairs: readonly [string, string][]): [string, string[]][] {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const values = byKey.get(k);
    if (values) values.push(v);
    else byKey.set(k, [v]);
  }
  // Default sort (UTF-16 code units), as the library's `Object.keys(...).sort()` and `values.sort()`.
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, vs]) => [k, [...vs].sort()]);
}

function sortedQuery(pairs: readonly [string, string][]): string {
  return grouped(pairs)
    .flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`))
    .join('&');
}

function sortedParams(pairs: readonly [string, string][]): string {
  return grouped(pairs)
    .flatMap(([k, vs]) => vs.map((v) => `${k}${v}`))
    .join('');
}
