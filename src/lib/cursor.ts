import { base64Decode, base64UrlEncode } from './base64';

/** Opaque cursor: base64url of the last id of the previous page. */
export function encodeCursor(lastId: string): string {
  return btoa(lastId).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

export function decodeCursor(cursor: string): string | null {
  try {
    const padded = cursor.replaceAll('-', '+').replaceAll('_', '/');
    const id = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
    return /^[a-z]{3}_[0-9a-z]{26}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Opaque cursor of any JSON value: unpadded base64url of its UTF-8 JSON. */
export function encodeJsonCursor(value: unknown): string {
  return base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
}

/**
 * The JSON value of a cursor `encodeJsonCursor` made, or undefined for anything else (not base64url, not UTF-8,
 * not JSON). The caller still checks the value's shape: a cursor is client input.
 */
export function decodeJsonCursor(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const padded = cursor.replaceAll('-', '+').replaceAll('_', '/');
  const bytes = base64Decode(padded + '='.repeat((4 - (padded.length % 4)) % 4));
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return undefined;
  }
}
