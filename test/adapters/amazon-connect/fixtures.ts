/**
 * Amazon Connect payloads as AWS sends them. Contact events follow the EventBridge envelope and the
 * `detail` fields of the Connect admin guide's contact-events data model (
 * queueInfo.enqueueTimestamp, agentInfo.connectedToAgentTimestamp / afterContactWork*,
 * disconnectTimestamp, disconnectReason...); Agent Event Stream records follow
 * `agent-event-stream-model`; Firehose deliveries the HTTP endpoint request format of the Firehose
 * developer guide. Builders take a clock so the same shapes serve unit and end-to-end tests.
 */
export const INSTANCE = 'arn:aws:connect:us-east-1:111122223333:instance/8d3e6f1a-4b2c-4d5e-9f00-1a2b3c4d5e6f';
export const queueArn = (id: string) => `${INSTANCE}/queue/${id}`;
export const agentArn = (id: string) => `${INSTANCE}/agent/${id}`;

type Json = Record<string, unknown>;

/** An EventBridge "Amazon Connect Contact Event". */
export function contactEvent(id: string, time: string, detail: Json): Json {
  const contactId = String(detail.contactId);
  return {
    version: '0',
    id,
    'detail-type': 'Amazon Connect Contact Event',
    source: 'aws.connect',
    account: '111122223333',
    time: time.replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`${INSTANCE}/contact/${contactId}`, INSTANCE],
    detail: { instanceArn: INSTANCE, channel: 'VOICE', ...detail },
  };
}

/** One contact's life as the snapshot fields its events carry, in seconds from `at`. */
export interface ContactPlan {
  contactId: string;
  initialContactId?: string;
  previousContactId?: string;
  initiationMethod?: string;
  caller?: string;
  initiated: number;
  queue?: { arn: string; enqueued: number };
  agent?: { arn: string; connected: number; acw?: { start: number; end: number } };
  disconnected?: { at: number; reason?: string };
}

/**
 * The contact events one contact produces (INITIATED, QUEUED, CONNECTED_TO_AGENT, DISCONNECTED,
 * COMPLETED), each carrying the snapshot known at its moment, as Connect publishes them.
 */
export function contactEvents(plan: ContactPlan, at: (s: number) => string): Json[] {
  const base = {
    contactId: plan.contactId,
    initialContactId: plan.initialContactId ?? plan.contactId,
    ...(plan.previousContactId ? { previousContactId: plan.previousContactId } : {}),
    initiationMethod: plan.initiationMethod ?? 'INBOUND',
    initiationTimestamp: at(plan.initiated),
    ...(plan.caller ? { customerEndpoint: { address: plan.caller, type: 'TELEPHONE_NUMBER' } } : {}),
  };
  const queueInfo = (withTimes: boolean) =>
    plan.queue
      ? {
          queueInfo: {
            queueArn: plan.queue.arn,
            queueType: 'STANDARD',
            ...(withTimes ? { enqueueTimestamp: at(plan.queue.enqueued) } : {}),
          },
        }
      : {};
  const agentInfo = (acw: boolean) =>
    plan.agent
      ? {
          agentInfo: {
            agentArn: plan.agent.arn,
            connectedToAgentTimestamp: at(plan.agent.connected),
            ...(acw && plan.agent.acw
              ? {
                  afterContactWorkStartTimestamp: at(plan.agent.acw.start),
                  afterContactWorkEndTimestamp: at(plan.agent.acw.end),
                  afterContactWorkDuration: plan.agent.acw.end - plan.agent.acw.start,
                }
              : {}),
          },
        }
      : {};
  const ended = plan.disconnected
    ? {
        disconnectTimestamp: at(plan.disconnected.at),
        ...(plan.disconnected.reason ? { disconnectReason: plan.disconnected.reason } : {}),
      }
    : {};
  const id = (type: string) => `eb-${plan.contactId}-${type}`;
  const events = [contactEvent(id('initiated'), at(plan.initiated), { eventType: 'INITIATED', ...base })];
  if (plan.queue) {
    events.push(contactEvent(id('queued'), at(plan.queue.enqueued), { eventType: 'QUEUED', ...base, ...queueInfo(true) }));
  }
  if (plan.agent) {
    events.push(
      contactEvent(id('connected'), at(plan.agent.connected), {
        eventType: 'CONNECTED_TO_AGENT',
        ...base,
        ...queueInfo(true),
        ...agentInfo(false),
      }),
    );
  }
  if (plan.disconnected) {
    const snapshot = { ...base, ...queueInfo(true), ...agentInfo(false), ...ended };
    events.push(contactEvent(id('disconnected'), at(plan.disconnected.at), { eventType: 'DISCONNECTED', ...snapshot }));
    const completedAt = plan.agent?.acw ? plan.agent.acw.end : plan.disconnected.at;
    events.push(
      contactEvent(id('completed'), at(completedAt), {
        eventType: 'COMPLETED',
        ...base,
        ...queueInfo(true),
        ...agentInfo(true),
        ...ended,
      }),
    );
  }
  return events;
}

