// Realistic Twilio deliveries for the adapter's tests and the end-to-end tests: field names and shapes
// per Twilio's Voice, TwiML queue, conference, TaskRouter and Event Streams references.
// Test code only: nothing in the Worker imports this.

export const ACCOUNT_SID = 'AC5ef8732a3c49700934481addd5ce1659';
export const WORKSPACE_SID = 'WS11aa0c3f5d8e4b7a9c2d1e0f3a4b5c6d';
export const WORKFLOW_SID = 'WW8c2b1e7f0a9d4c3b6e5f4a3b2c1d0e9f';
/** An auth token is 32 hex characters. */
export const AUTH_TOKEN = '9f86d081884c7d659a2feaa0c55ad015';
export const OTHER_AUTH_TOKEN = '2c26b46b68ffc68ff99b453c1d304134';

/** A Twilio-shaped sid: two letters and 32 hex digits, derived from a label so tests read well. */
export function sid(prefix: string, label: string): string {
  let h = 0x811c9dc5;
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    for (const ch of `${label}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `${prefix}${hex.slice(0, 32)}`;
}

export type Params = Record<string, string | number | undefined>;

/** A form body as Twilio sends it (`+` for spaces); undefined fields are left out. */
export function formBody(params: Params): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.append(k, String(v));
  return p.toString();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 2822, as the voice `Timestamp`: `Tue, 04 Jun 2024 10:00:42 +0000` (whole seconds). */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} +0000`;
}

// ---- Voice ---------------------------------------------------------------------------------------

export interface CallStatusInput {
  callSid: string;
  status:
    | 'queued'
    | 'initiated'
    | 'ringing'
    | 'in-progress'
    | 'completed'
    | 'busy'
    | 'no-answer'
    | 'canceled'
    | 'failed'
    | string;
  atMs?: number;
  seq?: number;
  /** Set on a child leg (`<Dial>` to an agent). */
  parentCallSid?: string;
  from?: string;
  to?: string;
  direction?: 'inbound' | 'outbound-api' | 'outbound-dial';
  durationS?: number;
}

/** A voice status callback (`statusCallbackEvent`, or a number's final status callback). */
export function callStatus(c: CallStatusInput): Params {
  const child = c.parentCallSid !== undefined;
  return {
    Called: c.to ?? '+14155550199',
    ToState: 'CA',
    CallerCountry: 'US',
    Direction: c.direction ?? (child ? 'outbound-dial' : 'inbound'),
    Timestamp: c.atMs === undefined ? undefined : rfc2822(c.atMs),
    CallbackSource: 'call-progress-events',
    CallerState: 'CA',
    SequenceNumber: c.seq,
    CallSid: c.callSid,
    To: c.to ?? '+14155550199',
    ParentCallSid: c.parentCallSid,
    ApiVersion: '2010-04-01',
    CallStatus: c.status,
    Duration: c.durationS === undefined ? undefined : Math.ceil(c.durationS / 60),
    CallDuration: c.durationS,
    From: c.from ?? '+14155550100',
    Caller: c.from ?? '+14155550100',
    AccountSid: ACCOUNT_SID,
  };
}

/** The standard TwiML request parameters of the caller's (enqueued) call. */
function twimlRequest(callSid: string, from = '+14155550100'): Params {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'in-progress',
    Called: '+14155550199',
    Caller: from,
    Direction: 'inbound',
    From: from,
    To: '+14155550199',
  };
}

/** `<Enqueue action>`: the call left the queue. `QueueSid`/`QueueTime` only when it was enqueued. */
export function enqueueAction(i: { callSid: string; result: string; queueSid?: string; queueTimeS?: number }): Params {
  return { ...twimlRequest(i.callSid), QueueResult: i.result, QueueSid: i.queueSid, QueueTime: i.queueTimeS };
}

/** `<Enqueue waitUrl>`: the caller is waiting (the first request has QueueTime 0). */
export function waitUrl(i: { callSid: string; queueSid: string; queueTimeS: number; position?: number; from?: string }): Params {
  return {
    ...twimlRequest(i.callSid, i.from),
    QueueSid: i.queueSid,
    QueuePosition: i.position ?? 1,
    QueueTime: i.queueTimeS,
    AvgQueueTime: 42,
    CurrentQueueSize: i.position ?? 1,
    MaxQueueSize: 100,
  };
}

