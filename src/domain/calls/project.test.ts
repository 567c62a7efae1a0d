import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../events/normalized';
import { projectInteraction, queueAt } from './project';
import { ev } from './test-events';

const Q = 'que_sales';
const A = 'agt_ada';
const project = (events: AnyEvent[], staleSince: number | null = null) =>
  projectInteraction({ interactionId: 'call-1', queueId: Q, events, staleSince });

/** An answered call with a hold and wrap-up, as a generic client would send it. */
const answeredCall = (): AnyEvent[] => [
  ev('interaction.started', 0, { direction: 'inbound', callerHash: 'h1', callerMasked: '+420****89' }),
  ev('queue.joined', 1_000, { queueId: Q }),
  ev('agent.offered', 5_000, { queueId: Q, agentId: A }),
  ev('agent.offer_ended', 8_000, { queueId: Q, agentId: A, attrs: { result: 'accepted' } }),
  ev('queue.left', 8_000, { queueId: Q, agentId: A, attrs: { outcome: 'answered' } }),
  ev('agent.connected', 8_000, { queueId: Q, agentId: A }),
  ev('hold.started', 20_000, { agentId: A }),
  ev('hold.ended', 30_000, { agentId: A }),
  ev('agent.disconnected', 68_000, { agentId: A, attrs: { endedBy: 'customer' } }),
  ev('interaction.ended', 68_000, { attrs: { hangupCause: 'normal', endedBy: 'customer' } }),
  ev('wrapup.started', 68_000, { agentId: A }),
  ev('wrapup.ended', 98_000, { agentId: A }),
  ev('call.dispositioned', 99_000, { attrs: { resolved: true, code: 'billing' } }),
];