/** A contact as an agent snapshot lists it. */
export interface ListedContact {
  contactId: string;
  initialContactId?: string;
  state: string;
  since: number;
  connected?: number;
  queue: { arn: string; name: string; enqueued: number };
}

export interface AgentStatus {
  name: string;
  type: 'ROUTABLE' | 'CUSTOM' | 'OFFLINE';
  since: number;
}

/** An Agent Event Stream record. */
export function agentEvent(
  o: {
    eventId: string;
    type: 'LOGIN' | 'LOGOUT' | 'STATE_CHANGE' | 'HEART_BEAT';
    at: number;
    agent: string;
    username?: string;
    status: AgentStatus;
    contacts?: ListedContact[];
    previous?: { status: AgentStatus; contacts?: ListedContact[] };
  },
  at: (s: number) => string,
): Json {
  const snapshot = (status: AgentStatus, contacts: ListedContact[] = []) => ({
    AgentStatus: {
      ARN: `${INSTANCE}/agent-state/${status.name.toLowerCase()}`,
      Name: status.name,
      StartTimestamp: at(status.since),
      Type: status.type,
    },
    Configuration: {
      Username: o.username ?? 'alice',
      FirstName: 'Alice',
      LastName: 'Ng',
      RoutingProfile: { ARN: `${INSTANCE}/routing-profile/basic`, Name: 'Basic', InboundQueues: [], DefaultOutboundQueue: {} },
    },
    Contacts: contacts.map((c) => ({
      ContactId: c.contactId,
      InitialContactId: c.initialContactId ?? c.contactId,
      Channel: 'VOICE',
      InitiationMethod: 'INBOUND',
      State: c.state,
      StateStartTimestamp: at(c.since),
      ...(c.connected !== undefined ? { ConnectedToAgentTimestamp: at(c.connected) } : {}),
      QueueTimestamp: at(c.queue.enqueued),
      Queue: { ARN: c.queue.arn, Name: c.queue.name },
    })),
  });
  return {
    AWSAccountId: '111122223333',
    AgentARN: o.agent,
    EventId: o.eventId,
    EventTimestamp: at(o.at),
    EventType: o.type,
    InstanceARN: INSTANCE,
    Version: '2019-05-25',
    CurrentAgentSnapshot: snapshot(o.status, o.contacts),
    ...(o.previous ? { PreviousAgentSnapshot: snapshot(o.previous.status, o.previous.contacts) } : {}),
  };
}

/**
 * The Agent Event Stream of one agent taking one call: offered, connected, a hold, the end and its
 * after-contact work, then the contact cleared. Times in seconds, as in `ContactPlan`.
 */
export function agentCallRecords(
  o: {
    agent: string;
    contactId: string;
    initialContactId?: string;
    queue: { arn: string; name: string; enqueued: number };
    available: number;
    offered: number;
    connected: number;
    hold?: { start: number; end: number };
    ended: number;
    cleared: number;
  },
  at: (s: number) => string,
): Json[] {
  const status: AgentStatus = { name: 'Available', type: 'ROUTABLE', since: o.available };
  const listed = (state: string, since: number): ListedContact => ({
    contactId: o.contactId,
    ...(o.initialContactId ? { initialContactId: o.initialContactId } : {}),
    state,
    since,
    ...(state === 'CONNECTING' ? {} : { connected: o.connected }),
    queue: o.queue,
  });
  const steps: { at: number; contacts: ListedContact[] }[] = [
    { at: o.offered, contacts: [listed('CONNECTING', o.offered)] },
    { at: o.connected, contacts: [listed('CONNECTED', o.connected)] },
    ...(o.hold
      ? [
          { at: o.hold.start, contacts: [listed('CONNECTED_ONHOLD', o.hold.start)] },
          { at: o.hold.end, contacts: [listed('CONNECTED', o.hold.end)] },
        ]
      : []),
    { at: o.ended, contacts: [listed('ENDED', o.ended)] },
    { at: o.cleared, contacts: [] },
  ];
  return steps.map((step, i) =>
    agentEvent(
      {
        eventId: `aes-${o.contactId}-${i}`,
        type: 'STATE_CHANGE',
        at: step.at,
        agent: o.agent,
        status,
        contacts: step.contacts,
        previous: { status, contacts: i === 0 ? [] : steps[i - 1]?.contacts },
      },
      at,
    ),
  );
}

/** A Kinesis Data Firehose HTTP endpoint delivery of these records. */
export function firehoseDelivery(requestId: string, timestampMs: number, records: unknown[]): Json {
  return {
    requestId,
    timestamp: timestampMs,
    records: records.map((r) => ({ data: btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(r)))) })),
  };
}
