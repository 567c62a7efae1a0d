import { describe, expect, it } from 'vitest';
import type { AgentState } from '../events/event-types';
import { overflowSuggestions, type SiteLoadAgent, type SiteLoadQueue, siteAgentCounts } from './sites';

const q = (queueId: string, siteId: string | null, waiting: number, longestWaitMs: number | null = null): SiteLoadQueue => ({
  queueId,
  name: null,
  siteId,
  waiting,
  longestWaitMs: waiting > 0 ? (longestWaitMs ?? 1000 * waiting) : null,
});
const a = (agentId: string, siteId: string | null, queueIds: string[], state: AgentState | null): SiteLoadAgent => ({
  agentId,
  siteId,
  queueIds,
  state,
});

describe('overflow suggestions', () => {
  it('suggests the sites whose agents serve the queue and are available when none of its own site is', () => {
    const queues = [{ ...q('que_q', 'sit_a', 5, 90_000), name: 'Sales' }];
    const agents = [
      a('agt_a1', 'sit_a', ['que_q'], 'busy'),
      a('agt_a2', 'sit_a', ['que_other'], 'available'), // available, but does not serve Q
      a('agt_b2', 'sit_b', ['que_q'], 'available'),
      a('agt_b1', 'sit_b', ['que_q', 'que_other'], 'available'),
      a('agt_b3', 'sit_b', ['que_q'], 'available'),
      a('agt_b4', 'sit_b', ['que_q'], 'wrapup'),
      a('agt_c1', 'sit_c', ['que_q'], 'available'),
      a('agt_d1', 'sit_d', ['que_other'], 'available'),
      a('agt_x', null, ['que_q'], 'available'), // no site: nowhere to overflow to
    ];
    expect(overflowSuggestions(queues, agents)).toEqual([
      {
        queueId: 'que_q',
        fromSiteId: 'sit_a',
        toSiteId: 'sit_b',
        waiting: 5,
        longestWaitMs: 90_000,
        availableAgents: 3,
        agentIds: ['agt_b1', 'agt_b2', 'agt_b3'],
        reason:
          'Site sit_b has 3 available agents who serve queue Sales (que_q), which has 5 callers waiting and no agent available at site sit_a.',
      },
      expect.objectContaining({
        toSiteId: 'sit_c',
        availableAgents: 1,
        reason:
          'Site sit_c has 1 available agent who serves queue Sales (que_q), which has 5 callers waiting and no agent available at site sit_a.',
      }),
    ]);
  });

  it('suggests nothing while an agent of the queue’s own site serving it is available, or nobody waits', () => {
    const agents = [a('agt_a1', 'sit_a', ['que_q'], 'available'), a('agt_b1', 'sit_b', ['que_q'], 'available')];
    expect(overflowSuggestions([q('que_q', 'sit_a', 4)], agents)).toEqual([]);
    expect(overflowSuggestions([q('que_q', 'sit_b', 0)], [a('agt_a1', 'sit_a', ['que_q'], 'available')])).toEqual([]);
  });

  it('never suggests for a queue without a site, nor agents away, offline or never seen', () => {
    const agents = [
      a('agt_b1', 'sit_b', ['que_q'], 'away'),
      a('agt_b2', 'sit_b', ['que_q'], 'offline'),
      a('agt_b3', 'sit_b', ['que_q'], null),
      a('agt_c1', 'sit_c', ['que_n'], 'available'),
    ];
    expect(overflowSuggestions([q('que_q', 'sit_a', 3), q('que_n', null, 7)], agents)).toEqual([]);
  });

  it('orders queues by longest wait, then waiting, then id; sites by available agents, then id — whatever the input order', () => {
    const queues = [q('que_1', 'sit_a', 2, 30_000), q('que_2', 'sit_a', 9, 60_000), q('que_3', 'sit_a', 4, 30_000)];
    const agents = [
      a('agt_c', 'sit_c', ['que_1', 'que_2', 'que_3'], 'available'),
      a('agt_b', 'sit_b', ['que_1', 'que_2', 'que_3'], 'available'),
      a('agt_b2', 'sit_b', ['que_2'], 'available'),
    ];
    const expected = [
      ['que_2', 'sit_b'],
      ['que_2', 'sit_c'],
      ['que_3', 'sit_b'],
      ['que_3', 'sit_c'],
      ['que_1', 'sit_b'],
      ['que_1', 'sit_c'],
    ];
    const pairs = (s: ReturnType<typeof overflowSuggestions>) => s.map((x) => [x.queueId, x.toSiteId]);
    expect(pairs(overflowSuggestions(queues, agents))).toEqual(expected);
    expect(pairs(overflowSuggestions([...queues].reverse(), [...agents].reverse()))).toEqual(expected);
  });
});

describe('site agent counts', () => {
  it('counts the site’s agents available and staffed (available, busy, wrap-up), of every queue or of one', () => {
    const agents = [
      a('agt_1', 'sit_a', ['que_q'], 'available'),
      a('agt_2', 'sit_a', ['que_q'], 'busy'),
      a('agt_3', 'sit_a', ['que_r'], 'wrapup'),
      a('agt_4', 'sit_a', ['que_q'], 'away'),
      a('agt_5', 'sit_a', ['que_q'], null),
      a('agt_6', 'sit_b', ['que_q'], 'available'),
    ];
    expect(siteAgentCounts(agents, 'sit_a')).toEqual({ available: 1, staffed: 3 });
    expect(siteAgentCounts(agents, 'sit_a', 'que_q')).toEqual({ available: 1, staffed: 2 });
    expect(siteAgentCounts(agents, 'sit_b', 'que_r')).toEqual({ available: 0, staffed: 0 });
  });
});
