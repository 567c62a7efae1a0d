import type { FieldIssue } from '../../../domain/errors';
import { base64Decode } from '../../../lib/base64';
import { timingSafeEqualSecret } from '../../../lib/constant-time';
import { uniqueById } from '../asterisk/drafts';
import { parseJsonBody } from '../kit/body';
import {
  type AdapterContext,
  AdapterInputError,
  type AdapterResponse,
  header,
  type InboundRequest,
  type NormalizeResult,
  type ProviderAdapter,
  type VerifyResult,
} from '../types';
import { agentEventFacts } from './agent-events';
import { redactAmazonConnect } from './amazon-connect.redact';
import { CONTACT_EVENT, contactEventFacts, isEventBridgeEvent } from './contact-events';
import { field, instant, isObject, type Json, text } from './fields';
import { ignoredRecord, type RecordResult, UnreadableRecord } from './records';

/**
 * Amazon Connect (docs/providers/amazon-connect.md). Two feeds reach Callboard, in any of three wrappings:
 *
 * - Contact events (EventBridge `detail-type: Amazon Connect Contact Event`) → the contact's
 *   lifecycle: interaction.started, transfer, queue.joined/left, agent.connected/disconnected,
 *   wrap-up, interaction.ended (contact-events.ts).
 * - Agent Event Stream records (Kinesis) → agent status, holds, offers, wrap-up (agent-events.ts).
 *
 * Wrappings: an EventBridge API destination posts one event as the body; EventBridge Pipes post an
 * array (of events, or of Kinesis records with base64 `data`); a Firehose HTTP endpoint posts
 * `{ requestId, timestamp, records: [{ data: base64 }] }` and must get its request id back.
 *
 * None of them signs the payload: a delivery authenticates with the secret it carries in a header
 * (the API destination's API key or Basic credentials, or Firehose's access key), compared in
 * constant time. Nothing in a delivery is time-bound (EventBridge retries for 24 h), so replays are
 * absorbed by the deterministic event ids.
 */
export const amazonConnectAdapter: ProviderAdapter = {
  provider: 'amazon-connect',
  redact: redactAmazonConnect,
  verify: verifyAmazonConnect,
  normalize: normalizeAmazonConnect,
  respond: respondToFirehose,
};

const FIREHOSE_ACCESS_KEY = 'x-amz-firehose-access-key';
const FIREHOSE_REQUEST_ID = 'x-amz-firehose-request-id';

/** The credentials a delivery presents: whichever of the connector's mechanisms its headers carry. */
async function verifyAmazonConnect(req: InboundRequest, ctx: AdapterContext): Promise<VerifyResult> {
  const apiKeyHeader = ctx.options.apiKeyHeader ?? 'x-api-key';
  const firehoseKey = header(req, FIREHOSE_ACCESS_KEY);
  const apiKey = apiKeyHeader.toLowerCase() === 'authorization' ? null : header(req, apiKeyHeader);
  const basic = basicCredentials(header(req, 'authorization'));
  if (firehoseKey === null && apiKey === null && basic === null) {
    return {
      ok: false,
      reason: 'missing',
      detail: `Send the connector's API key in ${apiKeyHeader}, Basic credentials, or the Firehose access key in X-Amz-Firehose-Access-Key.`,
    };
  }
  for (const [index, c] of ctx.credentials.entries()) {
    if (firehoseKey !== null && c.firehoseAccessKey && (await timingSafeEqualSecret(firehoseKey, c.firehoseAccessKey))) {
      return { ok: true, credentialIndex: index };
    }
    if (apiKey !== null && c.apiKey && (await timingSafeEqualSecret(apiKey, c.apiKey)))
      return { ok: true, credentialIndex: index };
    if (basic !== null && c.basicUsername !== undefined && c.basicPassword) {
      // Both halves are compared, always, so a right username does not answer faster.
      const [user, password] = await Promise.all([
        timingSafeEqualSecret(basic.username, c.basicUsername),
        timingSafeEqualSecret(basic.password, c.basicPassword),
      ]);
      if (user && password) return { ok: true, credentialIndex: index };
    }
  }
  return { ok: false, reason: 'invalid', detail: 'The credentials this delivery carries match none of the connector.' };
}

