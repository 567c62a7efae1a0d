import { isFormType, isJsonType, looksLikeJson, parseJsonText } from '../kit/body';
import { type AdapterContext, AdapterInputError, type InboundRequest, type ProviderAdapter } from '../types';
import { mapEventStreams } from './event-streams';
import { finalize, type Mapped, unreadable } from './shared';
import { verifyTwilioSignature } from './signature';
import { fromCallback, mapTaskRouter } from './taskrouter';
import { redactTwilio } from './twilio.redact';
import { twimlFor } from './twiml';
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
} from './voice';

// Twilio posts forms for Voice (status callbacks, <Enqueue> action and wait URL, <Queue url>, conference
// callbacks) and TaskRouter (Workspace event callbacks), and JSON CloudEvents for Event Streams. One
// connector URL takes them all: the body says which it is.

type Body = { kind: 'form'; form: Form } | { kind: 'json'; value: unknown };

function readBody(req: InboundRequest): Body {
  const sniffed = req.contentType ?? (looksLikeJson(req.rawBody) ? 'application/json' : 'application/x-www-form-urlencoded');
  if (isFormType(sniffed)) {
    if (req.rawBody.trim() === '') throw new AdapterInputError(400, 'The request body is empty.');
    return { kind: 'form', form: formOf(req.rawBody) };
  }
  if (isJsonType(sniffed)) return { kind: 'json', value: parseJsonText(req.rawBody) };
  throw new AdapterInputError(
    415,
    'Twilio posts application/x-www-form-urlencoded (Voice, TaskRouter) or application/json (Event Streams).',
  );
}

const FORM_MAPPERS: Record<Exclude<FormKind, 'other'>, (f: Form, ctx: AdapterContext) => Mapped> = {
  taskrouter: (f, ctx) => mapTaskRouter(fromCallback(f), ctx),
  'enqueue-action': mapEnqueueAction,
  'dequeue-url': mapDequeueUrl,
  'wait-url': mapWaitUrl,
  conference: mapConference,
  'call-status': mapCallStatus,
};

/** Which request a delivery is, for the response: only form posts can be TwiML requests. */
function kindOf(req: InboundRequest): FormKind {
  try {
    const body = readBody(req);
    return body.kind === 'form' ? classifyForm(body.form) : 'other';
  } catch {
    return 'other';
  }
}

export const twilioAdapter: ProviderAdapter = {
  provider: 'twilio',
  redact: redactTwilio,
  verify: (req, ctx) =>
    verifyTwilioSignature(
      req,
      ctx.credentials.map((c) => c.authToken),
    ),
  normalize(req, ctx) {
    const body = readBody(req);
    if (body.kind === 'json') return finalize(mapEventStreams(body.value, ctx));
    const kind = classifyForm(body.form);
    if (kind !== 'other') return finalize(FORM_MAPPERS[kind](body.form, ctx));
    // Another Twilio product's callback (messaging status, recordings…) is accepted and ignored; a form
    // that is not from Twilio at all is refused.
    if (!body.form.has('AccountSid')) {
      throw unreadable('This is not a Twilio webhook: it has no AccountSid, CallSid or EventType.', [
        { field: 'AccountSid', detail: 'Required.' },
      ]);
    }
    const what = [...body.form.keys()].find((k) => k.endsWith('Sid') && k !== 'AccountSid') ?? 'form';
    return finalize({ drafts: [], ignored: [{ what, reason: 'Not a call, queue, conference or TaskRouter event.' }] });
  },
  respond: (req) => twimlFor(kindOf(req), req.url),
};
