import type { TestTenant } from '../factories';
import { createKey } from '../factories';
import { callId, sendEvents, settle } from './ingest';

/** Monday 2 November 2026, in the past for every run of the suite: KPI tests build calls at fixed instants. */
export const DAY = Date.UTC(2026, 10, 2);
export const iso = (ms: number) => new Date(ms).toISOString();
/** An instant `s` seconds (fractions allowed) after 09:00 UTC of day `d` (0 = DAY). */
export const t = (d: number, s: number) => DAY + d * 86_400_000 + 9 * 3_600_000 + Math.round(s * 1000);

export type Wire = Record<string, unknown>;

/**
 * Wire events of one queue visit: joined at `start`, left after `waitS` with `outcome`; an answered one with an
 * agent is connected for `talkS` (default 60); `survey` adds a survey a minute after the end; `direction: null`
 * leaves the direction unsaid; `caller` is the caller's number.
 */
export function visitEvents(
  queueId: string,
  start: number,
  waitS: number,
  outcome: string,
  opts: { agentId?: string; talkS?: number; survey?: number; direction?: string | null; prefix?: string; caller?: string } = {},
): Wire[] {
  const id = callId(opts.prefix ?? 'kpi');
  const e = (type: string, at: number, extra: Wire = {}) => ({
    id: `${id}:${type}`,
    type,
    occurredAt: iso(at),
    interactionId: id,
    ...extra,
  });
  const left = start + waitS * 1000;
  const end = outcome === 'answered' && opts.agentId ? left + (opts.talkS ?? 60) * 1000 : left;
  const out: Wire[] = [
    e('interaction.started', start, {
      ...(opts.direction === null ? {} : { direction: opts.direction ?? 'inbound' }),
      ...(opts.caller ? { caller: opts.caller } : {}),
    }),
    e('queue.joined', start, { queueId }),
    e('queue.left', left, { queueId, ...(opts.agentId ? { agentId: opts.agentId } : {}), attrs: { outcome } }),
  ];
  if (outcome === 'answered' && opts.agentId) {
    out.push(
      e('agent.connected', left, { queueId, agentId: opts.agentId }),
      e('agent.disconnected', end, { agentId: opts.agentId, attrs: { endedBy: 'customer' } }),
    );
  }
  out.push(e('interaction.ended', end));
  if (opts.survey !== undefined) out.push(e('survey.completed', end + 60_000, { attrs: { score: opts.survey } }));
  return out;
}

/** Sends events with a fresh ingest key, 100 a request, and waits until they are in Postgres. */
export async function ingestAll(tenant: TestTenant, events: Wire[]): Promise<void> {
  const key = await createKey(tenant, { scopes: ['ingest'] });
  for (let i = 0; i < events.length; i += 100) await sendEvents(key.client, events.slice(i, i + 100));
  await settle(tenant);
}
