import { AdapterInputError, type InboundRequest } from '../types';

// Reading a delivery's body, the same way for every adapter: which media type it is, a form's fields
// in order, JSON with the right refusal (415 for another type, 400 MALFORMED_JSON for bad JSON).

const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\b/i;
const TEXT_TYPE = /^text\/plain\b/i;

/** Whether a Content-Type is a form (`application/x-www-form-urlencoded`, any parameters). */
export const isFormType = (contentType: string | null): boolean => contentType !== null && FORM_TYPE.test(contentType);

/** Whether a Content-Type is JSON (`application/json`, or a `+json` type). */
export const isJsonType = (contentType: string | null): boolean => contentType !== null && JSON_TYPE.test(contentType);

/** Whether a Content-Type is plain text. */
export const isTextType = (contentType: string | null): boolean => contentType !== null && TEXT_TYPE.test(contentType);

/** Whether a body without a Content-Type looks like JSON: its first character opens an object or an array. */
export const looksLikeJson = (rawBody: string): boolean => /^\s*[[{]/.test(rawBody);

/** Form fields in order, repeated keys kept (`+` is a space), as URL-signing schemes need them. */
export function parseForm(rawBody: string): [string, string][] {
  return [...new URLSearchParams(rawBody).entries()];
}

/** JSON text parsed, or a 400 MALFORMED_JSON. */
export function parseJsonText(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new AdapterInputError(400, 'The request body is not valid JSON.', [], 'MALFORMED_JSON');
  }
}

/** Parses a JSON body, refusing another Content-Type with 415 (a missing one is read as JSON). */
export function parseJsonBody(
  req: InboundRequest,
  unsupported = 'This webhook takes a JSON body: send Content-Type: application/json.',
): unknown {
  if (req.contentType && !isJsonType(req.contentType)) throw new AdapterInputError(415, unsupported);
  return parseJsonText(req.rawBody);
}
