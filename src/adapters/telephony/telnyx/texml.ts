import { isFormType, looksLikeJson } from '../kit/body';
import { finalize, type Mapped, parseRfc2822, unreadable } from '../twilio/shared';
import { twimlFor, type WaitDocument } from '../twilio/twiml';
import {
  classifyForm,
  type Form,
  type FormKind,
  formOf,
  mapCallStatus,
  mapConference,
  mapDequeueUrl,
  mapEnqueueAction,
  mapWaitUrl,
  type VoiceDialect,
} from '../twilio/voice';
import {
  type AdapterContext,
  AdapterInputError,
  type AdapterResponse,
  type InboundRequest,
  type NormalizeResult,
} from '../types';
import { isoInstant } from './instant';

// Telnyx TeXML, the second Telnyx flavour: a TeXML application posts Twilio-shaped forms (status callbacks,
// the `<Enqueue>` wait URL and action, `<Dial><Queue url>`, conference callbacks), signed like every Telnyx
// webhook. They are mapped by the Twilio Voice mapping (src/adapters/telephony/twilio/voice.ts), with
// TeXML's timestamps and under Telnyx's own event ids.

/** A TeXML callback is a form; without a content type, a body that is not JSON is read as one. */
export function isTexml(req: InboundRequest): boolean {
  if (req.contentType) return isFormType(req.contentType);
  return !looksLikeJson(req.rawBody);
}

/**
 * TeXML writes `Timestamp` as ISO 8601, with a space or a `T`, to the microsecond (its examples), and its
 * reference also calls it RFC 2822, as Twilio writes it: both are read.
 */
const TEXML_TIME: VoiceDialect = {
  parseTimestamp: (value) => {
    const iso = isoInstant(value);
    return iso === null ? parseRfc2822(value) : Date.parse(iso);
  },
  timestampFormat: 'an ISO 8601 instant with an offset or an RFC 2822 date',
};

type TexmlKind = Exclude<FormKind, 'taskrouter'>;

const MAPPERS: Record<Exclude<TexmlKind, 'other'>, (f: Form, ctx: AdapterContext, dialect: VoiceDialect) => Mapped> = {
  'enqueue-action': mapEnqueueAction,
  'dequeue-url': mapDequeueUrl,
  'wait-url': mapWaitUrl,
  conference: mapConference,
  'call-status': mapCallStatus,
};

/** Which request a form is; Telnyx has no TaskRouter, so an `EventType` names nothing mapped. */
function kindOf(f: Form): TexmlKind {
  const kind = classifyForm(f);
  return kind === 'taskrouter' ? 'other' : kind;
}

export async function normalizeTexml(req: InboundRequest, ctx: AdapterContext): Promise<NormalizeResult> {
  if (req.rawBody.trim() === '') throw new AdapterInputError(400, 'The request body is empty.');
  const form = formOf(req.rawBody);
  const kind = kindOf(form);
  if (kind !== 'other') return finalize(MAPPERS[kind](form, ctx, TEXML_TIME), 'telnyx:texml');
  if (!form.has('AccountSid')) {
    throw unreadable('This is not a Telnyx TeXML callback: it has no AccountSid.', [
      { field: 'AccountSid', detail: 'Required.' },
    ]);
  }
  // Another TeXML callback (recording, <Gather>, <Dial action>…): named by its own sid, for the log.
  const what = [...form.keys()].find((k) => k.endsWith('Sid') && !/^(Account|Call|Parent)Sid/.test(k)) ?? 'form';
  return { events: [], ignored: [{ what, reason: 'Not a call, queue or conference event.' }] };
}

/**
 * The wait document. Telnyx requests the wait URL again whenever the document ends, and has no default
 * hold music of its own to loop: the tenant's track (`?holdMusic=`) plays once per request, and without
 * one the caller waits in silence, a minute per request.
 */
const TEXML_WAIT: WaitDocument = (music) => (music === null ? '<Pause length="60"/>' : `<Play>${music}</Play>`);

/** TeXML for the wait URL, `<Enqueue action>` and `<Queue url>` requests (as for Twilio); null for the rest. */
export function texmlResponse(req: InboundRequest): AdapterResponse | null {
  if (!isTexml(req) || req.rawBody.trim() === '') return null;
  return twimlFor(kindOf(formOf(req.rawBody)), req.url, TEXML_WAIT);
}
