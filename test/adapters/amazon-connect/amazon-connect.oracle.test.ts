import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { amazonConnectAdapter } from '../../../src/adapters/telephony/amazon-connect/amazon-connect.adapter';
import type { AdapterContext, InboundRequest } from '../../../src/adapters/telephony/types';
import { agentArn, agentEvent, contactEvents, queueArn } from './fixtures';

/**
 * Amazon Connect has no payload signature and AWS ships no npm verifier for it: EventBridge API
 * destinations authenticate with a connection's API key header or Basic credentials, and Firehose
 * HTTP endpoints with the X-Amz-Firehose-Access-Key header (AWS's HTTP endpoint delivery spec). So the "oracle" here is
 * AWS's documented request format, built with Node's own Buffer/base64 (not our helpers): those
 * deliveries must pass our verify() and normalize(), and wrong or missing keys must be refused.
 */
const T = Date.parse('2024-06-04T10:00:00.000Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const ALICE = agentArn('a11ce000-0000-4000-8000-000000000001');
const BILLING = queueArn('7c1b2a3d-0000-4000-8000-00000000b111');
const URL_ = 'https://callboard.example.com/v1/webhooks/amazon-connect/con_t_1';

const creds = {
  apiKey: 'eb-api-key-7f3a9c0d2e1b',
  basicUsername: 'connect-élan',
  basicPassword: 'p:ss with spaces & colons',
  firehoseAccessKey: 'fh-0123456789-abcdef',
};
const ctx = (over: Partial<AdapterContext> = {}): AdapterContext => ({
  connectorId: 'con_t_1',
  credentials: [creds],
  options: { apiKeyHeader: 'X-Callboard-Api-Key' },
  nowMs: T + 60_000,
  ...over,
});

/** An EventBridge API destination invocation: the event as the body, the connection's auth header added. */
function apiDestination(event: unknown, auth: Record<string, string>): InboundRequest {
  return {
    method: 'POST',
    url: URL_,
    headers: new Headers({
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Amazon/EventBridge/ApiDestinations',
      ...auth,
    }),
    rawBody: JSON.stringify(event),
    contentType: 'application/json; charset=utf-8',
  };
}

/** A Firehose HTTP endpoint request as AWS documents it (httpdeliveryrequestresponse). */
function firehose(requestId: string, records: unknown[], accessKey: string | null): InboundRequest {
  const body = {
    requestId,
    timestamp: T,
    records: records.map((r) => ({ data: Buffer.from(JSON.stringify(r), 'utf8').toString('base64') })),
  };
  const headers = new Headers({
    'Content-Type': 'application/json',
    'X-Amz-Firehose-Protocol-Version': '1.0',
    'X-Amz-Firehose-Request-Id': requestId,
    'X-Amz-Firehose-Source-Arn': 'arn:aws:firehose:us-east-1:111122223333:deliverystream/connect-agent-events',
    'X-Amz-Firehose-Common-Attributes': JSON.stringify({ commonAttributes: {} }),
  });
  if (accessKey !== null) headers.set('X-Amz-Firehose-Access-Key', accessKey);
  return { method: 'POST', url: URL_, headers, rawBody: JSON.stringify(body), contentType: 'application/json' };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

const contact = contactEvents(
  {
    contactId: 'c0ffee00-0000-4000-8000-00000000a001',
    initiated: 0,
    queue: { arn: BILLING, enqueued: 2 },
    agent: { arn: ALICE, connected: 12 },
    disconnected: { at: 90, reason: 'CUSTOMER_DISCONNECT' },
  },
  at,
)[3];

describe('Amazon Connect deliveries built as AWS documents them (no vendor verifier exists)', () => {
  it('an API destination with the API key header passes; the event maps', async () => {
    const req = apiDestination(contact, { 'X-Callboard-Api-Key': creds.apiKey });
    expect(await amazonConnectAdapter.verify(req, ctx())).toEqual({ ok: true, credentialIndex: 0 });
    const result = await amazonConnectAdapter.normalize(req, ctx());
    expect(result.events.map((e) => e.type)).toEqual([
      'interaction.started',
      'queue.joined',
      'queue.left',
      'agent.connected',
      'agent.disconnected',
      'interaction.ended',
    ]);
  });

  it('an API destination with Basic credentials (UTF-8, a colon in the password) passes', async () => {
    const req = apiDestination(contact, { Authorization: basic(creds.basicUsername, creds.basicPassword) });
    expect(await amazonConnectAdapter.verify(req, ctx())).toEqual({ ok: true, credentialIndex: 0 });
  });

  it('a Firehose delivery passes, its base64 records decode (non-ASCII too), and the answer echoes the request id', async () => {
    const lunch = agentEvent(
      {
        eventId: randomUUID(),
        type: 'STATE_CHANGE',
        at: 300,
        agent: ALICE,
        status: { name: 'Pause café', type: 'CUSTOM', since: 300 },
        previous: { status: { name: 'Available', type: 'ROUTABLE', since: 0 } },
      },
      at,
    );
    const requestId = randomUUID();
    const req = firehose(requestId, [lunch, contact], creds.firehoseAccessKey);
    expect(await amazonConnectAdapter.verify(req, ctx())).toEqual({ ok: true, credentialIndex: 0 });
    const result = await amazonConnectAdapter.normalize(req, ctx());
    expect(result.ignored).toEqual([]);
    expect(result.events.filter((e) => e.type === 'agent.state_changed').map((e) => e.attrs)).toEqual([
      { state: 'available' },
      { state: 'away', reason: 'Pause café' },
    ]);
    const answer = amazonConnectAdapter.respond?.(req, { accepted: 8, duplicates: 0, rejected: 0 });
    expect(answer?.status).toBe(200);
    expect(answer?.contentType).toBe('application/json');
    expect(JSON.parse(answer?.body ?? '{}')).toEqual({ requestId, timestamp: expect.any(Number) });
  });

  it.each([
    ['no key at all', apiDestination(contact, {}), 'missing'],
    [
      'the API key in the default header when the connector names another',
      apiDestination(contact, { 'x-api-key': creds.apiKey }),
      'missing',
    ],
    ['a wrong API key', apiDestination(contact, { 'X-Callboard-Api-Key': 'eb-api-key-7f3a9c0d2e1c' }), 'invalid'],
    ['a wrong Basic password', apiDestination(contact, { Authorization: basic(creds.basicUsername, 'p:ss') }), 'invalid'],
    ['a Firehose delivery without its access key', firehose(randomUUID(), [contact], null), 'missing'],
    ['a Firehose delivery with a wrong access key', firehose(randomUUID(), [contact], 'fh-0123456789-abcdeF'), 'invalid'],
    ['the API key sent as the Firehose access key', firehose(randomUUID(), [contact], creds.apiKey), 'invalid'],
  ])('refuses %s', async (_name, req, reason) => {
    expect(await amazonConnectAdapter.verify(req, ctx())).toMatchObject({ ok: false, reason });
  });

  it('keys of another connector are refused', async () => {
    const other = ctx({ credentials: [{ apiKey: 'someone-elses-api-key', firehoseAccessKey: 'someone-elses-fh-key' }] });
    expect(
      await amazonConnectAdapter.verify(apiDestination(contact, { 'X-Callboard-Api-Key': creds.apiKey }), other),
    ).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(await amazonConnectAdapter.verify(firehose(randomUUID(), [contact], creds.firehoseAccessKey), other)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('a replay (Firehose reuses its request id on retries, EventBridge its event id) verifies and repeats the same event ids', async () => {
    const requestId = randomUUID();
    const first = firehose(requestId, [contact], creds.firehoseAccessKey);
    const retry = firehose(requestId, [contact], creds.firehoseAccessKey);
    expect(await amazonConnectAdapter.verify(retry, ctx({ nowMs: T + 3 * 3_600_000 }))).toMatchObject({ ok: true });
    const a = await amazonConnectAdapter.normalize(first, ctx());
    const b = await amazonConnectAdapter.normalize(retry, ctx({ nowMs: T + 3 * 3_600_000 }));
    expect(b.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
  });
});
