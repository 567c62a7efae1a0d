import type { ENDED_BY, QueueOutcome } from '../../../domain/events/event-types';
import { sha256Hex } from '../../../lib/crypto';
import { fact as draft, finish } from '../kit/event';
import { type AdapterEvent, AdapterInputError, type NormalizeResult } from '../types';
import {
  callerOf,
  type Draft,
  durationAttr,
  IgnoredTally,
  millis,
  pauseDraft,
  positionOf,
  presenceId,
  secondsToMs,
  uniqueById,
  unpauseDraft,
} from './drafts';

type EndedBy = (typeof ENDED_BY)[number];

/** One queue_log line: `epoch|callid|queuename|agent|event|data1|data2|…` (as app_queue.c writes it). */
export interface QueueLogLine {
  lineNo: number;
  /** The trimmed line: its id is derived from it, so a line sent live and again by a backfill counts once. */
  text: string;
  epoch: number;
  callId: string;
  queue: string;
  agent: string;
  event: string;
  data: string[];
}

const EPOCH = /^\d{9,11}$/;
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Parses one line, or says why it is not a queue_log line. */
export function parseQueueLogLine(text: string, lineNo: number): QueueLogLine | { error: string } {
  const fields = text.split('|');
  if (fields.length < 5) return { error: 'fewer than 5 |-separated fields' };
  const [epoch, callId, queue, agent, event, ...data] = fields as [string, string, string, string, string, ...string[]];
  if (!EPOCH.test(epoch)) return { error: `'${epoch.slice(0, 20)}' is not a unix time in seconds` };
  if (!EVENT_NAME.test(event)) return { error: `'${event.slice(0, 40)}' is not an event name` };
  return { lineNo, text, epoch: Number(epoch), callId, queue, agent, event: event.toUpperCase(), data };
}

/** `NONE` (and the pseudo call ids of member changes) mean "no such thing" in queue_log. */
const isSet = (v: string) => v !== '' && !['NONE', 'REALTIME', 'MANAGER', 'CLI'].includes(v);

// Builders for one line's events. Call events carry the line's queue, so each stays with the visit
// it belongs to (a transfer or a hang-up logged in queue A never closes the caller's visit to B).
const callRefs = (l: QueueLogLine) => ({ interactionId: l.callId, queueKey: l.queue });
const agentRefs = (l: QueueLogLine) => ({ ...callRefs(l), agentKey: l.agent });

const left = (l: QueueLogLine, outcome: QueueOutcome, waitSeconds: string | undefined): Draft =>
  draft('queue.left', { outcome, ...durationAttr('waitMs', secondsToMs(waitSeconds)) }, { ...callRefs(l), legId: l.callId });

/** Dialplan-logged refusals (JOINEMPTY, FULL, …): offered, and flowed out at once. */
const refused = (l: QueueLogLine, outcome: QueueOutcome): Draft[] => [
  draft('queue.joined', undefined, { ...callRefs(l), legId: l.callId }),
  draft('queue.left', { outcome, waitMs: 0 }, { ...callRefs(l), legId: l.callId }),
];

/** COMPLETECALLER / COMPLETEAGENT: holdtime|calltime|origposition. calltime runs from the connect, hold included. */
const completed = (l: QueueLogLine, endedBy: EndedBy): Draft[] => [
  draft('agent.disconnected', { endedBy, ...durationAttr('talkMs', secondsToMs(l.data[1])) }, agentRefs(l)),
  draft('interaction.ended', { endedBy }, callRefs(l)),
];

/** The agent hands the caller on; the caller's next queue (if any) logs its own ENTERQUEUE. */
const transferred = (l: QueueLogLine, kind: 'blind' | 'attended', callSeconds: string | undefined): Draft[] => [
  draft('transfer', { kind }, agentRefs(l)),
  draft('agent.disconnected', { endedBy: 'transfer', ...durationAttr('talkMs', secondsToMs(callSeconds)) }, agentRefs(l)),
];

