import { describe, expect, it } from 'vitest';
import { createKey } from '../factories';
import type { ApiResponse } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, sendEvents, settle, T0 } from '../helpers/ingest';
import { shuffled } from '../helpers/scenario';
import { amazonConnectDriver } from './drivers/amazon-connect';
import { asteriskDriver } from './drivers/asterisk';
import type { ConformanceDriver, Counts } from './drivers/driver';
import { freeswitchDriver } from './drivers/freeswitch';
import { plivoDriver } from './drivers/plivo';
import { telnyxDriver } from './drivers/telnyx';
import { twilioDriver } from './drivers/twilio';
import { vonageDriver } from './drivers/vonage';

// One conformance suite for the providers: each delivers the same day of calls (answered with a hold,
// abandoned after 45 s, a 3 s short abandon, moved to another queue and answered there) as it reports
// it, signed as it signs (on Asterisk and FreeSWITCH the moved call times out of the first queue). For
// every provider, each delivery is answered 200 with nothing rejected, Callboard records the day as the
// driver says, the same deliveries again are all duplicates and change nothing, and the deliveries
// shuffled, some twice, into another tenant give the same records.

const DRIVERS: ConformanceDriver<any, any>[] = [
  amazonConnectDriver,
  asteriskDriver,
  freeswitchDriver,
  plivoDriver,
  telnyxDriver,
  twilioDriver,
  vonageDriver,
];

const defaultCounts = (res: ApiResponse): Counts => res.body;

describe.each(DRIVERS.map((driver) => ({ provider: driver.provider, driver })))('$provider conformance', ({ driver }) => {
  const counts = (res: ApiResponse, d: unknown) => (driver.counts ?? defaultCounts)(res, d);

  it('the day lands in Postgres and the live state; everything again is a duplicate; shuffled into another tenant, the same', async () => {
    const w = await driver.setup();
    const { calls, deliveries } = driver.day(callId(driver.provider));
    const midway = driver.midway && {
      ...driver.midway,
      before: driver.midway.before < 0 ? deliveries.length + driver.midway.before : driver.midway.before,
    };
    const firstCounts: (Counts | null)[] = [];
    for (const [i, d] of deliveries.entries()) {
      if (i === midway?.before) await midway.check(w);
      const res = await driver.deliver(w, d);
      expect(res.status, res.text).toBe(200);
      if (driver.firstAnswer) driver.firstAnswer(res, d);
      else expect(res.body.rejected, res.text).toBe(0);
      firstCounts.push(counts(res, d));
    }
    driver.expectCounts?.(firstCounts, deliveries);
    await driver.supplement?.(w, calls);
    await settle(w.t);

    const got = (await driver.observe(w, calls)) as {
      live: Record<string, Record<string, unknown>>;
      sql: { visits: unknown[][] };
    };
    driver.expectDay(got, calls);
    // Whatever the provider, the day's counters: four offered to the first queue (one answered, two
    // abandoned, one moved out), one offered to the second and answered there, nobody waiting.
    const [first, second] = driver.queues ?? ['sales', 'billing'];
    const counters = (name: string) => {
      const { agents: _agents, ...live } = got.live[name] ?? {};
      return live;
    };
    expect({ [first]: counters(first), [second]: counters(second) }).toEqual({
      [first]: { waiting: 0, offered: 4, answered: 1, abandoned: 2, flowedOut: 1, unknown: 0 },
      [second]: { waiting: 0, offered: 1, answered: 1, abandoned: 0, flowedOut: 0, unknown: 0 },
    });
    expect(Object.keys(got.live).sort()).toEqual([first, second].sort());
    // Its visits in Postgres, ordered by interaction id (a stable sort keeps the moved call's two in order).
    const moved = calls[driver.movedRole ?? 'transferred'];
    const byCall = (rows: unknown[][]) =>
      [...rows].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : String(x[0]) > String(y[0]) ? 1 : 0));
    expect(got.sql.visits).toEqual(
      byCall([
        [calls.answered, first, 'answered', driver.waits.answered, 'alice'],
        [calls.abandoned, first, 'abandoned', 45_000, null],
        [calls.short, first, 'abandoned', 3_000, null],
        [moved, first, driver.movedOutcome ?? 'transferred', driver.waits.moved, null],
        [moved, second, 'answered', driver.waits.second ?? 9_950, 'bob'],
      ]),
    );
    // The day's abandons straddle the short-abandon threshold: 3 s is short, 45 s is not.
    const { serviceLevel } = (await w.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);

    // The provider retries: every delivery again is all duplicates, and nothing changes.
    for (const [i, d] of deliveries.entries()) {
      const res = await driver.deliver(w, d);
      expect(res.status, res.text).toBe(200);
      const before = firstCounts[i];
      const now = counts(res, d);
      if (before && now) {
        expect([now.accepted, now.duplicates, now.rejected], res.text).toEqual([0, before.accepted + before.duplicates, 0]);
      }
    }
    await settle(w.t);
    expect(await driver.observe(w, calls)).toEqual(got);

    // Deliveries are not ordered, and some come twice: another tenant fed them shuffled records the same.
    const other = await driver.setup();
    await driver.supplement?.(other, calls);
    for (const d of shuffled([...deliveries, ...driver.again.twice(deliveries)], driver.again.seed)) {
      const res = await driver.deliver(other, d);
      expect(res.status, res.text).toBe(200);
      expect(counts(res, d)?.rejected ?? 0, res.text).toBe(0);
    }
    await settle(other.t);
    expect(await driver.observe(other, calls)).toEqual(got);
  });
});

const iso = (ms: number) => new Date(ms).toISOString();
const WITHOUT_AGENT_STATES = DRIVERS.filter((d) => d.ingestedBreak).map((driver) => ({ provider: driver.provider, driver }));

describe.each(WITHOUT_AGENT_STATES)('$provider reports no agent states', ({ driver }) => {
  it("an agent's break comes through the generic ingest, under the agent's provider key or id", async () => {
    const w = await driver.setup();
    const { agentId, ref, queueId } = driver.ingestedBreak?.(w) ?? expect.unreachable();
    const ingest = await createKey(w.t, { scopes: ['ingest'] });
    const presence = (minutes: number, state: string, reason?: string) => ({
      id: `${agentId}:${minutes}`,
      type: 'agent.state_changed',
      occurredAt: iso(T0 + minutes * 60_000),
      ...ref,
      attrs: { state, ...(reason ? { reason } : {}) },
    });
    await sendEvents(ingest.client, [presence(2, 'available'), presence(6, 'away', 'break'), presence(9, 'available')]);
    const live = (await w.t.admin.get(`/v1/queues/${queueId}/live`)).body;
    expect(live.agents.list).toEqual([
      { agentId, state: 'available', reason: null, since: iso(T0 + 9 * 60_000), timeInStateMs: expect.any(Number) },
    ]);
    await settle(w.t);
    const rows = await asTenant(w.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        agentId,
      ]),
    );
    expect(
      rows.map((r) => [r.state, r.reason, iso(Date.parse(r.started_at)), r.ended_at && iso(Date.parse(r.ended_at))]),
    ).toEqual([
      ['available', null, iso(T0 + 2 * 60_000), iso(T0 + 6 * 60_000)],
      ['away', 'break', iso(T0 + 6 * 60_000), iso(T0 + 9 * 60_000)],
      ['available', null, iso(T0 + 9 * 60_000), null],
    ]);
  });
});
