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
