/**
 * Text Postgres can store. `text` and `jsonb` refuse U+0000, and a lone UTF-16 surrogate has no
 * UTF-8 form: a value holding either fails the whole statement it is in — for an outbox flush, the
 * whole batch, again on every retry. So such text is refused where a client sends it (the wire
 * schema, the API's request validation) and cleaned where a provider does (adapters' events).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what must be found
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export const UNSTORABLE_TEXT_MESSAGE = 'Holds U+0000 or a lone UTF-16 surrogate, which cannot be stored.';

/** False when the string holds U+0000 or a lone surrogate. */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/** The string with each U+0000 and lone surrogate replaced by U+FFFD (same length). */
export function storableText(s: string): string {
  return isStorableText(s) ? s : s.replace(UNSTORABLE_ALL, '\ufffd');
}

/** The path of every string value or object key that is not storable, depth first, in key order. */
export function unstorablePaths(value: unknown): PropertyKey[][] {
  return allStorable(value) ? [] : pathsOf(value, []);
}

function pathsOf(value: unknown, path: PropertyKey[]): PropertyKey[][] {
  if (typeof value === 'string') return isStorableText(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsOf(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (isStorableText(k) ? pathsOf(v, [...path, k]) : [[...path, k]]));
  }
  return [];
}

/** Whether every string value and object key is storable (unstorablePaths without building paths, for hot paths). */
function allStorable(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(allStorable);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => isStorableText(k) && allStorable(v));
  return true;
}

/** A copy with every string value and object key made storable; returns the value itself when it already is. */
export function storableValue<T>(value: T): T {
  if (allStorable(value)) return value;
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return storableText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), clean(x)]));
    return v;
  };
  return clean(value) as T;
}