/** `<Dial><Queue url>`: requested on the dequeued caller's leg just before the bridge. */
export function dequeueUrl(i: { callSid: string; queueSid: string; queueTimeS: number; dequeuingCallSid: string }): Params {
  return { ...twimlRequest(i.callSid), QueueSid: i.queueSid, QueueTime: i.queueTimeS, DequeingCallSid: i.dequeuingCallSid };
}

/** A conference status callback (`participant-hold`, `participant-unhold`, `participant-join`…). */
export function conferenceEvent(i: { conferenceSid: string; event: string; callSid: string; seq: number; atMs: number }): Params {
  const hold = i.event === 'participant-hold' ? 'true' : 'false';
  return {
    Coaching: 'false',
    FriendlyName: 'WT-conference',
    SequenceNumber: i.seq,
    ConferenceSid: i.conferenceSid,
    EndConferenceOnExit: 'false',
    CallSid: i.callSid,
    StatusCallbackEvent: i.event,
    Timestamp: rfc2822(i.atMs),
    StartConferenceOnEnter: 'true',
    Hold: hold,
    AccountSid: ACCOUNT_SID,
    Muted: 'false',
  };
}

// ---- TaskRouter ----------------------------------------------------------------------------------

export interface TaskInput {
  taskSid: string;
  callSid?: string;
  queueSid?: string;
  queueName?: string;
  enteredMs?: number;
  createdMs?: number;
  status?: 'pending' | 'reserved' | 'assigned' | 'wrapping' | 'completed' | 'canceled';
  canceledReason?: string;
  from?: string;
}

export interface WorkerInput {
  workerSid: string;
  name: string;
  activity: string;
  previousActivity?: string;
  msInPrevious?: number;
}

export interface TaskRouterInput {
  eventType: string;
  /** The `EV…` sid of the event. */
  eventSid: string;
  atMs: number;
  task?: TaskInput;
  worker?: WorkerInput;
  reservationSid?: string;
}

const taskAttributes = (t: TaskInput) =>
  JSON.stringify({
    from: t.from ?? '+14155550100',
    to: '+14155550199',
    direction: 'inbound',
    call_sid: t.callSid,
    account_sid: ACCOUNT_SID,
    caller_country: 'US',
  });

const activitySid = (name: string) => sid('WA', name);

