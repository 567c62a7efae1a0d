import { TYPE_RANK } from '../events/event-types';
import type { AnyEvent } from '../events/normalized';
import type { InteractionFacts, Projection, SegmentRecord, VisitRecord } from './records';

/** When an interaction first reached a queue. */
export interface QueueJoin {
  queueId: string;
  at: number;
}

/** The queue a caller was in at an instant: the latest one reached by then, else the first one. */
export function queueAt(timeline: readonly QueueJoin[], at: number): string | null {
  let chosen: QueueJoin | null = null;
  for (const q of timeline) {
    if (q.at <= at && (chosen === null || q.at > chosen.at || (q.at === chosen.at && q.queueId > chosen.queueId))) chosen = q;
  }
  if (chosen) return chosen.queueId;
  let first: QueueJoin | null = null;
  for (const q of timeline) if (first === null || q.at < first.at || (q.at === first.at && q.queueId < first.queueId)) first = q;
  return first?.queueId ?? null;
}

/** Events in the one order every projection uses: time, then lifecycle rank, then id. */
export function sortEvents<E extends Pick<AnyEvent, 'occurredAt' | 'type' | 'id'>>(events: readonly E[]): E[] {
  return [...events].sort(
    (a, b) => a.occurredAt - b.occurredAt || TYPE_RANK[a.type] - TYPE_RANK[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export const visitId = (interactionId: string, queueId: string, ordinal: number) => `${interactionId}|${queueId}|${ordinal}`;
export const segmentId = (interactionId: string, queueId: string, agentId: string, ordinal: number) =>
  `${interactionId}|${queueId}|${agentId}|${ordinal}`;

/**
 * Projects everything one queue's Durable Object knows about one interaction into records. It is a
 * pure function of the *set* of events (sorted first, duplicates by id dropped), so any arrival
 * order, any repetition, gives the same records — the basis of exactly-once effect (docs/ARCHITECTURE.md, Invariants).
 * `staleSince` marks that the sweeper found the interaction silent for too long: a visit still open
 * at the end is then closed with outcome `unknown`; a later real event simply projects again.
 */
export function projectInteraction(input: {
  interactionId: string;
  queueId: string;
  events: readonly AnyEvent[];
  staleSince?: number | null;
  /** Every queue the interaction visited and when it first got there (from the TenantDO). */
  timeline?: readonly QueueJoin[];
}): Projection {
  const { interactionId, queueId } = input;
  const timeline = input.timeline ?? [];
  const mineAt = (t: number) => {
    const owner = queueAt(timeline, t);
    return owner === null || owner === queueId;
  };
  const unique = new Map<string, AnyEvent>();
  for (const e of input.events) if (!unique.has(e.id)) unique.set(e.id, e);
  const events = sortEvents([...unique.values()]);

  const facts: InteractionFacts = {
    id: interactionId,
    direction: null,
    callerHash: null,
    callerMasked: null,
    startedAt: null,
    endedAt: null,
    hangupCause: null,
    endedBy: null,
    disposition: null,
    survey: null,
    ivr: null,
  };
  const visits: VisitRecord[] = [];
  const segments: SegmentRecord[] = [];
  let open: VisitRecord | null = null;
  const connectsByAgent = new Map<string, number>();
  // Segments the call's end closed (not their own disconnect): the agent's side may still report it.
  const endedByCall = new Set<SegmentRecord>();
  // A hold that found no connection yet, still unended: stamped in whole seconds (Twilio's conference
  // callbacks), it may really have begun just after a connect stamped in ms within that second.
  let earlyHold: { at: number; agentId: string | null } | null = null;

  const openSegmentOf = (agentId: string | null): SegmentRecord | undefined => {
    const candidates = segments.filter((s) => s.disconnectedAt === null && (agentId === null || s.agentId === agentId));
    return candidates.at(-1);
  };
  const latestSegmentOf = (agentId: string) => segments.filter((s) => s.agentId === agentId).at(-1);
  const closeHold = (s: SegmentRecord, at: number) => {
    if (s.onHoldSince === null) return;
    s.holdMs += Math.max(0, at - s.onHoldSince);
    s.holdCount += 1;
    s.onHoldSince = null;
  };
  const newVisit = (e: AnyEvent, enqueuedAt: number, source: VisitRecord['enqueuedAtSource']): VisitRecord => {
    const ordinal = visits.length;
    const v: VisitRecord = {
      id: visitId(interactionId, queueId, ordinal),
      interactionId,
      queueId,
      legId: e.legId,
      enqueuedAt,
      enqueuedAtSource: source,
      leftAt: null,
      outcome: null,
      closedBy: null,
      waitMs: null,
      agentId: null,
      answeredAt: null,
    };
    visits.push(v);
    return v;
  };
  const close = (v: VisitRecord, outcome: VisitRecord['outcome'], at: number, by: VisitRecord['closedBy']) => {
    v.outcome = outcome;
    v.leftAt = at;
    v.closedBy = by;
    if (outcome === 'answered') v.answeredAt = at;
    if (open === v) open = null;
  };

  // Agents who transferred the call while the caller was in another queue: their segment is there.
  const transferredAway = new Set(
    events.filter((e) => e.type === 'transfer' && e.agentId && !mineAt(e.occurredAt)).map((e) => e.agentId as string),
  );
  /**
   * An agent's event without a queue belongs to the queue the agent is still on a call (or wrapping up
   * one) from; otherwise to the queue the caller was in at that instant. After a blind transfer the caller
   * is in the next queue while the transferring agent's own hang-up and after-call work still arrive.
   */
  const isMine = (e: AnyEvent) => {
    if (!e.agentId || e.queueId !== null || e.type === 'agent.state_changed') return true;
    const s = latestSegmentOf(e.agentId);
    if (s && (s.disconnectedAt === null || s.wrapupEndedAt === null)) return true;
    if (!s && transferredAway.has(e.agentId)) return false;
    return mineAt(e.occurredAt);
  };

  for (const e of events) {
    if (!isMine(e)) continue;
    if (facts.direction === null && e.direction) facts.direction = e.direction;
    if (facts.callerHash === null && e.callerHash) {
      facts.callerHash = e.callerHash;
      facts.callerMasked = e.callerMasked;
    }
    const t = e.occurredAt;
    switch (e.type) {
      case 'interaction.started':
        facts.startedAt = facts.startedAt === null ? t : Math.min(facts.startedAt, t);
        break;
      case 'interaction.ended':
        facts.endedAt = t;
        facts.hangupCause = e.attrs.hangupCause ?? facts.hangupCause;
        facts.endedBy = e.attrs.endedBy ?? facts.endedBy;
        // A caller who hangs up while still queued abandoned the queue.
        if (open) close(open, 'abandoned', t, 'derived');
        for (const s of segments) {
          if (s.disconnectedAt !== null) continue;
          closeHold(s, t);
          s.disconnectedAt = t;
          endedByCall.add(s);
        }
        break;
      case 'queue.joined':
        if (e.queueId !== queueId || open) break;
        open = newVisit(e, t, e.occurredAtSource);
        break;
      case 'queue.left': {
        if (e.queueId !== queueId) break;
        if (!open) {
          const last = visits.at(-1);
          // The same leave again under another id: nothing new.
          if (last && last.leftAt === t && last.outcome === e.attrs.outcome && last.closedBy === 'event') break;
          // An explicit leave trumps what was inferred (an answer from a connect, an abandon from a hang-up).
          if (last && last.closedBy === 'derived') {
            last.outcome = e.attrs.outcome;
            last.closedBy = 'event';
            if (e.attrs.outcome !== 'answered') last.answeredAt = null;
            else if (e.agentId) last.agentId = e.agentId;
            break;
          }
          open = newVisit(e, t - (e.attrs.waitMs ?? 0), 'derived');
          if (e.attrs.waitMs !== undefined) open.waitMs = e.attrs.waitMs;
        }
        const v = open;
        close(v, e.attrs.outcome, t, 'event');
        if (e.attrs.outcome === 'answered' && e.agentId) v.agentId = e.agentId;
        break;
      }
      case 'agent.offer_ended':
        if (e.attrs.result === 'accepted' && open && (e.queueId === null || e.queueId === queueId)) {
          const v = open;
          close(v, 'answered', t, 'derived');
          v.agentId = e.agentId;
        }
        break;
      case 'agent.connected': {
        const agentId = e.agentId as string;
        if (open && (e.queueId === null || e.queueId === queueId)) close(open, 'answered', t, 'derived');
        const answered = visits.filter((v) => v.outcome === 'answered').at(-1);
        if (answered && answered.agentId === null) answered.agentId = agentId;
        if (openSegmentOf(agentId)) break;
        const ordinal = connectsByAgent.get(agentId) ?? 0;
        connectsByAgent.set(agentId, ordinal + 1);
        const s = newSegment(interactionId, queueId, agentId, ordinal, t, answered?.id ?? visits.at(-1)?.id ?? null);
        segments.push(s);
        // Less than a second before the connect: clamped into the segment, from its start.
        if (earlyHold && t - earlyHold.at < 1000 && (earlyHold.agentId === null || earlyHold.agentId === agentId)) {
          s.onHoldSince = t;
        }
        earlyHold = null;
        break;
      }
      case 'hold.started': {
        const s = openSegmentOf(e.agentId);
        if (s && s.onHoldSince === null) s.onHoldSince = t;
        else if (!s) earlyHold = { at: t, agentId: e.agentId };
        break;
      }
      case 'hold.ended': {
        const s = segments.filter((x) => x.onHoldSince !== null && (e.agentId === null || x.agentId === e.agentId)).at(-1);
        if (s) closeHold(s, t);
        else earlyHold = null;
        break;
      }
      case 'transfer': {
        // A transfer at the very instant of a join is the one that brought the caller here.
        if (open && open.enqueuedAt < t) close(open, 'transferred', t, 'derived');
        const s = openSegmentOf(e.agentId);
        if (s) s.transferred = true;
        break;
      }
      case 'agent.disconnected': {
        const agentId = e.agentId as string;
        let s = openSegmentOf(agentId);
        const last = latestSegmentOf(agentId);
        if (!s && last && endedByCall.has(last)) {
          // The call's end closed this connection a moment before the agent's side reported it: the
          // same disconnect, not a new segment (which would have no talk and take the wrap-up).
          endedByCall.delete(last);
          last.endedBy = e.attrs.endedBy ?? last.endedBy;
          if (e.attrs.endedBy === 'transfer') last.transferred = true;
          break;
        }
        if (!s) {
          // The connect was never seen: derive it from the talk time the provider reported.
          const ordinal = connectsByAgent.get(agentId) ?? 0;
          connectsByAgent.set(agentId, ordinal + 1);
          s = newSegment(interactionId, queueId, agentId, ordinal, t - (e.attrs.talkMs ?? 0), visits.at(-1)?.id ?? null);
          segments.push(s);
        }
        closeHold(s, t);
        s.disconnectedAt = t;
        s.endedBy = e.attrs.endedBy ?? s.endedBy;
        if (e.attrs.endedBy === 'transfer') s.transferred = true;
        break;
      }
      case 'wrapup.started': {
        const s = latestSegmentOf(e.agentId as string);
        if (s) s.wrapupStartedAt = s.wrapupStartedAt === null ? t : Math.min(s.wrapupStartedAt, t);
        break;
      }
      case 'wrapup.ended': {
        const s = latestSegmentOf(e.agentId as string);
        if (!s) break;
        s.wrapupEndedAt = s.wrapupEndedAt === null ? t : Math.max(s.wrapupEndedAt, t);
        if (e.attrs.acwMs !== undefined) s.acwMs = e.attrs.acwMs;
        break;
      }
      case 'call.dispositioned':
        // Optional fields only when given, so records of events without them stay as they were.
        facts.disposition = {
          resolved: e.attrs.resolved,
          code: e.attrs.code ?? null,
          ...(e.attrs.category ? { category: e.attrs.category } : {}),
          at: t,
        };
        break;
      case 'survey.completed':
        facts.survey = {
          score: e.attrs.score,
          scaleMin: e.attrs.scaleMin,
          scaleMax: e.attrs.scaleMax,
          ...(e.attrs.satisfiedScore !== undefined ? { satisfiedScore: e.attrs.satisfiedScore } : {}),
          ...(e.attrs.comment ? { comment: e.attrs.comment } : {}),
          at: t,
        };
        break;
      case 'ivr.completed':
        facts.ivr = { selfServed: e.attrs.selfServed, at: t };
        break;
      case 'agent.offered':
      case 'agent.state_changed':
        break;
    }
  }

  if (open && input.staleSince != null) {
    open.outcome = 'unknown';
    open.closedBy = 'stale';
  }
  for (const v of visits) {
    if (v.leftAt !== null && v.waitMs === null) v.waitMs = Math.max(0, v.leftAt - v.enqueuedAt);
  }
  for (const s of segments) {
    s.talkMs = s.disconnectedAt === null ? null : Math.max(0, s.disconnectedAt - s.connectedAt - s.holdMs);
    if (s.wrapupStartedAt !== null && s.wrapupEndedAt !== null) s.acwMs = Math.max(0, s.wrapupEndedAt - s.wrapupStartedAt);
  }
  return { interaction: facts, visits, segments };
}

function newSegment(
  interactionId: string,
  queueId: string,
  agentId: string,
  ordinal: number,
  connectedAt: number,
  visitId: string | null,
): SegmentRecord {
  return {
    id: segmentId(interactionId, queueId, agentId, ordinal),
    interactionId,
    agentId,
    queueId,
    visitId,
    connectedAt,
    disconnectedAt: null,
    talkMs: null,
    holdMs: 0,
    holdCount: 0,
    onHoldSince: null,
    wrapupStartedAt: null,
    wrapupEndedAt: null,
    acwMs: null,
    transferred: false,
    endedBy: null,
  };
}
