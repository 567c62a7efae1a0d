/**
 * Compares two byte strings in time that depends only on their length: WebCrypto's
 * `timingSafeEqual` where the runtime has it (workerd), else an accumulate-and-compare loop.
 */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (x: ArrayBufferView, y: ArrayBufferView) => boolean };
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const encoder = new TextEncoder();

/** Constant-time equality of two strings (as UTF-8). */
export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqualBytes(encoder.encode(a), encoder.encode(b));
}

/**
 * Constant-time equality of two secrets of any length: compares their SHA-256 digests, so neither
 * the content nor the length of the expected value leaks through timing.
 */
export async function timingSafeEqualSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest('SHA-256', encoder.encode(s))));
  return (
    timingSafeEqualBytes(new Uint8Array(a as ArrayBuffer), new Uint8Array(b as ArrayBuffer)) && given.length === expected.length
  );
}
