import { describe, expect, it } from 'vitest';
import { freeswitchAdapter } from '../../../src/adapters/telephony/freeswitch/freeswitch.adapter';
import {
  type AdapterContext,
  type AdapterEvent,
  AdapterInputError,
  type InboundRequest,
} from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import { sha256Hex } from '../../../src/lib/crypto';
import { generateWebhookSecret, signStandardWebhook } from '../../../src/lib/standard-webhooks';
import { CORE_UUID, envelope, FS_CASES, IGNORED_FS, SESSION } from './fixtures';

const NOW = Date.parse('2024-06-04T12:00:00Z');

function request(rawBody: string, contentType: string | null, headers: Record<string, string> = {}): InboundRequest {
  const h = new Headers(headers);
  if (contentType) h.set('Content-Type', contentType);
  return { method: 'POST', url: 'https://callboard.example/v1/webhooks/freeswitch/con_x', headers: h, rawBody, contentType };
}

const context = (secrets: string[] = [], nowMs = NOW): AdapterContext => ({
  connectorId: 'con_x',
  credentials: secrets.map((secret) => ({ secret })),
  options: {},
  nowMs,
});

const normalize = async (body: unknown, contentType: string | null = 'application/json') =>
  freeswitchAdapter.normalize(request(typeof body === 'string' ? body : JSON.stringify(body), contentType), context());

async function inputError(body: string, contentType: string | null = 'application/json'): Promise<AdapterInputError> {
  try {
    await normalize(body, contentType);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error('expected an AdapterInputError');
}

function expectWire(events: AdapterEvent[]) {
  for (const e of events) {
    const parsed = WireEventSchema.safeParse(e);
    expect(parsed.success, `${e.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  }
}

describe('freeswitch mod_callcenter events', () => {
  it.each(FS_CASES)('$name', async ({ event, events: expected }) => {
    const { events, ignored } = await normalize(event);
    expect(ignored).toEqual([]);
    // Core-UUID + Event-Sequence is the event's identity: unique per FreeSWITCH instance, repeated on a re-send.
    const base = `freeswitch:${CORE_UUID}:${event['Event-Sequence']}`;
    expect(events).toEqual(expected.map((e) => ({ id: `${base}:${e.type}`, ...e })));
    expectWire(events);
  });

  it('accepts and lists events it does not map as ignored', async () => {
    const { events, ignored } = await normalize(IGNORED_FS);
    expect(events).toEqual([]);
    expect(ignored).toEqual([
      { what: 'callcenter::info members-count (event 0)', reason: expect.stringContaining('queue size snapshot') },
      { what: 'callcenter::info agent-max-no-answer (event 1)', reason: expect.stringContaining('agent-status-change') },
      { what: 'callcenter::info agent-state-change (event 2)', reason: 'an offer in flight (agent-offering carries it)' },
      { what: 'CHANNEL_HOLD (event 3)', reason: expect.stringContaining('not a leg of a call-center call') },
      { what: 'HEARTBEAT (event 4)', reason: 'not a call-center event Callboard maps' },
      { what: 'CUSTOM (event 5)', reason: 'not a call-center event Callboard maps' },
    ]);
  });

  it('reads an array of mixed events in order, deterministically', async () => {
    const body = JSON.stringify([...FS_CASES.map((c) => c.event), ...IGNORED_FS]);
    const first = await normalize(body);
    expect(first.events).toHaveLength(FS_CASES.reduce((n, c) => n + c.events.length, 0));
    expect(await normalize(body)).toEqual(first);
    expect(new Set(first.events.map((e) => e.id)).size).toBe(first.events.length);
    expectWire(first.events);
  });

  it('takes Event-UUID when there is one, else hashes the event; the time received when it has none', async () => {
    const status = { 'Event-Name': 'CUSTOM', 'Event-Subclass': 'callcenter::info', 'CC-Action': 'agent-status-change' };
    const withUuid = await normalize({
      ...status,
      'Event-UUID': 'e-1',
      'CC-Agent': '1000@default',
      'CC-Agent-Status': 'On Break',
    });
    expect(withUuid.events[0]?.id).toBe('freeswitch:e-1:agent.state_changed');
    const bare = { ...status, 'CC-Agent': '1000@default', 'CC-Agent-Status': 'Available' };
    const hashed = await normalize(bare);
    const material = Object.entries(bare)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}:${v}`)
      .join('\n');
    expect(hashed.events).toEqual([
      {
        id: `freeswitch:h:${await sha256Hex(material)}:agent.state_changed`,
        type: 'agent.state_changed',
        occurredAt: new Date(NOW).toISOString(),
        occurredAtSource: 'received',
        agentKey: '1000@default',
        attrs: { state: 'available' },
      },
    ]);
  });

  it('times member-queue-end from CC-Member-Leaving-Time: the event can be raised seconds after the caller left', async () => {
    const cancel = FS_CASES.find((c) => c.name === 'member-queue-end Cancel NONE (caller hangup)')?.event;
    const terminated = FS_CASES.find((c) => c.name === 'member-queue-end Terminated')?.event;
    if (!cancel || !terminated) throw new Error('fixture missing');
    // Left at …374 (10 s after joining), the event stamped 2.7 s later.
    const late = await normalize({ ...cancel, 'Event-Date-Timestamp': '1717495376700000' });
    expect(late.events.map((e) => [e.type, e.occurredAt])).toEqual([
      ['queue.left', '2024-06-04T10:02:54.000Z'],
      ['interaction.ended', '2024-06-04T10:02:54.000Z'],
    ]);
    const ended = await normalize({ ...terminated, 'Event-Date-Timestamp': '1717495592100000' });
    expect(ended.events.map((e) => e.occurredAt)).toEqual(['2024-06-04T10:06:29.000Z']);
    // Within the leaving second the event's own stamp is the finer one; without a leaving time it is the time.
    const same = await normalize({ ...cancel, 'Event-Date-Timestamp': '1717495374450000' });
    expect(same.events.map((e) => e.occurredAt)).toEqual(['2024-06-04T10:02:54.450Z', '2024-06-04T10:02:54.450Z']);
    const { 'CC-Member-Leaving-Time': _left, ...noLeaving } = cancel;
    const unknown = await normalize({ ...noLeaving, 'Event-Date-Timestamp': '1717495376700000' });
    expect(unknown.events.map((e) => e.occurredAt)).toEqual(['2024-06-04T10:02:56.700Z', '2024-06-04T10:02:56.700Z']);
  });

  it('ignores a callcenter event without the references it needs', async () => {
    const { events, ignored } = await normalize({
      ...envelope(1, '1717495364000000'),
      'CC-Action': 'member-queue-start',
      'CC-Queue': 'support@default',
    });
    expect(events).toEqual([]);
    expect(ignored).toEqual([
      { what: 'callcenter::info member-queue-start (event 0)', reason: 'no CC-Member-Session-UUID or CC-Queue' },
    ]);
  });

  it('refuses malformed JSON (400), non-JSON (415) and bodies that are not events (422)', async () => {
    expect((await inputError('{"Event-Name": ')).status).toBe(400);
    expect((await inputError('Event-Name: CUSTOM', 'text/plain')).status).toBe(415);
    expect((await inputError('"CUSTOM"')).status).toBe(422);
    expect((await inputError('[]')).status).toBe(422);
    const missing = await inputError(
      JSON.stringify([{ 'Event-Name': 'CUSTOM' }, { 'CC-Action': 'member-queue-start', 'CC-Member-Session-UUID': SESSION }]),
    );
    expect(missing.status).toBe(422);
    expect(missing.issues).toEqual([{ in: 'body', pointer: '/1/Event-Name', detail: 'Required.' }]);
  });
});

