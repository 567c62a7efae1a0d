import type { AgentState } from '../../../domain/events/event-types';
import { sha256Hex } from '../../../lib/crypto';
import { fact as draft, type Fact } from '../kit/event';
import type { AdapterEvent, NormalizeResult } from '../types';

/** An event before its id and instant are attached (the kit's typed fact). */
export type Draft = Fact;

/**
 * The id of an agent-state change: the agent, the second, the state and the reason. A pause across
 * queues is logged once per queue (and PAUSEALL once more), and queue_log and AMI both report it:
 * for Callboard, whose agent state is not per queue, all of those are one fact with one id.
 */
export async function presenceId(agentKey: string, epochSeconds: number, state: AgentState, reason: string | undefined) {
  return `asterisk:presence:${await sha256Hex(`${agentKey}|${epochSeconds}|${state}|${reason ?? ''}`)}`;
}

/** Agents paused with one of these reasons are wrapping up (a common convention, queue_log has no wrap-up event). */
const WRAPUP_REASON = /^(wrap[-_ ]?up|acw|after[-_ ]?call([-_ ]?work)?)$/i;

/** An unpause: it ends a pause, and never logs in an agent who is offline (Wazo unpauses after a logoff). */
export const unpauseDraft = (agentKey: string): Draft =>
  draft('agent.state_changed', { state: 'available', unpause: true }, { agentKey });

/** The agent-state change of a pause, or of a member added unpaused. */
export function pauseDraft(agentKey: string, paused: boolean, reason: string | undefined): Draft {
  const why = reason?.trim().slice(0, 100) || undefined;
  if (!paused) return draft('agent.state_changed', { state: 'available' }, { agentKey });
  const state: AgentState = why && WRAPUP_REASON.test(why) ? 'wrapup' : 'away';
  return draft('agent.state_changed', why ? { state, reason: why } : { state }, { agentKey });
}

const MAX_MS = 7 * 24 * 3600 * 1000;

/** A whole number of seconds as ms; undefined when absent, not a number, or beyond the schema's 7 days. */
export function secondsToMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  const ms = Number(value.trim()) * 1000;
  return ms <= MAX_MS ? ms : undefined;
}

/** A whole number of ms (queue_log RINGNOANSWER, AMI AgentRingNoAnswer). */
export function millis(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return undefined;
  const ms = Number(value.trim());
  return ms <= MAX_MS ? ms : undefined;
}

/** `{ [key]: ms }` when the value is usable, else `{}`: spread into attrs. */
export const durationAttr = <K extends string>(key: K, ms: number | undefined) =>
  (ms === undefined ? {} : { [key]: ms }) as Partial<Record<K, number>>;

/** A caller id worth hashing: not empty, not a placeholder, within the schema's 64 characters. */
export function callerOf(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v || v.length > 64 || /^(<unknown>|unknown|anonymous|restricted|private)$/i.test(v)) return undefined;
  return v;
}

/** A queue position (1-based in Asterisk), when it is a number. */
export function positionOf(value: string | undefined): { position: number } | undefined {
  return value !== undefined && /^\d{1,6}$/.test(value.trim()) ? { position: Number(value.trim()) } : undefined;
}

/**
 * Ignored input, grouped by what and why, with where it was (line numbers or array indexes), so a
 * backfill of thousands of lines gives a short list for the delivery log.
 */
export class IgnoredTally {
  private readonly groups = new Map<string, { what: string; reason: string; at: number[] }>();

  constructor(private readonly unit: 'line' | 'event') {}

  add(what: string, reason: string, at: number): void {
    const key = `${what}\u0000${reason}`;
    const g = this.groups.get(key) ?? { what, reason, at: [] };
    g.at.push(at);
    this.groups.set(key, g);
  }

  get size(): number {
    return this.groups.size;
  }

  list(): NormalizeResult['ignored'] {
    return [...this.groups.values()].map((g) => {
      const shown = g.at.slice(0, 10).join(', ');
      const more = g.at.length > 10 ? ` … +${g.at.length - 10} more` : '';
      return { what: `${g.what} (${this.unit}${g.at.length > 1 ? 's' : ''} ${shown}${more})`, reason: g.reason };
    });
  }
}

/** Drops repeated ids (keeping the first): one delivery never carries the same event twice. */
export function uniqueById(events: AdapterEvent[]): AdapterEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}
