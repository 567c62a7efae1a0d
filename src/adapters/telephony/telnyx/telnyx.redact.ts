import { fields, redactBody } from '../redact';

/** The phone numbers in Telnyx's Call Control JSON (`data.payload.from`/`to`) and TeXML forms. */
const NUMBER_FIELDS = fields('from', 'to', 'Caller', 'Called', 'ForwardedFrom');

/** The body as the delivery log keeps it: the same payload with its phone numbers masked. */
export function redactTelnyx(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS);
}
