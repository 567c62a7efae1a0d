import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { webhookSenderStub } from '../../src/durable-objects/webhooks/webhook-sender.client';
import type { ReceivedWebhook, ReceiverPath } from '../webhook-receiver';
import { env } from './env';

export type { ReceivedWebhook };

const bindings = env as unknown as { TEST_WEBHOOK_RECEIVER: string; TEST_WEBHOOK_RECEIVER_CONTROL: string };
let seq = 0;

/** A path of the test receiver (test/webhook-receiver.ts) no other test uses, with its endpoint URL. */
export function receiverPath(label = 'hook'): { name: string; url: string } {
  const name = `${label}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
  return { name, url: `${bindings.TEST_WEBHOOK_RECEIVER}/${name}` };
}

/** Tells the receiver which secrets to verify a path's requests with (the library, in order) and how to answer them. */
export async function expectAt(name: string, config: Partial<ReceiverPath>): Promise<void> {
  const res = await fetch(`${bindings.TEST_WEBHOOK_RECEIVER_CONTROL}/paths/${encodeURIComponent(name)}`, {
    method: 'PUT',
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`receiver control answered ${res.status}`);
}

/** What the receiver got on a path, oldest first. */
export async function received(name: string): Promise<ReceivedWebhook[]> {
  const res = await fetch(`${bindings.TEST_WEBHOOK_RECEIVER_CONTROL}/requests/${encodeURIComponent(name)}`);
  return (await res.json()) as ReceivedWebhook[];
}

const sender = (tenantId: string) => webhookSenderStub(env, tenantId);

/** Freezes the tenant's sender clock at `ms` (the retry schedule, give-up and disabling read it; signatures do not). */
export async function setSenderClock(tenantId: string, ms: number): Promise<void> {
  await runInDurableObject(sender(tenantId), (instance) => {
    (instance as unknown as { clock: () => number }).clock = () => ms;
  });
}

/** When the sender's next message is due on its clock, or null when none waits. */
export async function nextDue(tenantId: string): Promise<number | null> {
  return runInDurableObject(sender(tenantId), (_instance, state) => {
    const rows = state.storage.sql.exec<{ t: number | null }>('SELECT min(next_attempt_at) AS t FROM messages').toArray();
    return rows[0]?.t ?? null;
  });
}

/**
 * Runs the sender's alarm until `done` holds (the alarm the runtime fires by itself may be the one that does the
 * work: the clock, not the alarm, decides what is due), or fails after `timeoutMs`.
 */
export async function runSenderUntil(tenantId: string, done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runDurableObjectAlarm(sender(tenantId));
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`the webhook sender of ${tenantId} did not get there within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the sender until the receiver has `n` requests on `name`; returns them. */
export async function deliveredTo(tenantId: string, name: string, n: number): Promise<ReceivedWebhook[]> {
  let got: ReceivedWebhook[] = [];
  await runSenderUntil(tenantId, async () => {
    got = await received(name);
    return got.length >= n;
  });
  return got;
}

/** Runs the sender until its delivery log reached Postgres. */
export async function flushSender(tenantId: string): Promise<void> {
  await runSenderUntil(tenantId, async () => (await sender(tenantId).backlog()).outbox === 0);
}
