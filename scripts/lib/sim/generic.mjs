// The model's facts as Callboard's normalized events (docs/ingestion.md, "Event types"), the body of a
// generic connector's delivery and of POST /v1/events. Ids are the run's tag and counters of the model,
// so the same run sends the same ids: a retry or a resend is a duplicate.

/**
 * The tag every id of a run carries: the seed and where the simulated clock starts. Two runs with the same
 * seed and start send the same ids (the second changes nothing); a run started later has other ids.
 */
export function runTag(seed, startMs) {
  const s = String(seed)
    .replace(/[^A-Za-z0-9_.]/g, '_')
    .slice(0, 40);
  return `${s}-${Math.floor(startMs / 1000).toString(36)}`;
}

/** The interaction id of call `n` of a run sent through the generic connector. */
export const genericCallId = (tag, n) => `sim-${tag}-c${n}`;

/**
 * One fact as wire events (none for a fact the event model has no event for).
 * @param {object} fact a fact of `simulate`
 * @param {{ tag: string, queues: { keys: { generic: string } }[], agents: { keys: { generic: string } }[] }} ctx
 */
export function genericEvents(fact, ctx) {
  const occurredAt = new Date(fact.at).toISOString();
  if (fact.type === 'agent.state') {
    const attrs = { state: fact.state };
    if (fact.reason) attrs.reason = fact.reason;
    return [
      {
        id: `sim-${ctx.tag}-a${fact.agent}-${fact.k}`,
        type: 'agent.state_changed',
        occurredAt,
        agentKey: ctx.agents[fact.agent].keys.generic,
        attrs,
      },
    ];
  }
  const interactionId = genericCallId(ctx.tag, fact.call);
  const base = { id: `${interactionId}-${fact.k}`, occurredAt, interactionId };
  const queueKey = fact.queue === undefined ? undefined : ctx.queues[fact.queue].keys.generic;
  const agentKey = fact.agent === undefined ? undefined : ctx.agents[fact.agent].keys.generic;
  const one = (type, extra = {}) => [{ ...base, type, ...extra }];
  switch (fact.type) {
    case 'call.started':
      return one('interaction.started', { direction: 'inbound', caller: fact.caller });
    case 'queue.joined':
      return one('queue.joined', { queueKey });
    case 'agent.offered':
      return one('agent.offered', { queueKey, agentKey });
    case 'agent.offer_ended':
      return one('agent.offer_ended', { queueKey, agentKey, attrs: { result: fact.result } });
    case 'queue.left':
      return one('queue.left', {
        queueKey,
        ...(fact.outcome === 'answered' ? { agentKey } : {}),
        attrs: { outcome: fact.outcome },
      });
    case 'agent.connected':
      return one('agent.connected', { queueKey, agentKey });
    case 'hold.started':
    case 'hold.ended':
      return one(fact.type, { agentKey });
    case 'transfer':
      return one('transfer', { agentKey, attrs: { kind: 'queue', toQueueKey: ctx.queues[fact.toQueue].keys.generic } });
    case 'agent.disconnected':
      return one('agent.disconnected', { queueKey, agentKey, attrs: { endedBy: fact.endedBy } });
    // The agent's queue is named: after a transfer the caller is elsewhere, the wrap-up belongs here.
    case 'wrapup.started':
    case 'wrapup.ended':
      return one(fact.type, { queueKey, agentKey });
    case 'call.ended':
      return one('interaction.ended', { attrs: { endedBy: fact.endedBy } });
    default:
      return [];
  }
}
