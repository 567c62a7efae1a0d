import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { asTenant } from './helpers/db';
import { callId, handledCall, PAST_T0, pastAt, sendEvents, settle } from './helpers/ingest';

/**
 * contactsPerHour (issue 12 §1): right-party contacts an agent handled (the call's last agent segment) per hour
 * of the agent's logged-in time, per agent, team and site; a team's is its contacts over its hours.
 */

type Value = { value: number | null; numerator: number; denominator: number | null; unit: string; status: string };
type Row = { group: Record<string, string | null>; metrics: Record<string, Value> };

const RANGE = { from: new Date(PAST_T0 - 86_400_000).toISOString(), to: new Date(PAST_T0 + 86_400_000).toISOString() };

async function kpis(t: TestTenant, params: Record<string, string>): Promise<Row[]> {
  const res = await t.admin.get(
    `/v1/kpis?${new URLSearchParams({ ...RANGE, metrics: 'contactsPerHour', ...params }).toString()}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body.rows as Row[];
}

type Wire = Record<string, unknown>;

/**
 * Two agents of one team, their logged-in time and six calls:
 * - ada logged in 0–3600 s (available, then away 2400–3000 s, still logged in): 1 h;
 * - bob logged in 0–2700 s (available, then busy): 0.75 h;
 * - o1: ada dialled and spoke (a segment, no visit), rpc_promise: ada's;
 * - o2: the dialer queued a live answer, bob took it, rpc_refused: bob's;
 * - o3: ada dialled and spoke, wrong_party: no right-party contact;
 * - o4: queued by the dialer and abandoned before any agent, dispositioned rpc_promise: nobody's;
 * - o5: bob spoke first and passed the call to ada, rpc_promise: ada's (the last segment); dialled in the first
 *   quarter hour, ada connected in the third;
 * - an inbound call ada handled, dispositioned rpc_promise: not an outbound contact.
 * So ada 2 contacts / 1 h, bob 1 / 0.75 h, the team 3 / 1.75 h.
 */
async function scenario() {
  const t = await createTenant();
  const set = await t.admin.patch('/v1/settings', { rightPartyCategories: ['rpc_promise', 'rpc_refused'] });
  expect(set.status, set.text).toBe(200);
  const q = await createQueue(t);
  const team = await createTeam(t);
  const ada = await createAgent(t, { teamId: team.id });
  const bob = await createAgent(t, { teamId: team.id });
  const state = (agentId: string, second: number, s: string): Wire => ({
    id: callId('state'),
    type: 'agent.state_changed',
    occurredAt: pastAt(second),
    agentId,
    attrs: { state: s },
  });
  const started = (id: string, second: number): Wire => ({
    id: `${id}:s`,
    type: 'interaction.started',
    occurredAt: pastAt(second),
    interactionId: id,
    direction: 'outbound',
    caller: `+1 212 555 01${String(second % 100).padStart(2, '0')}`,
  });
  const spoke = (id: string, agentId: string, from: number, to: number, tag = ''): Wire[] => [
    { id: `${id}:c${tag}`, type: 'agent.connected', occurredAt: pastAt(from), interactionId: id, queueId: q.id, agentId },
    { id: `${id}:d${tag}`, type: 'agent.disconnected', occurredAt: pastAt(to), interactionId: id, agentId },
  ];
  const disposition = (id: string, second: number, category: string): Wire => ({
    id: `${id}:disp`,
    type: 'call.dispositioned',
    occurredAt: pastAt(second),
    interactionId: id,
    attrs: { resolved: true, category },
  });
  const ended = (id: string, second: number): Wire => ({
    id: `${id}:e`,
    type: 'interaction.ended',
    occurredAt: pastAt(second),
    interactionId: id,
  });
  const [o1, o2, o3, o4, o5] = ['o1', 'o2', 'o3', 'o4', 'o5'].map((n) => callId(n)) as [string, string, string, string, string];
  const events: Wire[] = [
    state(ada.id, 0, 'available'),
    state(ada.id, 2400, 'away'),
    state(ada.id, 3000, 'available'),
    state(ada.id, 3600, 'offline'),
    state(bob.id, 0, 'available'),
    state(bob.id, 1800, 'busy'),
    state(bob.id, 2700, 'offline'),
    started(o1, 60),
    ...spoke(o1, ada.id, 68, 158),
    ended(o1, 158),
    disposition(o1, 170, 'rpc_promise'),
    started(o2, 300),
    { id: `${o2}:j`, type: 'queue.joined', occurredAt: pastAt(310), interactionId: o2, queueId: q.id },
    {
      id: `${o2}:l`,
      type: 'queue.left',
      occurredAt: pastAt(311),
      interactionId: o2,
      queueId: q.id,
      agentId: bob.id,
      attrs: { outcome: 'answered' },
    },
    ...spoke(o2, bob.id, 311, 371),
    ended(o2, 371),
    disposition(o2, 380, 'rpc_refused'),
    started(o3, 400),
    ...spoke(o3, ada.id, 405, 500),
    ended(o3, 500),
    disposition(o3, 510, 'wrong_party'),
    started(o4, 600),
    { id: `${o4}:j`, type: 'queue.joined', occurredAt: pastAt(610), interactionId: o4, queueId: q.id },
    {
      id: `${o4}:l`,
      type: 'queue.left',
      occurredAt: pastAt(613),
      interactionId: o4,
      queueId: q.id,
      attrs: { outcome: 'abandoned' },
    },
    ended(o4, 613),
    disposition(o4, 620, 'rpc_promise'),
    started(o5, 840),
    ...spoke(o5, bob.id, 845, 1805, 'bob'),
    ...spoke(o5, ada.id, 1810, 1900, 'ada'),
    ended(o5, 1900),
    disposition(o5, 1910, 'rpc_promise'),
    ...handledCall(q.id, ada.id, 2000, 60),
  ];
  // The inbound call's disposition: a right-party category, on an inbound call.
  const inboundId = (events.at(-1) as { interactionId: string }).interactionId;
  events.push(disposition(inboundId, 2100, 'rpc_promise'));
  await sendEvents(t.admin, events);
  await settle(t);
  return { t, q, team, ada, bob, o5 };
}

describe('contacts per hour (issue 12 §1)', () => {
  it('per agent and per team: right-party contacts the agent handled over its logged-in hours; rollups and records agree', async () => {
    const { t, team, ada, bob } = await scenario();
    const byAgent = await kpis(t, { groupBy: 'agent' });
    const of = (agentId: string) => byAgent.find((r) => r.group.agentId === agentId)?.metrics.contactsPerHour;
    // (The range runs to tomorrow: the rows may be partial, the day not being over.)
    expect(of(ada.id)).toMatchObject({ value: 2, numerator: 2, denominator: 1, unit: 'perHour' });
    expect(of(bob.id)).toMatchObject({ numerator: 1, denominator: 0.75, unit: 'perHour' });
    expect(of(bob.id)?.value).toBeCloseTo(4 / 3, 12);

    // A team is its agents' contacts over their hours: 3 / 1.75, not the mean of 2 and 4/3.
    const byTeam = await kpis(t, { groupBy: 'team' });
    const red = byTeam.find((r) => r.group.teamId === team.id)?.metrics.contactsPerHour;
    expect(red).toMatchObject({ numerator: 3, denominator: 1.75 });
    expect(red?.value).toBeCloseTo(3 / 1.75, 12);
    // Ungrouped: every agent's cells.
    expect((await kpis(t, {}))[0]?.metrics.contactsPerHour).toMatchObject({ numerator: 3, denominator: 1.75 });
    // The tenant's right-party contacts count the same three calls (o4 was never an agent's), where they started.
    const tenant = (await kpis(t, { metrics: 'rightPartyContacts' }))[0]?.metrics.rightPartyContacts;
    expect(tenant).toMatchObject({ value: 4 });

    // Counted where the last segment connected: o5 (dialled at 14:00 past the hour, ada from 30:10) in ada's third
    // quarter hour; o1 and o3 in her first; the quarter hours' hours are 0.25 each.
    const quarters = (await kpis(t, { groupBy: 'agent', interval: '15m', from: pastAt(0), to: pastAt(3600) })).filter(
      (r) => r.group.agentId === ada.id,
    );
    expect(quarters.map((r) => [r.metrics.contactsPerHour?.numerator, r.metrics.contactsPerHour?.denominator])).toEqual([
      [1, 0.25],
      [0, 0.25],
      [1, 0.25],
      [0, 0.25],
    ]);

    const shapes: Record<string, string>[] = [{ groupBy: 'agent' }, { groupBy: 'team' }, { groupBy: 'agent', interval: '15m' }];
    for (const params of shapes) {
      const rollups = await kpis(t, { ...params, source: 'rollups' });
      const records = await kpis(t, { ...params, source: 'records' });
      expect(rollups.length).toBeGreaterThan(0);
      expect(rollups).toEqual(records);
    }
  });

  it('explained for an agent: the calls in the numerator, the state intervals in the denominator', async () => {
    const { t, ada, o5 } = await scenario();
    const res = await t.admin.get(
      `/v1/kpis/explain?${new URLSearchParams({ metric: 'contactsPerHour', start: pastAt(0), end: pastAt(3600), agentId: ada.id })}`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ numerator: 2, denominator: 1, value: 2, unit: 'perHour', records: 'interaction' });
    const items = res.body.items as { kind: string; interactionId?: string; inNumerator: boolean; inDenominator: boolean }[];
    expect(items.filter((i) => i.inNumerator).map((i) => i.interactionId)).toHaveLength(2);
    expect(items.filter((i) => i.inNumerator).map((i) => i.interactionId)).toContain(o5);
    // Ada's state intervals of the hour: available, away, available, all in the denominator (she logged off at its end).
    expect(items.filter((i) => i.kind === 'interval').map((i) => [i.inNumerator, i.inDenominator])).toEqual([
      [false, true],
      [false, true],
      [false, true],
    ]);
    // o3 (wrong party) is listed, in neither part; bob's o2 and the inbound call are not ada's outbound contacts.
    expect(items.filter((i) => i.kind === 'interaction')).toHaveLength(3);
  });

  it('rollup rows stored before the fact read no contacts until a rebuild recomputes them', async () => {
    const { t, ada } = await scenario();
    const strip = `facts #- '{quality,agentOutboundByCategory}'`;
    await asTenant(t.id, async (q) => {
      await q(`UPDATE kpi_cells SET facts = ${strip} WHERE tenant_id = $1`, [t.id]);
      await q(`UPDATE kpi_day_cells SET facts = ${strip} WHERE tenant_id = $1`, [t.id]);
    });
    const adaRow = async () =>
      (await kpis(t, { groupBy: 'agent', source: 'rollups' })).find((r) => r.group.agentId === ada.id)?.metrics.contactsPerHour;
    expect(await adaRow()).toMatchObject({ numerator: 0, denominator: 1 });
    const rebuilt = await t.admin.post('/v1/kpis/rollups/rebuild', { ...RANGE, maxBuckets: 400 });
    expect(rebuilt.status, rebuilt.text).toBe(200);
    expect(await adaRow()).toMatchObject({ numerator: 2, denominator: 1 });
  });
});
