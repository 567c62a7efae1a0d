import { canonicalCaller, maskCaller } from '../../domain/events/normalized';

const keys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

/** HMAC-SHA256 of the caller's canonical number under the tenant's salt, hex; plus a masked form. */
export async function hashCaller(salt: string, caller: string): Promise<{ hash: string; masked: string }> {
  let key = keys.get(salt);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(salt), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    if (keys.size > 1000) keys.clear();
    keys.set(salt, key);
  }
  const mac = await crypto.subtle.sign('HMAC', await key, encoder.encode(canonicalCaller(caller)));
  const hash = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { hash, masked: maskCaller(caller) };
}