/** A line's event that happens some time after the line (the end of a wrap-up whose length the line gives). */
type LaterDraft = Draft & { afterMs?: number };

/** Wazo's WRAPUPSTART: the member's wrap-up starts now and lasts `seconds` (Wazo's own statistics read it so). */
const wrapup = (l: QueueLogLine): LaterDraft[] => {
  const ms = secondsToMs(l.data[0]);
  const started = draft('wrapup.started', undefined, agentRefs(l));
  if (ms === undefined) return [started];
  return [started, { ...draft('wrapup.ended', { acwMs: ms }, agentRefs(l)), afterMs: ms }];
};

/** app_agent_pool logs AGENTLOGIN with the bare agent id; its queue member is `Agent/<id>`. */
const agentPoolKey = (agent: string) => (agent.includes('/') ? agent : `Agent/${agent}`);

type Kind = 'call' | 'agent-call' | 'presence';
type Mapping = { kind: Kind; map: (l: QueueLogLine) => Draft[] };

/**
 * queue_log event → normalized events (field order confirmed in app_queue.c; what each becomes: docs/providers/asterisk.md).
 * Times are seconds except RINGNOANSWER/RINGCANCELED (ms). `call` lines need a call id and a queue,
 * `agent-call` lines an agent too, `presence` lines an agent.
 */
