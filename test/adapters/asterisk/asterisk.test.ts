import { describe, expect, it } from 'vitest';
import { asteriskAdapter } from '../../../src/adapters/telephony/asterisk/asterisk.adapter';
import {
  type AdapterContext,
  type AdapterEvent,
  AdapterInputError,
  type InboundRequest,
} from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import { sha256Hex } from '../../../src/lib/crypto';
import { generateWebhookSecret, signStandardWebhook } from '../../../src/lib/standard-webhooks';
import {
  AMI_CASES,
  ATTENDED_TRANSFER_TO_QUEUE,
  CALL,
  CONSULT,
  IGNORED_AMI,
  IGNORED_LINES,
  QUEUE_LOG_CASES,
  QUEUE_LOG_FILE,
} from './fixtures';

const NOW = Date.parse('2024-06-04T12:00:00Z');

function request(rawBody: string, contentType: string | null, headers: Record<string, string> = {}): InboundRequest {
  const h = new Headers(headers);
  if (contentType) h.set('Content-Type', contentType);
  return { method: 'POST', url: 'https://callboard.example/v1/webhooks/asterisk/con_x', headers: h, rawBody, contentType };
}

const context = (secrets: string[] = [], nowMs = NOW): AdapterContext => ({
  connectorId: 'con_x',
  credentials: secrets.map((secret) => ({ secret })),
  options: {},
  nowMs,
});

const normalize = async (body: string, contentType: string | null = 'text/plain', headers: Record<string, string> = {}) =>
  asteriskAdapter.normalize(request(body, contentType, headers), context());

