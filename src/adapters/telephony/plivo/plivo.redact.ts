import { fields, redactBody } from '../redact';

/** The phone numbers in Plivo's call, hangup and dial forms. */
const NUMBER_FIELDS = fields('From', 'To', 'ForwardedFrom', 'Caller', 'Called', 'DialBLegFrom', 'DialBLegTo');

/** The body as the delivery log keeps it: the same payload with its phone numbers masked. */
export function redactPlivo(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS);
}