const MAPPINGS: Record<string, Mapping> = {
  // url|callerid|origposition[|cidname]
  ENTERQUEUE: {
    kind: 'call',
    map: (l) => [
      draft('interaction.started', undefined, callRefs(l)),
      draft('queue.joined', positionOf(l.data[2]), { ...callRefs(l), legId: l.callId, caller: callerOf(l.data[1]) }),
    ],
  },
  // ringtime (ms)
  RINGNOANSWER: {
    kind: 'agent-call',
    map: (l) => [draft('agent.offer_ended', { result: 'timeout', ...durationAttr('ringMs', millis(l.data[0])) }, agentRefs(l))],
  },
  RINGCANCELED: {
    kind: 'agent-call',
    map: (l) => [draft('agent.offer_ended', { result: 'canceled', ...durationAttr('ringMs', millis(l.data[0])) }, agentRefs(l))],
  },
  // The member answered but hung up during the announcement: the caller keeps waiting.
  AGENTDUMP: { kind: 'agent-call', map: (l) => [draft('agent.offer_ended', { result: 'rejected' }, agentRefs(l))] },
  SYSCOMPAT: { kind: 'agent-call', map: (l) => [draft('agent.offer_ended', { result: 'failed' }, agentRefs(l))] },
  // holdtime|bridgedchanneluniqueid|ringtime
  CONNECT: {
    kind: 'agent-call',
    map: (l) => [
      draft('agent.offer_ended', { result: 'accepted', ...durationAttr('ringMs', secondsToMs(l.data[2])) }, agentRefs(l)),
      draft(
        'queue.left',
        { outcome: 'answered', ...durationAttr('waitMs', secondsToMs(l.data[0])) },
        { ...agentRefs(l), legId: l.callId },
      ),
      draft('agent.connected', undefined, { ...agentRefs(l), legId: l.data[1] }),
    ],
  },
  COMPLETECALLER: { kind: 'agent-call', map: (l) => completed(l, 'customer') },
  COMPLETEAGENT: { kind: 'agent-call', map: (l) => completed(l, 'agent') },
  // position|origposition|waittime
  ABANDON: {
    kind: 'call',
    map: (l) => [left(l, 'abandoned', l.data[2]), draft('interaction.ended', { endedBy: 'customer' }, callRefs(l))],
  },
  EXITWITHTIMEOUT: { kind: 'call', map: (l) => [left(l, 'timeout', l.data[2])] },
  EXITEMPTY: { kind: 'call', map: (l) => [left(l, 'no_agents', l.data[2])] },
  // key|position|origposition|waittime
  EXITWITHKEY: { kind: 'call', map: (l) => [left(l, 'exit_key', l.data[3])] },
  // position|origposition|waittime|info: taken out by the QueueWithdrawCaller AMI action.
  WITHDRAW: { kind: 'call', map: (l) => [left(l, 'other', l.data[2])] },
  JOINEMPTY: { kind: 'call', map: (l) => refused(l, 'no_agents') },
  JOINUNAVAIL: { kind: 'call', map: (l) => refused(l, 'no_agents') },
  FULL: { kind: 'call', map: (l) => refused(l, 'rejected_full') },
  CLOSED: { kind: 'call', map: (l) => refused(l, 'other') },
  // Wazo's dialplan diverts a caller before the queue (calls per agent, or expected wait, over the
  // queue's limit): offered and flowed out at once, as saturated as a full queue.
  DIVERT_CA_RATIO: { kind: 'call', map: (l) => refused(l, 'rejected_full') },
  DIVERT_HOLDTIME: { kind: 'call', map: (l) => refused(l, 'rejected_full') },
  // wrapup seconds (Wazo)
  WRAPUPSTART: { kind: 'agent-call', map: wrapup },
  // extension|context|holdtime|calltime|origposition
  TRANSFER: { kind: 'agent-call', map: (l) => transferred(l, 'blind', l.data[3]) },
  BLINDTRANSFER: { kind: 'agent-call', map: (l) => transferred(l, 'blind', l.data[3]) },
  // method|method-data…|holdtime|calltime|origposition (LINK has two data fields, so count from the end)
  ATTENDEDTRANSFER: { kind: 'agent-call', map: (l) => transferred(l, 'attended', l.data.at(-2)) },
  // The agent field is the interface unless log_membername_as_agent=yes (then the member name).
  ADDMEMBER: {
    kind: 'presence',
    map: (l) => [pauseDraft(l.agent, l.data[0] === 'PAUSED', l.data[0] === 'PAUSED' ? 'paused' : undefined)],
  },
  REMOVEMEMBER: { kind: 'presence', map: (l) => [draft('agent.state_changed', { state: 'offline' }, { agentKey: l.agent })] },
  AGENTLOGIN: {
    kind: 'presence',
    map: (l) => [draft('agent.state_changed', { state: 'available' }, { agentKey: agentPoolKey(l.agent) })],
  },
  AGENTLOGOFF: {
    kind: 'presence',
    map: (l) => [draft('agent.state_changed', { state: 'offline' }, { agentKey: agentPoolKey(l.agent) })],
  },
  AGENTCALLBACKLOGIN: {
    kind: 'presence',
    map: (l) => [draft('agent.state_changed', { state: 'available' }, { agentKey: agentPoolKey(l.agent) })],
  },
  AGENTCALLBACKLOGOFF: {
    kind: 'presence',
    map: (l) => [draft('agent.state_changed', { state: 'offline' }, { agentKey: agentPoolKey(l.agent) })],
  },
  // reason; PAUSEALL is followed by one PAUSE per queue, all the same fact (see presenceId).
  PAUSE: { kind: 'presence', map: (l) => [pauseDraft(l.agent, true, l.data[0])] },
  PAUSEALL: { kind: 'presence', map: (l) => [pauseDraft(l.agent, true, l.data[0])] },
  UNPAUSE: { kind: 'presence', map: (l) => [unpauseDraft(l.agent)] },
  UNPAUSEALL: { kind: 'presence', map: (l) => [unpauseDraft(l.agent)] },
};

