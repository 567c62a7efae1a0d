import { runDurableObjectAlarm } from 'cloudflare:test';
import { expect } from 'vitest';
import type { AnyEvent } from '../../src/domain/events/normalized';
import { liveHubStub } from '../../src/durable-objects/live/live-hub.client';
import { queueStub } from '../../src/durable-objects/queue/queue.client';
import type { QueueIngestBatch, QueueIngestMany, QueueIngestResult } from '../../src/durable-objects/queue/queue.types';
import { tenantStub } from '../../src/durable-objects/tenant/tenant.client';
import type { TestTenant } from '../factories';
import { env } from './env';

let seq = 0;
/** A unique interaction id for a test. */
export const callId = (name = 'call') => `${name}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** Midnight UTC today: events fall on the tenant's today (UTC by default) and never in the future. */
export const T0 = new Date(new Date().toISOString().slice(0, 10)).getTime();
/** An ISO instant `seconds` after T0, so tests can read times easily. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/**
 * A midnight UTC at least two hours ago: today's, or yesterday's in the first two hours of the UTC day, when
 * `at(3000)` may still lie ahead (events more than 5 minutes in the future are refused). For tests whose
 * events span up to two hours and that need no "today".
 */
export const PAST_T0 = Date.now() - T0 >= 2 * 3_600_000 ? T0 : T0 - 86_400_000;
/** An ISO instant `seconds` after PAST_T0: never in the future for `seconds` under two hours. */
export const pastAt = (seconds: number) => new Date(PAST_T0 + seconds * 1000).toISOString();

/** Wire events of one answered call with hold and wrap-up, the way a generic client sends them. */
export function answeredCall(interactionId: string, queueId: string, agentId: string, opts: { caller?: string } = {}) {
  const e = (type: string, s: number, extra: Record<string, unknown> = {}) => ({
    id: `${interactionId}:${type}:${s}`,
    type,
    occurredAt: at(s),
    interactionId,
    ...extra,
  });
  return [
    e('interaction.started', 0, { direction: 'inbound', caller: opts.caller ?? '+420 601 234 567' }),
    e('queue.joined', 2, { queueId }),
    e('agent.offered', 9, { queueId, agentId }),
    e('queue.left', 12, { queueId, agentId, attrs: { outcome: 'answered' } }),
    e('agent.connected', 12, { queueId, agentId }),
    e('hold.started', 40, { agentId }),
    e('hold.ended', 55, { agentId }),
    e('agent.disconnected', 132, { agentId, attrs: { endedBy: 'customer' } }),
    e('interaction.ended', 132, { attrs: { hangupCause: 'normal_clearing', endedBy: 'customer' } }),
    e('wrapup.started', 132, { agentId }),
    e('wrapup.ended', 162, { agentId }),
  ];
}

/**
 * Wire events of a call answered at once and handled by `agentId` for `talkSeconds` (no hold, no wrap-up: its handle
 * time is its talk time), `startSecond` seconds after `PAST_T0`.
 */
export function handledCall(queueId: string, agentId: string, startSecond: number, talkSeconds: number) {
  const id = callId('handled');
  const at = (s: number) => new Date(PAST_T0 + (startSecond + s) * 1000).toISOString();
  return [
    { id: `${id}:s`, type: 'interaction.started', occurredAt: at(0), interactionId: id, direction: 'inbound' },
    { id: `${id}:j`, type: 'queue.joined', occurredAt: at(1), interactionId: id, queueId },
    { id: `${id}:l`, type: 'queue.left', occurredAt: at(5), interactionId: id, queueId, agentId, attrs: { outcome: 'answered' } },
    { id: `${id}:c`, type: 'agent.connected', occurredAt: at(5), interactionId: id, queueId, agentId },
    { id: `${id}:d`, type: 'agent.disconnected', occurredAt: at(5 + talkSeconds), interactionId: id, agentId },
    { id: `${id}:e`, type: 'interaction.ended', occurredAt: at(5 + talkSeconds), interactionId: id },
  ];
}

/** Wire events of a call abandoned after `wait` seconds. */
export function abandonedCall(interactionId: string, queueId: string, wait: number) {
  return [
    { id: `${interactionId}:start`, type: 'interaction.started', occurredAt: at(0), interactionId, direction: 'inbound' },
    { id: `${interactionId}:join`, type: 'queue.joined', occurredAt: at(1), interactionId, queueId },
    {
      id: `${interactionId}:left`,
      type: 'queue.left',
      occurredAt: at(1 + wait),
      interactionId,
      queueId,
      attrs: { outcome: 'abandoned' },
    },
    { id: `${interactionId}:end`, type: 'interaction.ended', occurredAt: at(1 + wait), interactionId },
  ];
}

/**
 * Runs the tenant's and its queues' alarms until nothing is left to relay or flush — what the
 * alarms would do on their own a moment later. An alarm may already be running on its own (it is
 * then not "scheduled"), so this waits for it, up to a deadline, rather than for a fixed time.
 */
export async function settle(t: TestTenant, timeoutMs = 15_000): Promise<void> {
  const tenant = tenantStub(env, t.id);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const queueIds = await tenant.queueIds();
    await runDurableObjectAlarm(tenant);
    for (const q of queueIds) await runDurableObjectAlarm(queueStub(env, t.id, q));
    const hub = liveHubStub(env, t.id);
    if ((await hub.backlog()) > 0) await runDurableObjectAlarm(hub);
    const hubBacklog = await hub.backlog();
    const pending = await tenant.backlog();
    const queues = await Promise.all(queueIds.map(async (q) => ({ q, live: (await queueStub(env, t.id, q).live()).outbox })));
    if (hubBacklog + pending.outbox + pending.relay + queues.reduce((n, x) => n + x.live.backlog, 0) === 0) return;
    last = JSON.stringify({ tenant: pending, queues, hub: hubBacklog });
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`outboxes did not drain within ${timeoutMs} ms: ${last}`);
}

/** Sends events with an ingest key and expects them all to be accepted. */
export async function sendEvents(
  client: { post: (p: string, b: unknown) => Promise<{ status: number; body: any; text: string }> },
  events: unknown[],
) {
  const res = await client.post('/v1/events', { events });
  expect(res.status, res.text).toBe(200);
  return res.body as {
    results: { id: string; status: string; reason?: string }[];
    accepted: number;
    duplicates: number;
    rejected: number;
  };
}

/**
 * A normalized event as the edge hands it to the Durable Objects, for tests that call them by RPC (below the
 * edge's checks): generic defaults for the tenant, everything overridable.
 */
export function normalizedEvent(t: TestTenant, fields: Partial<AnyEvent> & Pick<AnyEvent, 'id' | 'type'>): AnyEvent {
  return {
    tenantId: t.id,
    provider: 'generic',
    occurredAt: T0 + 1000,
    occurredAtSource: 'provider',
    receivedAt: Date.now(),
    interactionId: null,
    legId: null,
    queueId: null,
    queueKey: null,
    agentId: null,
    agentKey: null,
    direction: null,
    callerHash: null,
    callerMasked: null,
    attrs: {},
    ...fields,
  } as AnyEvent;
}

/** One batch straight into a queue's Durable Object, as `QueueLink` sends it (alone). */
export async function ingestIntoQueue(
  stub: { ingestMany(input: QueueIngestMany): Promise<QueueIngestResult[]> },
  input: Omit<QueueIngestMany, 'batches'> & QueueIngestBatch,
): Promise<QueueIngestResult> {
  const { events, presence, ensure, timelines, delivery, ...rest } = input;
  const [result] = await stub.ingestMany({
    ...rest,
    batches: [{ events, presence, ensure, timelines, ...(delivery ? { delivery } : {}) }],
  });
  if (!result) throw new Error('the queue answered no batch');
  return result;
}
