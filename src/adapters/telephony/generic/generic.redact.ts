import { fields, redactBody } from '../redact';

/** The phone number in a generic event batch: each event's `caller`. */
const NUMBER_FIELDS = fields('caller');

/** The body as the delivery log keeps it: the same batch with callers masked. */
export function redactGeneric(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS);
}