describe('projectInteraction', () => {
  it('an answered call: wait, talk minus hold, hold, after-call work', () => {
    const p = project(answeredCall());
    expect(p.visits).toEqual([
      expect.objectContaining({
        id: `call-1|${Q}|0`,
        enqueuedAt: 1_000,
        leftAt: 8_000,
        outcome: 'answered',
        closedBy: 'event',
        waitMs: 7_000,
        agentId: A,
        answeredAt: 8_000,
      }),
    ]);
    expect(p.segments).toEqual([
      expect.objectContaining({
        id: `call-1|${Q}|${A}|0`,
        visitId: `call-1|${Q}|0`,
        connectedAt: 8_000,
        disconnectedAt: 68_000,
        holdMs: 10_000,
        holdCount: 1,
        talkMs: 50_000,
        wrapupStartedAt: 68_000,
        wrapupEndedAt: 98_000,
        acwMs: 30_000,
        transferred: false,
        endedBy: 'customer',
      }),
    ]);
    expect(p.interaction).toMatchObject({
      direction: 'inbound',
      callerHash: 'h1',
      startedAt: 0,
      endedAt: 68_000,
      hangupCause: 'normal',
      disposition: { resolved: true, code: 'billing', at: 99_000 },
    });
  });

  it.each([
    [
      'a hang-up while queued is an abandon',
      [ev('queue.joined', 0, { queueId: Q }), ev('interaction.ended', 12_000)],
      { outcome: 'abandoned', closedBy: 'derived', waitMs: 12_000 },
    ],
    [
      'an explicit abandon',
      [ev('queue.joined', 0, { queueId: Q }), ev('queue.left', 3_000, { queueId: Q, attrs: { outcome: 'abandoned' } })],
      { outcome: 'abandoned', closedBy: 'event', waitMs: 3_000 },
    ],
    [
      'a leave without its join takes the wait the provider reported',
      [ev('queue.left', 10_000, { queueId: Q, attrs: { outcome: 'abandoned', waitMs: 4_000 } })],
      { outcome: 'abandoned', enqueuedAt: 6_000, enqueuedAtSource: 'derived', waitMs: 4_000 },
    ],
    [
      'a transfer before anyone answered flows out as transferred',
      [ev('queue.joined', 0, { queueId: Q }), ev('transfer', 5_000, { attrs: { kind: 'queue', toQueueKey: 'billing' } })],
      { outcome: 'transferred', waitMs: 5_000 },
    ],
    [
      'a connect without a leave answers the visit',
      [ev('queue.joined', 0, { queueId: Q }), ev('agent.connected', 9_000, { agentId: A })],
      { outcome: 'answered', closedBy: 'derived', waitMs: 9_000, agentId: A },
    ],
    [
      'a timeout',
      [ev('queue.joined', 0, { queueId: Q }), ev('queue.left', 60_000, { queueId: Q, attrs: { outcome: 'timeout' } })],
      { outcome: 'timeout', waitMs: 60_000 },
    ],
    ['a caller still waiting', [ev('queue.joined', 0, { queueId: Q })], { outcome: null, leftAt: null, waitMs: null }],
  ])('%s', (_name, events, expected) => {
    const p = project(events);
    expect(p.visits).toHaveLength(1);
    expect(p.visits[0]).toMatchObject(expected);
  });

  it('an answered-then-transferred call is answered, and its segment is marked transferred', () => {
    const p = project([
      ev('queue.joined', 0, { queueId: Q }),
      ev('queue.left', 2_000, { queueId: Q, attrs: { outcome: 'answered' } }),
      ev('agent.connected', 2_000, { agentId: A }),
      ev('transfer', 30_000, { agentId: A, attrs: { kind: 'attended', toQueueKey: 'billing' } }),
      ev('agent.disconnected', 31_000, { agentId: A, attrs: { endedBy: 'transfer' } }),
    ]);
    expect(p.visits[0]).toMatchObject({ outcome: 'answered', agentId: A });
    expect(p.segments[0]).toMatchObject({ transferred: true, talkMs: 29_000 });
  });

  it("the agent's disconnect reported just after the caller hung up is the same disconnect", () => {
    // Twilio TaskRouter: the call's completed callback, then the task's wrap-up 0.4 s later.
    const p = project([
      ev('queue.joined', 0, { queueId: Q }),
      ev('queue.left', 12_000, { queueId: Q, agentId: A, attrs: { outcome: 'answered' } }),
      ev('agent.connected', 12_000, { agentId: A }),
      ev('interaction.ended', 130_000, { attrs: { endedBy: 'customer' } }),
      ev('agent.disconnected', 130_400, { agentId: A, attrs: { endedBy: 'customer' } }),
      ev('wrapup.started', 130_400, { agentId: A }),
      ev('wrapup.ended', 160_000, { agentId: A }),
    ]);
    expect(p.segments).toEqual([
      expect.objectContaining({
        connectedAt: 12_000,
        disconnectedAt: 130_000,
        talkMs: 118_000,
        acwMs: 29_600,
        endedBy: 'customer',
      }),
    ]);
  });

  it('a disconnect without any connect still derives its segment from the talk time', () => {
    const p = project([ev('agent.disconnected', 90_000, { agentId: A, attrs: { talkMs: 60_000 } })]);
    expect(p.segments).toEqual([expect.objectContaining({ connectedAt: 30_000, disconnectedAt: 90_000, talkMs: 60_000 })]);
  });

  // Twilio stamps conference hold callbacks in whole seconds and TaskRouter's connect in ms: a hold that began
  // just after the connect can be stamped up to 999 ms before it.
  it.each([
    ['a hold stamped 350 ms before the connect (no agent named) is clamped to the connect', 12_650, undefined, 15_000, 2_000],
    ['a hold stamped 999 ms before the connect, naming the agent, is clamped', 12_001, A, 15_000, 2_000],
    ['a hold at the connect instant counts from there', 13_000, undefined, 15_000, 2_000],
    ['a hold a whole second before the connect is not this segment’s', 12_000, undefined, 15_000, 0],
    ['a hold that also ended before the connect is not this segment’s', 12_500, undefined, 12_900, 0],
    ['another agent’s hold just before the connect is not this segment’s', 12_500, 'agt_bob', 15_000, 0],
  ])('%s', (_name, holdAt, holdAgent, unholdAt, holdMs) => {
    const p = project([
      ev('queue.joined', 0, { queueId: Q }),
      ev('agent.connected', 13_000, { queueId: Q, agentId: A }),
      ev('hold.started', holdAt, holdAgent ? { agentId: holdAgent } : {}),
      ev('hold.ended', unholdAt, holdAgent ? { agentId: holdAgent } : {}),
      ev('agent.disconnected', 60_000, { agentId: A }),
    ]);
    expect(p.segments.map((g) => [g.agentId, g.connectedAt, g.holdMs, g.holdCount, g.talkMs])).toEqual([
      [A, 13_000, holdMs, holdMs > 0 ? 1 : 0, 47_000 - holdMs],
    ]);
  });

  it('the transfer that brings a caller into the queue at the instant of the join does not close that visit', () => {
    const p = project([
      ev('transfer', 40_000, { attrs: { kind: 'queue', toQueueKey: 'sales' } }),
      ev('queue.joined', 40_000, { queueId: Q }),
      ev('queue.left', 55_000, { queueId: Q, agentId: A, attrs: { outcome: 'answered' } }),
    ]);
    expect(p.visits).toEqual([expect.objectContaining({ enqueuedAt: 40_000, outcome: 'answered', waitMs: 15_000 })]);
  });

  it('a second join after leaving is a second visit', () => {
    const p = project([
      ev('queue.joined', 0, { queueId: Q }),
      ev('queue.left', 10_000, { queueId: Q, attrs: { outcome: 'timeout' } }),
      ev('queue.joined', 20_000, { queueId: Q }),
      ev('queue.left', 30_000, { queueId: Q, attrs: { outcome: 'answered' } }),
    ]);
    expect(p.visits.map((v) => [v.id, v.outcome, v.waitMs])).toEqual([
      [`call-1|${Q}|0`, 'timeout', 10_000],
      [`call-1|${Q}|1`, 'answered', 10_000],
    ]);
  });

  it('a silent visit is closed as unknown by the sweeper and corrected by a late event', () => {
    const joined = ev('queue.joined', 0, { queueId: Q });
    expect(project([joined], 4 * 3600_000).visits[0]).toMatchObject({ outcome: 'unknown', closedBy: 'stale', leftAt: null });
    const late = ev('queue.left', 40_000, { queueId: Q, attrs: { outcome: 'abandoned' } });
    expect(project([joined, late], 4 * 3600_000).visits[0]).toMatchObject({
      outcome: 'abandoned',
      closedBy: 'event',
      waitMs: 40_000,
    });
  });

  it('ignores other queues’ leaves and repeated joins', () => {
    const p = project([
      ev('queue.joined', 0, { queueId: Q }),
      ev('queue.joined', 500, { queueId: Q, id: 'dup-join' }),
      ev('queue.left', 700, { queueId: 'que_other', attrs: { outcome: 'abandoned' } }),
    ]);
    expect(p.visits).toHaveLength(1);
    expect(p.visits[0]?.outcome).toBeNull();
  });

  it('any arrival order, with any repetition, gives the same records (property)', () => {
    const events = answeredCall();
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 20 }),
        (shuffled, repeats) => {
          const delivered = [...shuffled, ...repeats.map((i) => events[i] as AnyEvent)];
          expect(project(delivered)).toEqual(project(events));
        },
      ),
    );
  });

  it('random calls: order independence holds beyond the hand-made one (property)', () => {
    const callArb = fc
      .record({
        wait: fc.integer({ min: 0, max: 600_000 }),
        answered: fc.boolean(),
        talk: fc.integer({ min: 1_000, max: 900_000 }),
        hold: fc.integer({ min: 0, max: 500 }),
        acw: fc.integer({ min: 0, max: 120_000 }),
        explicitLeave: fc.boolean(),
      })
      .map(({ wait, answered, talk, hold, acw, explicitLeave }) => {
        const out: AnyEvent[] = [ev('interaction.started', 0), ev('queue.joined', 100, { queueId: Q })];
        const t1 = 100 + wait;
        if (!answered) {
          if (explicitLeave) out.push(ev('queue.left', t1, { queueId: Q, attrs: { outcome: 'abandoned' } }));
          out.push(ev('interaction.ended', t1 + 1));
          return out;
        }
        if (explicitLeave) out.push(ev('queue.left', t1, { queueId: Q, attrs: { outcome: 'answered' } }));
        out.push(ev('agent.connected', t1, { agentId: A }));
        out.push(ev('hold.started', t1 + hold, { agentId: A }), ev('hold.ended', t1 + 2 * hold, { agentId: A }));
        out.push(ev('agent.disconnected', t1 + talk, { agentId: A }), ev('interaction.ended', t1 + talk));
        out.push(ev('wrapup.started', t1 + talk, { agentId: A }), ev('wrapup.ended', t1 + talk + acw, { agentId: A }));
        return out;
      });
    fc.assert(
      fc.property(
        callArb.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
        ),
        ([events, shuffled]) => {
          const p = project(shuffled);
          expect(p).toEqual(project(events));
          for (const v of p.visits) expect(v.waitMs).toBeGreaterThanOrEqual(0);
          for (const s of p.segments) {
            expect(s.talkMs).toBeGreaterThanOrEqual(0);
            expect((s.talkMs ?? 0) + s.holdMs).toBe((s.disconnectedAt ?? 0) - s.connectedAt);
          }
        },
      ),
    );
  });

  it('an agent’s events without a queue belong to the queue the caller was in at that instant', () => {
    const B = 'que_billing';
    const timeline = [
      { queueId: Q, at: 0 },
      { queueId: B, at: 50_000 },
    ];
    const events = [
      ev('queue.joined', 0, { queueId: Q }),
      ev('agent.connected', 10_000, { agentId: A }),
      ev('agent.disconnected', 40_000, { agentId: A }),
      ev('agent.connected', 60_000, { agentId: 'agt_bob' }),
      ev('agent.disconnected', 90_000, { agentId: 'agt_bob' }),
    ];
    const inQ = projectInteraction({ interactionId: 'call-1', queueId: Q, events, timeline });
    const inB = projectInteraction({ interactionId: 'call-1', queueId: B, events, timeline });
    expect(inQ.segments.map((s) => s.agentId)).toEqual([A]);
    expect(inB.segments.map((s) => s.agentId)).toEqual(['agt_bob']);
  });

  it('a timeline naming only this queue projects as no timeline at all (the QueueDO keeps none such)', () => {
    const events = [
      ev('queue.joined', 0, { queueId: Q }),
      ev('agent.connected', 10_000, { agentId: A }),
      ev('hold.started', 12_000, { agentId: A }),
      ev('hold.ended', 15_000, { agentId: A }),
      ev('agent.disconnected', 40_000, { agentId: A }),
    ];
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (at) => {
        const alone = projectInteraction({ interactionId: 'call-1', queueId: Q, events, timeline: [{ queueId: Q, at }] });
        expect(alone).toEqual(projectInteraction({ interactionId: 'call-1', queueId: Q, events, timeline: [] }));
        expect(alone.segments).toHaveLength(1);
      }),
    );
  });

  it('after a blind transfer, the transferring agent’s disconnect and wrap-up stay with the queue the agent answered in', () => {
    const B = 'que_billing';
    const timeline = [
      { queueId: Q, at: 0 },
      { queueId: B, at: 40_000 },
    ];
    const events = [
      ev('queue.joined', 0, { queueId: Q }),
      ev('queue.left', 5_000, { queueId: Q, agentId: A, attrs: { outcome: 'answered' } }),
      ev('agent.connected', 5_000, { queueId: Q, agentId: A }),
      ev('transfer', 39_000, { agentId: A, attrs: { kind: 'blind', toQueueId: B } }),
      ev('queue.joined', 40_000, { queueId: B }),
      // The agent's side reports its hang-up and wrap-up after the caller reached the other queue.
      ev('agent.disconnected', 40_500, { agentId: A, attrs: { endedBy: 'transfer' } }),
      ev('wrapup.started', 40_500, { agentId: A }),
      ev('wrapup.ended', 70_500, { agentId: A }),
    ];
    // Each queue's Durable Object gets the events naming it and every event without a queue.
    const of = (q: string) => events.filter((e) => e.queueId === null || e.queueId === q);
    const inQ = projectInteraction({ interactionId: 'call-1', queueId: Q, events: of(Q), timeline });
    const inB = projectInteraction({ interactionId: 'call-1', queueId: B, events: of(B), timeline });
    expect(inQ.segments).toEqual([
      expect.objectContaining({ agentId: A, disconnectedAt: 40_500, talkMs: 35_500, acwMs: 30_000, transferred: true }),
    ]);
    expect(inB.segments).toEqual([]);
  });

  it.each([
    [[], 5, null],
    [[{ queueId: 'a', at: 10 }], 5, 'a'],
    [
      [
        { queueId: 'a', at: 10 },
        { queueId: 'b', at: 20 },
      ],
      15,
      'a',
    ],
    [
      [
        { queueId: 'b', at: 20 },
        { queueId: 'a', at: 10 },
      ],
      25,
      'b',
    ],
    [
      [
        { queueId: 'b', at: 20 },
        { queueId: 'a', at: 10 },
      ],
      1,
      'a',
    ],
  ])('queueAt(%j, %i) is %j', (timeline, at, expected) => {
    expect(queueAt(timeline, at)).toBe(expected);
  });
});