function basicCredentials(authorization: string | null): { username: string; password: string } | null {
  const m = authorization === null ? null : /^Basic\s+(\S+)\s*$/i.exec(authorization);
  const bytes = m?.[1] ? base64Decode(m[1]) : null;
  if (!bytes) return null;
  const decoded = new TextDecoder().decode(bytes);
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** One provider record, and where it sits in the body (a JSON pointer, for issues and the ignored list). */
interface Item {
  value: unknown;
  pointer: string;
}

async function normalizeAmazonConnect(req: InboundRequest): Promise<NormalizeResult> {
  const { items, batch } = unwrap(parseJsonBody(req));
  const result: NormalizeResult = { events: [], ignored: [] };
  const issues: FieldIssue[] = [];
  for (const item of items) {
    try {
      const r = await mapItem(item.value);
      result.events.push(...r.events);
      result.ignored.push(...r.ignored.map((x) => (batch ? { ...x, what: `${item.pointer} ${x.what}` } : x)));
    } catch (err) {
      if (!(err instanceof UnreadableRecord)) throw err;
      // One bad record in a batch must not make the provider retry (or drop) the whole batch.
      if (batch) result.ignored.push({ what: item.pointer, reason: err.message });
      else issues.push({ in: 'body', pointer: `${item.pointer}${err.pointer}`, detail: err.message });
    }
  }
  if (issues.length > 0) throw new AdapterInputError(422, 'The Amazon Connect event cannot be read.', issues);
  // Firehose and Kinesis deliver at least once, so a batch can hold a record twice, and every contact
  // event maps its whole snapshot (two records of one contact both state its start): one fact, one event.
  result.events = uniqueById(result.events);
  return result;
}

/** The records of a body: a Firehose delivery, an array (EventBridge Pipes), or one event. */
function unwrap(body: unknown): { items: Item[]; batch: boolean } {
  if (isObject(body) && Array.isArray(field(body, 'records'))) {
    const records = field(body, 'records') as unknown[];
    return { items: records.flatMap((r, i) => decodeRecord(r, `/records/${i}`)), batch: true };
  }
  if (Array.isArray(body)) {
    const items = body.flatMap((value, i) =>
      isObject(value) && typeof field(value, 'data') === 'string' && !isEventBridgeEvent(value)
        ? decodeRecord(value, `/${i}`)
        : [{ value, pointer: `/${i}` }],
    );
    return { items, batch: true };
  }
  if (isObject(body)) return { items: [{ value: body, pointer: '' }], batch: false };
  throw new AdapterInputError(422, 'Expected an EventBridge event, an array of them, or a Firehose delivery.', [
    { in: 'body', pointer: '', detail: 'Not a JSON object or array.' },
  ]);
}

/**
 * A Firehose or Kinesis record: base64 `data` holding one JSON document (or several, one per line,
 * when a producer batched them). An undecodable record becomes an item that fails on its own.
 */
function decodeRecord(record: unknown, pointer: string): Item[] {
  const data = field(record, 'data');
  const bytes = typeof data === 'string' ? base64Decode(data.trim()) : null;
  if (!bytes) return [{ value: new UnreadableRecord('The record has no base64 data.', '/data'), pointer }];
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return [{ value: new UnreadableRecord('The record data is not UTF-8.', '/data'), pointer }];
  }
  try {
    return [{ value: JSON.parse(textValue), pointer }];
  } catch {
    const lines = textValue.split('\n').filter((l) => l.trim() !== '');
    return lines.map((line, i) => {
      try {
        return { value: JSON.parse(line), pointer: lines.length > 1 ? `${pointer}/data/${i}` : pointer };
      } catch {
        return { value: new UnreadableRecord('The record data is not JSON.', '/data'), pointer };
      }
    });
  }
}

/** A record: an EventBridge event, an Agent Event Stream record, or a bare contact event detail. */
async function mapItem(value: unknown): Promise<RecordResult> {
  if (value instanceof UnreadableRecord) throw value;
  if (!isObject(value)) throw new UnreadableRecord('Not a JSON object.');
  if (isEventBridgeEvent(value)) {
    const detailType = text(value, 'detail-type') ?? '';
    const detail = field(value, 'detail');
    if (detailType !== CONTACT_EVENT) return ignoredRecord(detailType || 'EventBridge event', 'Not a contact event.');
    if (!isObject(detail)) throw new UnreadableRecord('The contact event has no detail object.', '/detail');
    return contactEventFacts(detail, instant(value, 'time'));
  }
  if (
    text(value, 'EventType') &&
    (field(value, 'AgentARN') !== undefined || field(value, 'CurrentAgentSnapshot') !== undefined)
  ) {
    return agentEventFacts(value);
  }
  if (text(value, 'contactId') && text(value, 'eventType')) {
    // An input transformer may post `$.detail` alone: its pointers then start at the record.
    try {
      return await contactEventFacts(value, undefined);
    } catch (err) {
      if (err instanceof UnreadableRecord) throw new UnreadableRecord(err.message, err.pointer.replace(/^\/detail/, ''));
      throw err;
    }
  }
  throw new UnreadableRecord('Neither an Amazon Connect contact event nor an agent event record.');
}

/** Firehose counts a delivery done only when its request id comes back, with a timestamp, as JSON. */
function respondToFirehose(req: InboundRequest): AdapterResponse | null {
  const requestId = header(req, FIREHOSE_REQUEST_ID) ?? requestIdOf(req.rawBody);
  if (requestId === null) return null;
  return { status: 200, contentType: 'application/json', body: JSON.stringify({ requestId, timestamp: Date.now() }) };
}

function requestIdOf(rawBody: string): string | null {
  try {
    const body: unknown = JSON.parse(rawBody);
    return isObject(body) && Array.isArray(field(body, 'records')) ? (text(body as Json, 'requestId') ?? null) : null;
  } catch {
    return null;
  }
}
