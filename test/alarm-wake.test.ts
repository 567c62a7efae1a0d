import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { createQueue, createTenant } from './factories';
import { env } from './helpers/env';

/** `wakeWithin` is how every write asks for its flush (SqlDurableObject); reached here through the instance. */
type Waking = { wakeWithin(now: number, delayMs: number): Promise<void> };

describe('asking for the alarm', () => {
  it('a due alarm that has not started yet is left alone: a steady stream of writes does not keep postponing the flush', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    await runInDurableObject(queueStub(env, t.id, q.id), async (instance, state) => {
      const due = Date.now();
      await state.storage.setAlarm(due);
      // The runtime may record a time already past as its own now (seen in CI: 1 ms later): compare with what it armed.
      const armed = await state.storage.getAlarm();
      expect(armed).toBeGreaterThanOrEqual(due);
      expect(armed).toBeLessThan(due + 1000);
      // A write lands just after the alarm's time, before the runtime started its handler.
      await (instance as unknown as Waking).wakeWithin(due, 1000);
      expect(await state.storage.getAlarm()).toBe(armed);
      await state.storage.deleteAlarm();
    });
  });

  it('an alarm planned later than the write needs is brought forward; none at all is set', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    await runInDurableObject(queueStub(env, t.id, q.id), async (instance, state) => {
      const now = Date.now();
      await state.storage.setAlarm(now + 60_000);
      await (instance as unknown as Waking).wakeWithin(now, 1000);
      expect(await state.storage.getAlarm()).toBe(now + 1000);
      await state.storage.deleteAlarm();
      await (instance as unknown as Waking).wakeWithin(now, 1000);
      expect(await state.storage.getAlarm()).toBe(now + 1000);
      await state.storage.deleteAlarm();
    });
  });
});