/** The error normalize throws, or fails the test. */
async function inputError(body: string, contentType: string | null): Promise<AdapterInputError> {
  try {
    await normalize(body, contentType);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error('expected an AdapterInputError');
}

// The id scheme, restated: a line's events are `asterisk:ql:<sha256(line)>:<type>`; an agent-state
// change is `asterisk:presence:<sha256(agent|second|state|reason)>`; an AMI event `asterisk:ami:<sha256(content)>:<type>`.
const qlId = async (line: string, type: string) => `asterisk:ql:${await sha256Hex(line)}:${type}`;
const presenceId = async (e: Record<string, unknown>) => {
  const attrs = e.attrs as { state: string; reason?: string };
  const second = Date.parse(e.occurredAt as string) / 1000;
  return `asterisk:presence:${await sha256Hex(`${e.agentKey}|${Math.floor(second)}|${attrs.state}|${attrs.reason ?? ''}`)}`;
};
const amiCanonical = (event: Record<string, string>) =>
  Object.keys(event)
    .map((k) => [k.toLowerCase(), event[k]] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}:${v}`)
    .join('\n');

function expectWire(events: AdapterEvent[]) {
  for (const e of events) {
    const parsed = WireEventSchema.safeParse(e);
    expect(parsed.success, `${e.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
}

describe('asterisk queue_log lines', () => {
  it.each(QUEUE_LOG_CASES)('$name', async ({ line, events: expected }) => {
    const { events, ignored } = await normalize(`${line}\n`);
    expect(ignored).toEqual([]);
    const ids = await Promise.all(
      expected.map((e) => (e.type === 'agent.state_changed' ? presenceId(e) : qlId(line, e.type as string))),
    );
    expect(events).toEqual(expected.map((e, i) => ({ id: ids[i], ...e })));
    expectWire(events);
  });

  it('accepts and lists unknown and irrelevant lines as ignored, never an error', async () => {
    const { events, ignored } = await normalize(IGNORED_LINES.join('\n'));
    expect(events).toEqual([]);
    expect(ignored).toEqual([
      { what: 'QUEUESTART (line 1)', reason: expect.stringContaining('stale-visit sweeper') },
      { what: 'CONFIGRELOAD (line 2)', reason: expect.any(String) },
      { what: 'DID (line 3)', reason: 'dialplan annotation, not a queue fact' },
      { what: 'PENALTY (line 4)', reason: expect.any(String) },
      { what: 'SOMETHINGNEW (line 5)', reason: 'not a queue_log event Callboard maps' },
      { what: 'ABANDON (line 6)', reason: 'no call id or queue on the line' },
    ]);
  });

  it('skips unreadable lines of a real file and lists them, keeping the rest', async () => {
    const body = [
      `1717495364|${CALL}|billing|NONE|ENTERQUEUE||14155550100|1`,
      '\u0000\u0000garbage after a crash',
      'yesterday|x|billing|NONE|ENTERQUEUE||1|1',
      `1717495402|${CALL}|billing|NONE|ABANDON|1|1|38`,
    ].join('\r\n');
    const { events, ignored } = await normalize(body);
    expect(events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined', 'queue.left', 'interaction.ended']);
    expect(ignored).toEqual([
      { what: 'unreadable line (line 2)', reason: 'fewer than 5 |-separated fields' },
      { what: 'unreadable line (line 3)', reason: "'yesterday' is not a unix time in seconds" },
    ]);
  });

  it('refuses a body with no queue_log line at all (422, with the lines), an empty one, and other media types', async () => {
    const notQueueLog = await inputError('hello world\nthis is not a queue_log', 'text/plain');
    expect(notQueueLog.status).toBe(422);
    expect(notQueueLog.issues).toEqual([
      { in: 'body', pointer: '/lines/1', detail: 'fewer than 5 |-separated fields' },
      { in: 'body', pointer: '/lines/2', detail: 'fewer than 5 |-separated fields' },
    ]);
    expect((await inputError('\n \n', 'text/plain')).status).toBe(422);
    expect((await inputError('<xml/>', 'application/xml')).status).toBe(415);
  });

  it('is deterministic, and a backfill of the whole file gives the ids the live batches gave', async () => {
    const whole = await normalize(QUEUE_LOG_FILE);
    expect(await normalize(QUEUE_LOG_FILE)).toEqual(whole);
    const lines = QUEUE_LOG_FILE.split('\n');
    const live = await Promise.all(
      [lines.slice(0, 5), lines.slice(5, 9), lines.slice(9)].map((chunk) => normalize(chunk.join('\n'))),
    );
    expect(new Set(live.flatMap((r) => r.events.map((e) => e.id)))).toEqual(new Set(whole.events.map((e) => e.id)));
    expect(whole.events.map((e) => e.id)).toEqual([...new Set(whole.events.map((e) => e.id))]);
    expectWire(whole.events);
  });

  it("an attended transfer into a queue is one call: the consult channel's lines are the caller's", async () => {
    const { events } = await normalize(ATTENDED_TRANSFER_TO_QUEUE.join('\n'));
    expect(events.filter((e) => e.interactionId !== CALL)).toEqual([]);
    const at = (s: number) => new Date(s * 1000).toISOString();
    // The consult channel's own lines: no second call starts; the caller joins support, rung there, and
    // Alice's connection in billing ends by the transfer after 46 s.
    const consultLines = events.filter(
      (e) => Date.parse(e.occurredAt) >= 1717495410_000 && Date.parse(e.occurredAt) <= 1717495422_000,
    );
    expect(consultLines.map(({ id: _id, ...e }) => e)).toEqual([
      {
        type: 'queue.joined',
        occurredAt: at(1717495410),
        interactionId: CALL,
        queueKey: 'support',
        legId: CONSULT,
        attrs: { position: 1 },
      },
      {
        type: 'agent.offer_ended',
        occurredAt: at(1717495420),
        interactionId: CALL,
        queueKey: 'support',
        agentKey: 'Local/2002@from-queue/n',
        attrs: { result: 'timeout', ringMs: 10000 },
      },
      {
        type: 'transfer',
        occurredAt: at(1717495422),
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Local/2001@from-queue/n',
        attrs: { kind: 'attended' },
      },
      {
        type: 'agent.disconnected',
        occurredAt: at(1717495422),
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Local/2001@from-queue/n',
        attrs: { endedBy: 'transfer', talkMs: 46000 },
      },
    ]);
    expect(events.filter((e) => e.type === 'interaction.started')).toHaveLength(1);
    expectWire(events);
    // A body that starts after the caller's CONNECT in billing: support's CONNECT, 21 s after the
    // consult channel entered, still says whose it is.
    const later = await normalize(ATTENDED_TRANSFER_TO_QUEUE.slice(2).join('\n'));
    expect(later.events.filter((e) => e.interactionId !== CALL)).toEqual([]);
    // The same lines again give the same ids; the consult's lines get ids of their own (a backfill after
    // a line-by-line delivery adds the caller's events).
    expect((await normalize(ATTENDED_TRANSFER_TO_QUEUE.join('\n'))).events).toEqual(events);
    const alone = await normalize(ATTENDED_TRANSFER_TO_QUEUE[2] as string);
    expect(alone.events.map((e) => e.interactionId)).toEqual([CONSULT, CONSULT]);
    expect(alone.events.some((e) => events.some((x) => x.id === e.id))).toBe(false);
  });

  it('gives a pause logged as PAUSEALL and once per queue one event', async () => {
    const { events } = await normalize(QUEUE_LOG_FILE);
    const pauses = events.filter((e) => e.type === 'agent.state_changed' && e.attrs?.state === 'away');
    expect(pauses).toEqual([
      {
        id: expect.stringMatching(/^asterisk:presence:[0-9a-f]{64}$/),
        type: 'agent.state_changed',
        occurredAt: '2024-06-04T10:06:40.000Z',
        agentKey: 'Alice',
        attrs: { state: 'away', reason: 'Lunch' },
      },
    ]);
  });

  it('keeps a line repeated in one body as a second fact (its repeat count is in its id)', async () => {
    const line = `1717495380|${CALL}|billing|Bob|RINGNOANSWER|0`;
    const { events } = await normalize([line, line].join('\n'));
    expect(events.map((e) => e.id)).toEqual([
      await qlId(line, 'agent.offer_ended'),
      `asterisk:ql:${await sha256Hex(`${line}\n1`)}:agent.offer_ended`,
    ]);
  });

  it('sniffs the body kind when there is no Content-Type', async () => {
    const { events } = await normalize(QUEUE_LOG_CASES[0]?.line as string, null);
    expect(events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined']);
    const ami = await normalize(JSON.stringify(AMI_CASES[0]?.event), null);
    expect(ami.events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined']);
  });

  it('reads a 40,000-line backfill', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const t = 1717480000 + i * 3;
      const id = `${t}.${i}`;
      lines.push(
        `${t}|${id}|billing|NONE|ENTERQUEUE||1555000${i}|1`,
        `${t + 1}|${id}|billing|Alice|CONNECT|1|${id}9|1`,
        `${t + 2}|${id}|billing|Alice|COMPLETECALLER|1|1|1`,
        `${t + 2}|NONE|billing|Alice|PAUSE|Break ${i}`,
      );
    }
    const started = Date.now();
    const { events, ignored } = await normalize(lines.join('\n'));
    expect(events).toHaveLength(10_000 * 8);
    expect(ignored).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('asterisk AMI events (JSON)', () => {
  it.each(AMI_CASES)('$name', async ({ event, events: expected }) => {
    const { events, ignored } = await normalize(JSON.stringify(event), 'application/json');
    expect(ignored).toEqual([]);
    const base = `asterisk:ami:${await sha256Hex(amiCanonical(event))}`;
    const ids = await Promise.all(expected.map((e) => (e.type === 'agent.state_changed' ? presenceId(e) : `${base}:${e.type}`)));
    expect(events).toEqual(expected.map((e, i) => ({ id: ids[i], ...e })));
    expectWire(events);
  });

  it('reads an array, any key case, and lists what it ignores', async () => {
    const lower = Object.fromEntries(Object.entries(AMI_CASES[0]?.event ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const body = JSON.stringify([lower, ...IGNORED_AMI]);
    const { events, ignored } = await normalize(body, 'application/json; charset=utf-8');
    const upper = await normalize(JSON.stringify(AMI_CASES[0]?.event), 'application/json');
    expect(events).toEqual(upper.events);
    expect(ignored).toEqual([
      { what: 'QueueCallerLeave (event 1)', reason: expect.stringContaining('AgentConnect and QueueCallerAbandon') },
      { what: 'QueueMemberStatus (event 2)', reason: expect.stringContaining('device state') },
      { what: 'Newchannel (event 3)', reason: 'not an AMI event Callboard maps' },
      { what: 'BlindTransfer (event 4)', reason: 'transfer did not succeed (Fail)' },
    ]);
  });

  it('without a Timestamp uses the time received, and ids that a retry of the delivery keeps', async () => {
    const hold = { Event: 'Hold', Channel: 'PJSIP/2001-0000002b', Uniqueid: '1717495401.86', Linkedid: CALL };
    const body = JSON.stringify([hold, hold]);
    const first = await normalize(body, 'application/json', { 'webhook-id': 'msg_1' });
    expect(first.events).toEqual([
      expect.objectContaining({ type: 'hold.started', occurredAt: new Date(NOW).toISOString(), occurredAtSource: 'received' }),
      expect.objectContaining({ type: 'hold.started', occurredAtSource: 'received' }),
    ]);
    expect(first.events[0]?.id).not.toBe(first.events[1]?.id);
    expect(await normalize(body, 'application/json', { 'webhook-id': 'msg_1' })).toEqual(first);
    const other = await normalize(body, 'application/json', { 'webhook-id': 'msg_2' });
    expect(other.events[0]?.id).not.toBe(first.events[0]?.id);
  });

  it('refuses malformed JSON (400) and bodies that are not AMI events (422)', async () => {
    expect((await inputError('{"Event": ', 'application/json')).status).toBe(400);
    expect((await inputError('42', 'application/json')).status).toBe(422);
    expect((await inputError('[]', 'application/json')).status).toBe(422);
    const noEvent = await inputError(JSON.stringify([{ Event: 'Hold', Linkedid: CALL }, { Uniqueid: '1' }]), 'application/json');
    expect(noEvent.status).toBe(422);
    expect(noEvent.issues).toEqual([{ in: 'body', pointer: '/1/Event', detail: 'Required.' }]);
  });
});

describe('asterisk verify (Standard Webhooks with the generated secret)', () => {
  const secret = generateWebhookSecret();
  const previous = generateWebhookSecret();
  const body = QUEUE_LOG_FILE;

  async function signed(opts: { secret?: string; at?: number; body?: string; omit?: string } = {}) {
    const ts = Math.floor((opts.at ?? NOW) / 1000);
    const headers: Record<string, string> = {
      'webhook-id': 'msg_2k4TvYq',
      'webhook-timestamp': String(ts),
      'webhook-signature': await signStandardWebhook(opts.secret ?? secret, 'msg_2k4TvYq', ts, body),
    };
    if (opts.omit) delete headers[opts.omit];
    return request(opts.body ?? body, 'text/plain', headers);
  }

  it('accepts a correctly signed delivery, with the current or (during a rotation) the previous secret', async () => {
    expect(await asteriskAdapter.verify(await signed(), context([secret, previous]))).toEqual({ ok: true, credentialIndex: 0 });
    expect(await asteriskAdapter.verify(await signed({ secret: previous }), context([secret, previous]))).toEqual({
      ok: true,
      credentialIndex: 1,
    });
  });

  it.each([
    ['a tampered body', { body: body.replace('ABANDON', 'CONNECT') }, 'invalid'],
    ['another secret', { secret: generateWebhookSecret() }, 'invalid'],
    ['a stale timestamp', { at: NOW - 6 * 60_000 }, 'expired'],
    ['a future timestamp', { at: NOW + 6 * 60_000 }, 'expired'],
    ['no signature', { omit: 'webhook-signature' }, 'missing'],
    ['no timestamp', { omit: 'webhook-timestamp' }, 'missing'],
    ['no id', { omit: 'webhook-id' }, 'missing'],
  ] as const)('refuses %s', async (_, opts, reason) => {
    const result = await asteriskAdapter.verify(await signed(opts), context([secret]));
    expect(result).toMatchObject({ ok: false, reason });
  });
});