/** A Workspace event callback (form), as TaskRouter posts it. */
export function taskRouterCallback(e: TaskRouterInput): Params {
  const t = e.task;
  const w = e.worker;
  const resourceType = e.eventType.split('.')[0];
  return {
    EventType: e.eventType,
    Sid: e.eventSid,
    AccountSid: ACCOUNT_SID,
    WorkspaceSid: WORKSPACE_SID,
    WorkspaceName: 'Support',
    EventDescription: `${e.eventType} for ${t?.taskSid ?? w?.workerSid}`,
    ResourceType: resourceType,
    ResourceSid: resourceType === 'worker' ? w?.workerSid : resourceType === 'reservation' ? e.reservationSid : t?.taskSid,
    Timestamp: Math.floor(e.atMs / 1000),
    TimestampMs: e.atMs,
    ...(t
      ? {
          TaskSid: t.taskSid,
          TaskAttributes: taskAttributes(t),
          TaskAge: t.createdMs === undefined ? 0 : Math.floor((e.atMs - t.createdMs) / 1000),
          TaskPriority: 0,
          TaskAssignmentStatus: t.status ?? 'pending',
          TaskCanceledReason: t.canceledReason,
          TaskQueueSid: t.queueSid,
          TaskQueueName: t.queueName,
          TaskQueueEnteredDate:
            t.enteredMs === undefined ? undefined : new Date(t.enteredMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          TaskDateCreated: t.createdMs === undefined ? undefined : new Date(t.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          TaskChannelUniqueName: 'voice',
          WorkflowSid: WORKFLOW_SID,
          WorkflowName: 'Default Fifo Workflow',
        }
      : {}),
    ReservationSid: e.reservationSid,
    ...(w
      ? {
          WorkerSid: w.workerSid,
          WorkerName: w.name,
          WorkerAttributes: JSON.stringify({ contact_uri: `client:${w.name}`, skills: ['billing'] }),
          WorkerActivitySid: activitySid(w.activity),
          WorkerActivityName: w.activity,
          WorkerVersion: 17,
          WorkerPreviousActivitySid: w.previousActivity === undefined ? undefined : activitySid(w.previousActivity),
          WorkerPreviousActivityName: w.previousActivity,
          WorkerTimeInPreviousActivity: w.msInPrevious === undefined ? undefined : Math.floor(w.msInPrevious / 1000),
          WorkerTimeInPreviousActivityMs: w.msInPrevious,
        }
      : {}),
  };
}

/** The same TaskRouter event as Event Streams delivers it: a CloudEvent with a snake_case payload. */
export function taskRouterCloudEvent(e: TaskRouterInput, ceId = `CE${e.eventSid.slice(2)}`): Record<string, unknown> {
  const t = e.task;
  const w = e.worker;
  const iso = new Date(e.atMs).toISOString();
  const payload: Record<string, unknown> = {
    sid: e.eventSid,
    eventtype: e.eventType,
    account_sid: ACCOUNT_SID,
    timestamp: iso,
    workspace_sid: WORKSPACE_SID,
    workspace_name: 'Support',
    ...(t
      ? {
          task_sid: t.taskSid,
          task_attributes: taskAttributes(t),
          task_age: t.createdMs === undefined ? 0 : Math.floor((e.atMs - t.createdMs) / 1000),
          task_priority: 0,
          task_assignment_status: t.status ?? 'pending',
          task_canceled_reason: t.canceledReason,
          task_queue_sid: t.queueSid,
          task_queue_name: t.queueName,
          task_queue_entered_date: t.enteredMs === undefined ? undefined : new Date(t.enteredMs).toISOString(),
          task_channel_unique_name: 'voice',
          workflow_sid: WORKFLOW_SID,
          workflow_name: 'Default Fifo Workflow',
        }
      : {}),
    reservation_sid: e.reservationSid,
    ...(w
      ? {
          worker_sid: w.workerSid,
          worker_name: w.name,
          worker_attributes: JSON.stringify({ contact_uri: `client:${w.name}` }),
          worker_activity_sid: activitySid(w.activity),
          worker_activity_name: w.activity,
          worker_time_in_previous_activity: w.msInPrevious === undefined ? undefined : Math.floor(w.msInPrevious / 1000),
          worker_time_in_previous_activity_ms: w.msInPrevious,
        }
      : {}),
  };
  return {
    specversion: '1.0',
    type: `com.twilio.taskrouter.${e.eventType}`,
    source: `/v1/Workspaces/${WORKSPACE_SID}/${t ? `Tasks/${t.taskSid}` : `Workers/${w?.workerSid}`}`,
    id: ceId,
    time: iso,
    dataschema: 'https://events-schemas.twilio.com/TaskRouter.WDSEvent/2',
    // Twilio's own examples put a timestamp here (a documentation glitch the adapter must tolerate).
    datacontenttype: iso,
    data: { name: e.eventType, timestamp: iso, payload: JSON.parse(JSON.stringify(payload)) },
  };
}

// ---- signing (test side) -------------------------------------------------------------------------

const encoder = new TextEncoder();

/**
 * X-Twilio-Signature computed the way Twilio's documentation describes it, with WebCrypto so it runs
 * in workerd: base64(HMAC-SHA1(authToken, url + each sorted key followed by its sorted distinct values)),
 * or over the URL alone for JSON bodies (`params` null). The oracle test checks it against
 * `twilio.getExpectedTwilioSignature`.
 */
export async function signTwilio(authToken: string, url: string, params: [string, string][] | null): Promise<string> {
  let data = url;
  if (params) {
    const keys = [...new Set(params.map(([k]) => k))].sort();
    for (const k of keys) {
      for (const v of [...new Set(params.filter(([x]) => x === k).map(([, v]) => v))].sort()) data += k + v;
    }
  }
  const key = await crypto.subtle.importKey('raw', encoder.encode(authToken), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
  return btoa(String.fromCharCode(...mac));
}

/** The URL Twilio calls for a JSON body: the configured URL plus `bodySHA256=<hex sha256 of the body>`. */
export async function withBodyHash(url: string, body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(body)));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hex}`;
}

/** The form pairs of a body, in order, repeated keys kept: what a signature is computed over. */
export const formPairs = (body: string): [string, string][] => [...new URLSearchParams(body).entries()];
