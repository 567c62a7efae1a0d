import { base64Decode, base64Encode } from '../../../lib/base64';
import { fields, redactBody, redactJson, redactJsonText } from '../redact';

/** The phone numbers in contact events: `CustomerEndpoint.Address`, `SystemEndpoint.Address` (any case). */
const NUMBER_FIELDS = fields('Address', 'PhoneNumber');

/**
 * The body as the delivery log keeps it: the same events with phone numbers masked, inside the base64
 * `data` of Firehose and Kinesis records too.
 */
export function redactAmazonConnect(rawBody: string, contentType: string | null): string {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return redactBody(rawBody, contentType, NUMBER_FIELDS);
  }
  const records = (body as { records?: unknown } | null)?.records ?? (Array.isArray(body) ? body : null);
  if (!Array.isArray(records) || !records.some((r) => typeof (r as { data?: unknown } | null)?.data === 'string')) {
    return redactBody(rawBody, contentType, NUMBER_FIELDS);
  }
  const redactRecord = (r: unknown): unknown => {
    const data = (r as { data?: unknown } | null)?.data;
    if (typeof data !== 'string') return redactJson(r, NUMBER_FIELDS);
    const bytes = base64Decode(data.trim());
    if (!bytes) return r;
    const text = new TextDecoder().decode(bytes);
    // One JSON document, or several one per line.
    const masked =
      redactJsonText(text, NUMBER_FIELDS) ??
      text
        .split('\n')
        .map((l) => redactJsonText(l, NUMBER_FIELDS) ?? l)
        .join('\n');
    return masked === text ? r : { ...(r as object), data: base64Encode(new TextEncoder().encode(masked)) };
  };
  const masked = records.map(redactRecord);
  if (masked.every((r, i) => r === records[i])) return rawBody;
  return JSON.stringify(Array.isArray(body) ? masked : { ...(body as object), records: masked });
}
