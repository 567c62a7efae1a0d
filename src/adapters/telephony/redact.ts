import { maskCaller } from '../../domain/events/normalized';
import { isFormType } from './kit/body';

/**
 * Masking phone numbers in a raw provider body before it is stored in the delivery log: the body
 * keeps its format and every other byte (a form stays a form, JSON stays JSON), only the values of
 * the fields that hold numbers are replaced by their masked form. Pure; never throws.
 */

/** Whether a field (by its name, any case) holds a phone number. */
export type NumberField = (name: string) => boolean;

/** A field matcher from names (compared lower-case). */
export function fields(...names: string[]): NumberField {
  const set = new Set(names.map((n) => n.toLowerCase()));
  return (name) => set.has(name.toLowerCase());
}

/** Digit runs long enough to be a phone number, with an optional leading +. */
const DIGIT_RUN = /\+?\d{7,}/g;

/**
 * Masks the number fields of a JSON or form body; text that is neither has its long digit runs
 * masked (a body an adapter could not read may still carry numbers). `text` handles a provider's own
 * text format (e.g. queue_log lines) instead.
 */
export function redactBody(
  rawBody: string,
  contentType: string | null,
  isNumber: NumberField,
  text?: (body: string) => string,
): string {
  const trimmed = rawBody.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = redactJsonText(rawBody, isNumber);
    if (json !== null) return json;
  }
  if (isFormType(contentType) || /^[\w.%+-]+=/.test(trimmed)) return redactForm(rawBody, isNumber);
  return text ? text(rawBody) : maskDigitRuns(rawBody);
}

/**
 * A number field's value, masked when it could be a number (5 digits or more, e.g. `+14155550100` or
 * `sip:+14155550100@host`); `client:alice`, `anonymous` or an agent's SIP address stay readable.
 */
export function maskNumber(value: string): string {
  return (value.match(/\d/g)?.length ?? 0) >= 5 ? maskCaller(value) : value;
}

/** Masks long digit runs: the fallback for text whose fields are not known. */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (run) => maskCaller(run));
}

/** A form body with the number fields masked, every other pair kept byte for byte. */
export function redactForm(rawBody: string, isNumber: NumberField): string {
  return rawBody
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = decodeFormPart(pair.slice(0, eq));
      const value = decodeFormPart(pair.slice(eq + 1));
      if (name === null || value === null) return maskDigitRuns(pair);
      if (isNumber(name)) {
        const masked = maskNumber(value);
        return masked === value ? pair : `${pair.slice(0, eq)}=${encodeURIComponent(masked)}`;
      }
      // A field holding JSON (TaskRouter's TaskAttributes) is masked inside.
      if (/^\s*[[{]/.test(value)) {
        const inner = redactJsonText(value, isNumber);
        if (inner !== null && inner !== value) return `${pair.slice(0, eq)}=${encodeURIComponent(inner)}`;
      }
      return pair;
    })
    .join('&');
}

/** A JSON text with the number fields masked (null when it is not JSON). */
export function redactJsonText(rawBody: string, isNumber: NumberField): string | null {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const redacted = redactJson(value, isNumber);
  return redacted === value ? rawBody : JSON.stringify(redacted);
}

/** A parsed JSON value with the number fields masked; the same value when nothing changed. */
export function redactJson(value: unknown, isNumber: NumberField): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactJson(v, isNumber);
      changed ||= r !== v;
      return r;
    });
    return changed ? out : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    let r = v;
    if (isNumber(k) && (typeof v === 'string' || typeof v === 'number')) r = maskNumber(String(v));
    else if (typeof v === 'string' && /^\s*[[{]/.test(v)) r = redactJsonText(v, isNumber) ?? v;
    else r = redactJson(v, isNumber);
    changed ||= r !== v;
    out[k] = r;
  }
  return changed ? out : value;
}

function decodeFormPart(part: string): string | null {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    return null;
  }
}
