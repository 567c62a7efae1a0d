import { fields, redactBody } from '../redact';

/** The phone numbers in Twilio's Voice and TaskRouter forms (TaskAttributes is JSON inside) and Event Streams JSON. */
const NUMBER_FIELDS = fields('From', 'To', 'Caller', 'Called', 'ForwardedFrom');

/** The body as the delivery log keeps it: the same payload with its phone numbers masked. */
export function redactTwilio(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS);
}
