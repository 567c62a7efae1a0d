// A simulation of a tenant file's contact center: which queues and agents take part, the model's
// configuration, and what each fact becomes on the wire (the generic connector or the Twilio connector).
import { genericEvents, runTag } from './generic.mjs';
import { modelConfig } from './model.mjs';
import { genericRequest, twilioRequest } from './requests.mjs';
import { twilioAccount, twilioRequests } from './twilio.mjs';

/**
 * @param {object} tenant a tenant file (scripts/lib/demo.mjs)
 * @param {{ baseUrl: string, seed: string, startMs: number, arrivalsUntilMs: number, endMs?: number, timeZone: string,
 *   hourly: number[], staffing: 'follow' | 'full', callsPerHour?: number, handling?: string, patience?: string, ahtScale?: number,
 *   queues?: number, agents?: number, provider?: 'mixed' | 'generic' | 'twilio' }} o
 */
export function planSimulation(tenant, o) {
  const provider = o.provider ?? 'mixed';
  if (o.queues && o.queues > tenant.queues.length)
    throw new Error(`--queues ${o.queues}: the tenant file has ${tenant.queues.length}`);
  if (o.agents && o.agents > tenant.agents.length)
    throw new Error(`--agents ${o.agents}: the tenant file has ${tenant.agents.length}`);
  const queues = tenant.queues.slice(0, o.queues ?? tenant.queues.length);
  const index = new Map(queues.map((q, i) => [q.id, i]));
  const agents = tenant.agents
    .slice(0, o.agents ?? tenant.agents.length)
    .map((a) => ({ ...a, queues: a.queueIds.map((id) => index.get(id)).filter((i) => i !== undefined) }));
  const providerOf = (x) => (provider === 'mixed' ? x.provider : provider);
  const queueProvider = queues.map(providerOf);
  const agentProvider = agents.map(providerOf);
  for (const p of new Set([...queueProvider, ...agentProvider])) {
    if (!tenant.connectors?.[p]) throw new Error(`the tenant file has no ${p} connector`);
  }
  const tag = runTag(o.seed, o.startMs);
  const config = modelConfig({
    seed: o.seed,
    startMs: o.startMs,
    arrivalsUntilMs: o.arrivalsUntilMs,
    endMs: o.endMs,
    timeZone: o.timeZone,
    hourly: o.hourly,
    staffing: o.staffing,
    callsPerHour: o.callsPerHour,
    handling: o.handling,
    patience: o.patience,
    ahtScale: o.ahtScale,
    // A call stays with one provider: transfers go to another queue of the same one.
    queues: queues.map((q, i) => ({
      name: q.name,
      transferTo: queues.map((_, j) => j).filter((j) => j !== i && queueProvider[j] === queueProvider[i]),
    })),
    agents: agents.map((a) => ({ name: a.name, queues: a.queues })),
  });
  const ctx = { tag, account: twilioAccount(tag), queues, agents };
  let deliveries = 0;
  return {
    config,
    tag,
    queues,
    agents,
    queueProvider,
    agentProvider,
    /** What a fact becomes: events for the generic connector's next batch, or Twilio requests of their own. */
    route(fact) {
      const via = fact.type === 'agent.state' ? agentProvider[fact.agent] : queueProvider[fact.queue];
      if (via === 'generic') return { batch: genericEvents(fact, ctx), single: [] };
      return {
        batch: [],
        single: twilioRequests(fact, ctx).map((params) =>
          twilioRequest({ baseUrl: o.baseUrl, connector: tenant.connectors.twilio, params }),
        ),
      };
    },
    /** One delivery of the generic connector; its webhook-id counts the run's deliveries. */
    batchRequest: (events) =>
      genericRequest({
        baseUrl: o.baseUrl,
        connector: tenant.connectors.generic,
        deliveryId: `msg_sim-${tag}-${++deliveries}`,
        events,
      }),
  };
}
