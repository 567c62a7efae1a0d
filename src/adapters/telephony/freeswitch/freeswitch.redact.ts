import { redactBody } from '../redact';

/**
 * The phone numbers in mod_callcenter events: the member's caller id (`CC-Member-CID-Number`) and
 * the channel data riding along (`Caller-Caller-ID-Number`, `Caller-ANI`, `variable_*caller_id_number`,
 * `Caller-Destination-Number`, …).
 */
const NUMBER_FIELD = /(cid[-_]number|caller[-_]id[-_]number|callee[-_]id[-_]number|destination[-_]number|(^|[-_])ani)$/i;

/** The body as the delivery log keeps it: the same events with phone numbers masked. */
export function redactFreeswitch(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, (name) => NUMBER_FIELD.test(name));
}
