import type { AdapterContext } from '../types';
import { type Mapped, parseIso, unreadable } from './shared';
import { mapTaskRouter, parseAttributes, type TaskRouterEvent } from './taskrouter';

const TASKROUTER_PREFIX = 'com.twilio.taskrouter.';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** An instant as Event Streams writes it: ISO-8601 (usually), or epoch ms. */
function instant(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.floor(v);
  const s = text(v);
  return s === undefined ? undefined : (parseIso(s) ?? undefined);
}

/**
 * A TaskRouter CloudEvent as a TaskRouter event: `data.payload` holds the callback's fields in
 * snake_case (`task_sid`, `task_queue_sid`, `worker_activity_name`, `task_attributes` as a JSON
 * string). The event sid (`payload.sid`, `EV…`) is the callback's `Sid`; without it the CloudEvent
 * id (unique per event, the same on Event Streams' retries) keys the facts.
 */
function fromCloudEvent(ce: Json, eventType: string): TaskRouterEvent | string {
  const data = isObject(ce.data) ? ce.data : undefined;
  const p = data && isObject(data.payload) ? data.payload : undefined;
  if (!p) return 'No data.payload.';
  const sid = text(p.sid);
  const id = text(ce.id);
  const e: TaskRouterEvent = { eventType };
  if (sid?.startsWith('EV')) e.eventSid = sid;
  else if (id) e.eventSid = `ce:${id}`;
  e.atMs = instant(p.timestamp) ?? instant(data?.timestamp) ?? instant(ce.time);
  e.taskSid = text(p.task_sid);
  e.taskAttributes = parseAttributes(p.task_attributes);
  e.taskQueueSid = text(p.task_queue_sid);
  e.taskQueueEnteredMs = instant(p.task_queue_entered_date);
  e.taskCanceledReason = text(p.task_canceled_reason) ?? text(p.reason);
  e.workerSid = text(p.worker_sid);
  e.workerActivityName = text(p.worker_activity_name);
  return e;
}

/**
 * An Event Streams webhook delivery: one CloudEvent, or an array of them (`batch_events`). TaskRouter
 * events go through the callbacks' table; every other type (voice status, test events…) is ignored.
 * A body that is not CloudEvents is a 422; one unreadable event inside a batch is only ignored, so the
 * rest of the batch is not refused and retried for hours.
 */
export function mapEventStreams(body: unknown, ctx: AdapterContext): Mapped {
  const items = Array.isArray(body) ? body : [body];
  const problems = items.flatMap((ce, i) =>
    isObject(ce) && text(ce.type)
      ? []
      : [{ field: Array.isArray(body) ? `${i}/type` : 'type', detail: 'A CloudEvent needs a type.' }],
  );
  if (items.length === 0 || problems.length > 0) {
    throw unreadable('Event Streams delivers CloudEvents (an object or an array of them, each with a type).', problems);
  }
  const out: Mapped = { drafts: [], ignored: [] };
  for (const ce of items as Json[]) {
    // Every item's type was checked above.
    const type = text(ce.type) ?? '';
    if (!type.startsWith(TASKROUTER_PREFIX)) {
      out.ignored.push({ what: type, reason: 'Only TaskRouter events are mapped from Event Streams.' });
      continue;
    }
    const e = fromCloudEvent(ce, type.slice(TASKROUTER_PREFIX.length));
    if (typeof e === 'string') {
      out.ignored.push({ what: type, reason: e });
      continue;
    }
    const mapped = mapTaskRouter(e, ctx);
    out.drafts.push(...mapped.drafts);
    out.ignored.push(...mapped.ignored);
  }
  return out;
}