/** Lines that are understood and deliberately not mapped, with why. */
const IGNORED: Record<string, string> = {
  QUEUESTART: 'Asterisk started: visits it left open are closed by the stale-visit sweeper',
  CONFIGRELOAD: 'configuration reload, not a call or agent fact',
  PENALTY: 'member configuration, not a call or agent fact',
  RINGINUSE: 'member configuration, not a call or agent fact',
  DID: 'dialplan annotation, not a queue fact',
  INFO: 'dialplan annotation, not a queue fact',
  OUTCALL: 'outbound campaign record, not a queue visit',
};

/** What one parsed line becomes: drafts, or why it is skipped. */
export function mapQueueLogLine(l: QueueLogLine): Draft[] | { ignore: string } {
  const mapping = MAPPINGS[l.event];
  if (!mapping) return { ignore: IGNORED[l.event] ?? 'not a queue_log event Callboard maps' };
  if (mapping.kind !== 'presence' && (!isSet(l.callId) || !isSet(l.queue))) return { ignore: 'no call id or queue on the line' };
  if (mapping.kind !== 'call' && !isSet(l.agent)) return { ignore: 'no agent on the line' };
  return mapping.map(l);
}

/** Whole seconds in a data field, or null. */
const seconds = (v: string | undefined) => (v !== undefined && /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : null);

/** When a line that ends a wait says the wait began: CONNECT holdtime, ABANDON/EXIT* waittime. */
function waitStart(l: QueueLogLine): number | null {
  const field = { CONNECT: 0, ABANDON: 2, EXITWITHTIMEOUT: 2, EXITEMPTY: 2, EXITWITHKEY: 3 }[l.event];
  const waited = field === undefined ? null : seconds(l.data[field]);
  return waited === null ? null : l.epoch - waited;
}

/**
 * Attended transfers into a queue, as Asterisk 20 logs them: the agent's consult channel enters the
 * target queue, and the ATTENDEDTRANSFER of the first queue is logged under the consult channel's
 * callid; once the transfer completes, the caller's callid goes on in the target queue (CONNECT,
 * COMPLETE…). Left alone, that is a phantom call offered to the target queue, a visit there without
 * its join, and the agent's connection never ended. So, within one body: a callid with an
 * ATTENDEDTRANSFER in a queue where it never connected is a consult, and the call it carries is the one
 * that agent connected in that queue `calltime` seconds before (its CONNECT, same holdtime); else the
 * one whose wait in the consult's target queue began when the consult entered it, without a join of its
 * own there. Returns consult callid → the caller's callid.
 */
export function consultCalls(lines: readonly QueueLogLine[]): Map<string, string> {
  const consults = new Map<string, string>();
  const entered = (callId: string, queue: string) =>
    lines.some((x) => x.event === 'ENTERQUEUE' && x.callId === callId && x.queue === queue);
  for (const t of lines) {
    if (t.event !== 'ATTENDEDTRANSFER' || !isSet(t.callId) || !isSet(t.queue) || !isSet(t.agent) || consults.has(t.callId))
      continue;
    if (lines.some((x) => x.event === 'CONNECT' && x.callId === t.callId && x.queue === t.queue)) continue;
    const callSeconds = seconds(t.data.at(-2));
    const holdSeconds = seconds(t.data.at(-3));
    let caller: string | undefined;
    if (callSeconds !== null) {
      caller = lines
        .filter(
          (c) =>
            c.event === 'CONNECT' &&
            c.queue === t.queue &&
            c.agent === t.agent &&
            c.callId !== t.callId &&
            isSet(c.callId) &&
            Math.abs(c.epoch - (t.epoch - callSeconds)) <= 1 &&
            (holdSeconds === null || seconds(c.data[0]) === holdSeconds),
        )
        .sort((a, b) => Math.abs(a.epoch - (t.epoch - callSeconds)) - Math.abs(b.epoch - (t.epoch - callSeconds)))[0]?.callId;
    }
    for (const e of caller ? [] : lines) {
      if (e.event !== 'ENTERQUEUE' || e.callId !== t.callId || e.queue === t.queue) continue;
      caller = lines.find((c) => {
        const began = waitStart(c);
        return (
          began !== null &&
          c.queue === e.queue &&
          c.callId !== t.callId &&
          isSet(c.callId) &&
          c.epoch >= t.epoch &&
          Math.abs(began - e.epoch) <= 1 &&
          !entered(c.callId, e.queue)
        );
      })?.callId;
      if (caller) break;
    }
    if (caller) consults.set(t.callId, caller);
  }
  return consults;
}

