import { fields, redactBody } from '../redact';

/** The phone numbers in Vonage's Voice event JSON. */
const NUMBER_FIELDS = fields('from', 'to');

/** The body as the delivery log keeps it: the same payload with its phone numbers masked. */
export function redactVonage(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS);
}
