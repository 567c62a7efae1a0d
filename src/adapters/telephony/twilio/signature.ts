import { base64Encode } from '../../../lib/base64';
import { timingSafeEqualText } from '../../../lib/constant-time';
import { sha256Hex } from '../../../lib/crypto';
import { isFormType, parseForm } from '../kit/body';
import { header, type InboundRequest, type VerifyResult } from '../types';

// `X-Twilio-Signature` (twilio@6.2.0 lib/webhooks/webhooks.js, re-implemented with WebCrypto):
//   form POST: base64(HMAC-SHA1(authToken, url + for each key in sorted order: key + value, for each distinct value, sorted))
//   JSON body: Twilio appends `bodySHA256=<hex sha256(body)>` to the URL and signs the URL alone; the hash is checked too.
// The scheme has no timestamp, so nothing can be "expired": replays are made harmless by deterministic event ids.

const encoder = new TextEncoder();

/** What Twilio signed besides the URL: the form parameters, keys sorted, each key's distinct values sorted. */
export function signedParams(pairs: readonly [string, string][]): string {
  const byKey = new Map<string, Set<string>>();
  for (const [k, v] of pairs) {
    const values = byKey.get(k) ?? new Set<string>();
    values.add(v);
    byKey.set(k, values);
  }
  // Default sort (UTF-16 code units), as the library's `Object.keys(params).sort()` and `values.sort()`.
  return [...byKey.keys()]
    .sort()
    .map((k) => [...(byKey.get(k) as Set<string>)].sort().reduce((acc, v) => acc + k + v, ''))
    .join('');
}

/** Scheme, user info, host and port of an absolute URL, kept exactly as written (no normalization). */
function splitUrl(url: string): { scheme: string; userInfo: string; host: string; port: string; rest: string } | null {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return null;
  // The pattern has two groups, so both are set when it matches.
  const [prefix, scheme = '', authority = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return `${p.scheme}${p.userInfo}${p.host}${p.scheme.toLowerCase() === 'https://' ? ':443' : ':80'}${p.rest}`;
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? `${p.scheme}${p.userInfo}${p.host}${p.rest}` : url;
}

/** Node's legacy `querystring.unescape`: `+` is a space; malformed escapes stay literal, bad UTF-8 becomes U+FFFD. */
function qsUnescape(value: string): string {
  const s = value.replaceAll('+', ' ');
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; ) {
      const hex = s.slice(i + 1, i + 3);
      if (s[i] === '%' && /^[0-9a-f]{2}$/i.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 3;
      } else {
        const ch = String.fromCodePoint(s.codePointAt(i) as number);
        bytes.push(...encoder.encode(ch));
        i += ch.length;
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}

/**
 * The URL with its query re-encoded as Node's legacy `querystring.stringify(querystring.parse(q))`
 * does (the library's last fallback, for back ends that signed an escaped form such as `%27` for `'`).
 * A null-prototype object, like Node's, so keys come out in the same order (integer-like keys first).
 */
export function withLegacyQuerystring(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return url;
  const parsed: Record<string, string | string[]> = Object.create(null);
  for (const piece of url.slice(start + 1).split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = qsUnescape(eq === -1 ? piece : piece.slice(0, eq));
    const value = eq === -1 ? '' : qsUnescape(piece.slice(eq + 1));
    const seen = parsed[key];
    if (seen === undefined) parsed[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else parsed[key] = [seen, value];
  }
  const query = Object.entries(parsed)
    .flatMap(([k, v]) => {
      return (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`);
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

/**
 * Every form of the URL the library accepts a signature for, in its order: as received with and
 * without the default port, then WHATWG-normalized (with and without port), then those with the
 * legacy query encoding. The route builds the URL from the connector's public base URL, and the
 * runtime has already normalized the path and query, so the fallbacks matter.
 */
export function candidateUrls(url: string): string[] {
  const out = new Set([withoutPort(url), withPort(url)]);
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return [...out];
  }
  const normal = [withoutPort(normalized), withPort(normalized)];
  for (const u of normal) out.add(u);
  for (const u of normal) {
    try {
      out.add(withLegacyQuerystring(u));
    } catch {
      // A lone surrogate cannot be re-encoded (the library throws here too): this form is simply not a candidate.
    }
  }
  return [...out];
}

async function hmacSha1Base64(key: CryptoKey, data: string): Promise<string> {
  return base64Encode(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
}

/**
 * Checks `X-Twilio-Signature` against each auth token (current first, then the previous one during a
 * rotation), on the exact URL the route rebuilt and the exact body. Constant-time comparisons.
 */
export async function verifyTwilioSignature(req: InboundRequest, authTokens: (string | undefined)[]): Promise<VerifyResult> {
  const signature = header(req, 'x-twilio-signature');
  if (!signature)
    return { ok: false, reason: 'missing', detail: 'Twilio signs every request with X-Twilio-Signature; it is missing.' };
  if (!authTokens.some((t) => t)) {
    return { ok: false, reason: 'invalid', detail: 'The connector has no Twilio auth token to check X-Twilio-Signature with.' };
  }
  let bodyHash: string | null;
  try {
    bodyHash = new URL(req.url).searchParams.get('bodySHA256');
  } catch {
    return { ok: false, reason: 'invalid', detail: 'The request URL cannot be parsed.' };
  }

  // JSON bodies (Event Streams): the URL carries the body's hash and is all that is signed.
  let params = '';
  if (bodyHash === null) {
    if (isFormType(req.contentType)) params = signedParams(parseForm(req.rawBody));
    else if (req.rawBody.trim() !== '') {
      return {
        ok: false,
        reason: 'invalid',
        detail: 'A body that is not a form must come with bodySHA256 in the URL, or it is not covered by X-Twilio-Signature.',
      };
    }
  }

  const urls = candidateUrls(req.url);
  for (const [index, token] of authTokens.entries()) {
    if (!token) continue;
    const key = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    let matched = false;
    for (const url of urls) {
      // Not short-circuited by a cheap check: every candidate costs one HMAC whatever the header holds.
      if (timingSafeEqualText(signature, await hmacSha1Base64(key, url + params))) matched = true;
    }
    if (!matched) continue;
    if (bodyHash !== null && !timingSafeEqualText(bodyHash, await sha256Hex(req.rawBody))) {
      return { ok: false, reason: 'invalid', detail: 'The body does not match the bodySHA256 the URL was signed with.' };
    }
    return { ok: true, credentialIndex: index };
  }
  return {
    ok: false,
    reason: 'invalid',
    detail:
      "X-Twilio-Signature does not match: check the connector's auth token and that publicBaseUrl is the exact URL Twilio calls.",
  };
}
