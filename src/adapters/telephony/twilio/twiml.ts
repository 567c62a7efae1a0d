import type { AdapterResponse } from '../types';
import type { FormKind } from './voice';

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Hold music for the wait URL when the connector's URL names none: Twilio's own classical track,
 * looped for as long as the caller waits (`loop="0"`). A wait document that simply ends makes Twilio
 * request the wait URL again at once, so an empty `<Response/>` here would be a request loop.
 */
export const DEFAULT_HOLD_MUSIC = 'http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3';

const escapeXml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** An http(s) URL from the request URL's query (part of what Twilio signed, so only the tenant sets it). */
function queryUrl(url: string, name: string): string | null {
  let value: string | null;
  try {
    value = new URL(url).searchParams.get(name);
  } catch {
    return null;
  }
  if (!value) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}

const twiml = (inner: string): AdapterResponse => ({
  status: 200,
  contentType: 'text/xml',
  body: `${XML_HEAD}${inner === '' ? '<Response/>' : `<Response>${inner}</Response>`}`,
});

/**
 * What Twilio expects back. The `<Enqueue action>`, wait URL and `<Queue url>` requests are TwiML
 * requests of a live call, so they get TwiML:
 * - `?next=<url>` on the URL configured at Twilio: `<Redirect>` there, so the tenant's own flow goes on
 *   (after the queue, or its own wait experience);
 * - otherwise the action gets an empty `<Response/>` (the call ends, as it would with no more verbs),
 *   the `<Queue url>` an empty one (the parties connect), and the wait URL looping hold music
 *   (`?holdMusic=<url>` to choose the track).
 * Everything else (status, conference and TaskRouter callbacks, Event Streams) ignores the body: the
 * route's JSON results are answered, which also shows in Twilio's request inspector.
 */
export function twimlFor(kind: FormKind, url: string, flavour: WaitDocument = TWILIO_WAIT): AdapterResponse | null {
  if (kind !== 'enqueue-action' && kind !== 'wait-url' && kind !== 'dequeue-url') return null;
  const next = queryUrl(url, 'next');
  if (next) return twiml(`<Redirect method="POST">${escapeXml(next)}</Redirect>`);
  if (kind !== 'wait-url') return twiml('');
  const music = queryUrl(url, 'holdMusic');
  return twiml(flavour(music === null ? null : escapeXml(music)));
}

/** The verbs of the wait document, given the `holdMusic` URL (XML-escaped) or null. */
export type WaitDocument = (holdMusic: string | null) => string;

const TWILIO_WAIT: WaitDocument = (music) => `<Play loop="0">${music ?? escapeXml(DEFAULT_HOLD_MUSIC)}</Play>`;