describe('freeswitch verify (Standard Webhooks with the generated secret)', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify(FS_CASES.map((c) => c.event));

  async function signed(opts: { secret?: string; at?: number; body?: string; omit?: string } = {}) {
    const ts = Math.floor((opts.at ?? NOW) / 1000);
    const headers: Record<string, string> = {
      'webhook-id': 'msg_fs_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': await signStandardWebhook(opts.secret ?? secret, 'msg_fs_1', ts, body),
    };
    if (opts.omit) delete headers[opts.omit];
    return request(opts.body ?? body, 'application/json', headers);
  }

  it('accepts a correctly signed delivery', async () => {
    expect(await freeswitchAdapter.verify(await signed(), context([secret]))).toEqual({ ok: true, credentialIndex: 0 });
  });

  it.each([
    ['a tampered body', { body: body.replace('Terminated', 'Cancel') }, 'invalid'],
    ['another secret', { secret: generateWebhookSecret() }, 'invalid'],
    ['a stale timestamp', { at: NOW - 6 * 60_000 }, 'expired'],
    ['a future timestamp', { at: NOW + 6 * 60_000 }, 'expired'],
    ['no signature', { omit: 'webhook-signature' }, 'missing'],
    ['no timestamp', { omit: 'webhook-timestamp' }, 'missing'],
  ] as const)('refuses %s', async (_, opts, reason) => {
    expect(await freeswitchAdapter.verify(await signed(opts), context([secret]))).toMatchObject({ ok: false, reason });
  });
});