/** A consult channel's line told as the caller's: it joins the target queue (no new call, not the agent's caller id). */
const asCaller = (drafts: Draft[], caller: string): Draft[] =>
  drafts
    .filter((d) => d.type !== 'interaction.started')
    .map(({ caller: _agentsOwnNumber, ...d }) => ({ ...d, interactionId: caller }));

const MAX_ISSUES = 20;

/**
 * A queue_log text body: live lines from a tail, or a whole file as a backfill — the same thing, any
 * size. Each line's events get ids from the line itself (SHA-256 of the trimmed line, and of its
 * repeat count when the same line occurs again in the body), so overlapping uploads are no-ops.
 * Unreadable lines are skipped and listed in `ignored`: refusing a real file for one torn line would
 * make its forwarder retry it forever. Only a body with no readable line at all is refused (422).
 */
export async function normalizeQueueLog(rawBody: string): Promise<NormalizeResult> {
  const ignored = new IgnoredTally('line');
  const malformed: { lineNo: number; error: string }[] = [];
  const parsed: { line: QueueLogLine; drafts: Draft[]; occurrence: number }[] = [];
  const occurrences = new Map<string, number>();
  let understood = 0;
  rawBody.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '') return;
    const line = parseQueueLogLine(text, i + 1);
    if ('error' in line) {
      malformed.push({ lineNo: i + 1, error: line.error });
      ignored.add('unreadable line', line.error, i + 1);
      return;
    }
    understood += 1;
    const mapped = mapQueueLogLine(line);
    if (!Array.isArray(mapped)) {
      ignored.add(line.event, mapped.ignore, line.lineNo);
      return;
    }
    const occurrence = occurrences.get(text) ?? 0;
    occurrences.set(text, occurrence + 1);
    parsed.push({ line, drafts: mapped, occurrence });
  });

  if (understood === 0 && malformed.length > 0) {
    throw new AdapterInputError(
      422,
      'No line of the body is a queue_log line (epoch|callid|queuename|agent|event|data…).',
      malformed.slice(0, MAX_ISSUES).map((m) => ({ in: 'body', pointer: `/lines/${m.lineNo}`, detail: m.error })),
    );
  }
  if (understood === 0) {
    throw new AdapterInputError(422, 'The body has no queue_log lines.');
  }

  const consults = consultCalls(parsed.map((p) => p.line));
  const events = await Promise.all(
    parsed.map(async ({ line, drafts: mapped, occurrence }) => {
      // A consult's line told as the caller's gets an id of its own: the same line seen alone earlier
      // (a phantom call) does not hide the caller's events when a backfill brings the whole story.
      const caller = consults.get(line.callId);
      const drafts = caller ? asCaller(mapped, caller) : mapped;
      const material = `${line.text}${occurrence === 0 ? '' : `\n${occurrence}`}${caller ? `\nas ${caller}` : ''}`;
      const lineId = `asterisk:ql:${await sha256Hex(material)}`;
      return Promise.all(
        drafts.map(async ({ afterMs, ...d }: LaterDraft): Promise<AdapterEvent> => {
          const id =
            d.type === 'agent.state_changed'
              ? await presenceId(d.agentKey, line.epoch, d.attrs.state, d.attrs.reason)
              : `${lineId}:${d.type}`;
          return finish(d, id, line.epoch * 1000 + (afterMs ?? 0));
        }),
      );
    }),
  );
  return { events: uniqueById(events.flat()), ignored: ignored.list() };
}
