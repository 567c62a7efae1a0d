/**
 * Realistic FreeSWITCH events as an ESL forwarder posts them (`event json CUSTOM callcenter::info
 * CHANNEL_HOLD CHANNEL_UNHOLD`): every header a key, values strings. Header names and which channel's
 * data each callcenter event carries follow mod_callcenter.c. 2024-06-04 around 10:00 UTC.
 */

export const CORE_UUID = '3a1c5a0e-2b7f-4c1e-9d3a-6f1b2c3d4e5f';
export const SESSION = '9b2f6c1e-4d3a-4b5c-8e7f-0a1b2c3d4e5f';
export const MEMBER = '6d1e8f2a-1b3c-4d5e-9f6a-7b8c9d0e1f2a';
export const AGENT_LEG = 'c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f';

/** The headers every FreeSWITCH event has (switch_event_prep). */
export function envelope(seq: number, micros: string, name = 'CUSTOM'): Record<string, string> {
  const at = new Date(Math.floor(Number(micros) / 1000));
  return {
    'Event-Name': name,
    'Core-UUID': CORE_UUID,
    'FreeSWITCH-Hostname': 'fs1.example.net',
    'FreeSWITCH-Switchname': 'fs1',
    'FreeSWITCH-IPv4': '10.0.0.5',
    'FreeSWITCH-IPv6': '::1',
    'Event-Date-Local': at.toISOString().replace('T', ' ').slice(0, 19),
    'Event-Date-GMT': at.toUTCString(),
    'Event-Date-Timestamp': micros,
    'Event-Calling-File': 'mod_callcenter.c',
    'Event-Calling-Function': 'cc_member_thread_run',
    'Event-Calling-Line-Number': '3115',
    'Event-Sequence': String(seq),
    ...(name === 'CUSTOM' ? { 'Event-Subclass': 'callcenter::info' } : {}),
  };
}

/** The caller's channel data (switch_channel_event_set_data on the member channel). */
export const memberChannel = (answerState = 'answered', session = SESSION) => ({
  'Channel-State': answerState === 'hangup' ? 'CS_HANGUP' : 'CS_EXECUTE',
  'Channel-Call-State': answerState === 'hangup' ? 'HANGUP' : 'ACTIVE',
  'Channel-Name': 'sofia/external/+14155550100@carrier.example',
  'Unique-ID': session,
  'Call-Direction': 'inbound',
  'Answer-State': answerState,
  'Caller-Caller-ID-Number': '+14155550100',
  'Caller-Destination-Number': '5000',
});

/** The agent's leg data (bridge-agent-* carry the agent channel's). */
const agentChannel = {
  'Channel-State': 'CS_EXCHANGE_MEDIA',
  'Channel-Call-State': 'ACTIVE',
  'Channel-Name': 'sofia/internal/1000@10.0.0.5',
  'Unique-ID': AGENT_LEG,
  'Call-Direction': 'outbound',
  'Answer-State': 'answered',
};

const member = {
  'CC-Member-UUID': MEMBER,
  'CC-Member-Session-UUID': SESSION,
  'CC-Member-CID-Name': 'Jane Caller',
  'CC-Member-CID-Number': '+14155550100',
};

export const FS_CASES: { name: string; event: Record<string, string>; events: Record<string, unknown>[] }[] = [
  ...(['member-queue-start', 'member-queue-resume'] as const).map((action, i) => ({
    name: action,
    event: {
      ...envelope(884100 + i, '1717495364102030'),
      ...memberChannel(),
      'CC-Queue': 'support@default',
      'CC-Action': action,
      ...member,
    },
    events: [
      {
        type: 'interaction.started',
        occurredAt: '2024-06-04T10:02:44.102Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        direction: 'inbound',
      },
      {
        type: 'queue.joined',
        occurredAt: '2024-06-04T10:02:44.102Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        legId: SESSION,
        caller: '+14155550100',
        direction: 'inbound',
      },
    ],
  })),
  {
    name: 'agent-offering',
    event: {
      ...envelope(884150, '1717495398000000'),
      'CC-Queue': 'support@default',
      'CC-Action': 'agent-offering',
      'CC-Agent': '1000@default',
      'CC-Agent-Type': 'callback',
      'CC-Agent-System': 'single_box',
      'CC-Member-UUID': MEMBER,
      'CC-Member-Session-UUID': SESSION,
      'CC-Member-CID-Name': 'Jane Caller',
      'CC-Member-CID-Number': '+14155550100',
      'CC-Member-DNIS': '5000',
    },
    events: [
      {
        type: 'agent.offered',
        occurredAt: '2024-06-04T10:03:18.000Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1000@default',
      },
    ],
  },
  {
    name: 'bridge-agent-start (times in epoch seconds)',
    event: {
      ...envelope(884213, '1717495401532144'),
      ...agentChannel,
      'CC-Queue': 'support@default',
      'CC-Action': 'bridge-agent-start',
      'CC-Agent': '1000@default',
      'CC-Agent-System': 'single_box',
      'CC-Agent-UUID': AGENT_LEG,
      'CC-Agent-Called-Time': '1717495398',
      'CC-Agent-Answered-Time': '1717495401',
      'CC-Member-Joined-Time': '1717495364',
      ...member,
      'CC-Member-DNIS': '5000',
    },
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1000@default',
        attrs: { result: 'accepted', ringMs: 3000 },
      },
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1000@default',
        legId: SESSION,
        attrs: { outcome: 'answered', waitMs: 37000 },
      },
      {
        type: 'agent.connected',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1000@default',
        legId: AGENT_LEG,
      },
    ],
  },
  {
    name: 'bridge-agent-end',
    event: {
      ...envelope(884390, '1717495589120443'),
      ...agentChannel,
      'CC-Queue': 'support@default',
      'CC-Action': 'bridge-agent-end',
      'CC-Hangup-Cause': 'NORMAL_CLEARING',
      'CC-Agent': '1000@default',
      'CC-Agent-System': 'single_box',
      'CC-Agent-UUID': AGENT_LEG,
      'CC-Agent-Bridged': 'true',
      'CC-Agent-Called-Time': '1717495398',
      'CC-Agent-Answered-Time': '1717495401',
      'CC-Member-Joined-Time': '1717495364',
      'CC-Bridge-Terminated-Time': '1717495589',
      ...member,
    },
    events: [
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:29.120Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1000@default',
        legId: AGENT_LEG,
        attrs: { talkMs: 188000 },
      },
    ],
  },
  ...(
    [
      ['NO_ANSWER', 'timeout'],
      ['USER_BUSY', 'rejected'],
      ['CALL_REJECTED', 'rejected'],
      ['ORIGINATOR_CANCEL', 'canceled'],
      ['NORMAL_TEMPORARY_FAILURE', 'failed'],
    ] as const
  ).map(([cause, result], i) => ({
    name: `bridge-agent-fail ${cause}`,
    event: {
      ...envelope(884160 + i, '1717495395000001'),
      'CC-Queue': 'support@default',
      'CC-Action': 'bridge-agent-fail',
      'CC-Hangup-Cause': cause,
      'CC-Agent': '1001@default',
      'CC-Agent-System': 'single_box',
      'CC-Agent-Called-Time': '1717495380',
      'CC-Agent-Aborted-Time': '1717495395',
      ...member,
      'CC-Member-Joined-Time': '1717495364',
    },
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:15.000Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        agentKey: '1001@default',
        attrs: { result, ringMs: 15000 },
      },
    ],
  })),
  {
    name: 'member-queue-end Terminated',
    event: {
      ...envelope(884391, '1717495589200000'),
      ...memberChannel('hangup'),
      'CC-Queue': 'support@default',
      'CC-Action': 'member-queue-end',
      'CC-Hangup-Cause': 'NORMAL_CLEARING',
      'CC-Cause': 'Terminated',
      'CC-Agent': '1000@default',
      'CC-Agent-System': 'single_box',
      'CC-Agent-UUID': AGENT_LEG,
      'CC-Agent-Called-Time': '1717495398',
      'CC-Agent-Answered-Time': '1717495401',
      'CC-Member-Leaving-Time': '1717495589',
      'CC-Member-Joined-Time': '1717495364',
      ...member,
    },
    events: [
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:06:29.200Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        attrs: { hangupCause: 'NORMAL_CLEARING' },
      },
    ],
  },
  ...(
    [
      ['NONE', 'hangup', 'abandoned'],
      ['BREAK_OUT', 'hangup', 'abandoned'],
      ['BREAK_OUT', 'answered', 'other'],
      ['TIMEOUT', 'answered', 'timeout'],
      ['NO_AGENT_TIMEOUT', 'answered', 'no_agents'],
      ['EXIT_WITH_KEY', 'answered', 'exit_key'],
    ] as const
  ).map(([reason, answerState, outcome], i) => ({
    name: `member-queue-end Cancel ${reason} (caller ${answerState})`,
    event: {
      ...envelope(884400 + i, '1717495374000000'),
      ...memberChannel(answerState),
      'CC-Queue': 'support@default',
      'CC-Action': 'member-queue-end',
      'CC-Member-Leaving-Time': '1717495374',
      'CC-Member-Joined-Time': '1717495364',
      'CC-Cause': 'Cancel',
      'CC-Cancel-Reason': reason,
      ...member,
    },
    events: [
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:02:54.000Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        legId: SESSION,
        attrs: { outcome, waitMs: 10000 },
      },
      ...(outcome === 'abandoned'
        ? [
            {
              type: 'interaction.ended',
              occurredAt: '2024-06-04T10:02:54.000Z',
              interactionId: SESSION,
              queueKey: 'support@default',
              attrs: { endedBy: 'customer' },
            },
          ]
        : []),
    ],
  })),
  ...(
    [
      ['agent-status-change', { 'CC-Agent-Status': 'Available' }, { state: 'available' }],
      ['agent-status-change', { 'CC-Agent-Status': 'Available (On Demand)' }, { state: 'available' }],
      ['agent-status-change', { 'CC-Agent-Status': 'On Break' }, { state: 'away', reason: 'On Break' }],
      ['agent-status-change', { 'CC-Agent-Status': 'Logged Out' }, { state: 'offline' }],
      ['agent-state-change', { 'CC-Agent-State': 'In a queue call' }, { state: 'busy' }],
      ['agent-state-change', { 'CC-Agent-State': 'Waiting' }, { state: 'available' }],
      ['agent-state-change', { 'CC-Agent-State': 'Idle' }, { state: 'away', reason: 'Idle' }],
      [
        'agent-state-change',
        { 'CC-Agent-State': 'Waiting', 'CC-Agent-Status': 'On Break' },
        { state: 'away', reason: 'On Break' },
      ],
    ] as const
  ).map(([action, extra, attrs], i) => ({
    name: `${action} ${Object.values(extra).join(' / ')}`,
    event: { ...envelope(884500 + i, '1717495700250000'), 'CC-Agent': '1000@default', 'CC-Action': action, ...extra },
    events: [{ type: 'agent.state_changed', occurredAt: '2024-06-04T10:08:20.250Z', agentKey: '1000@default', attrs }],
  })),
  {
    name: 'CHANNEL_HOLD on the agent leg',
    event: {
      ...envelope(884300, '1717495450750000', 'CHANNEL_HOLD'),
      ...agentChannel,
      variable_cc_queue: 'support@default',
      variable_cc_agent: '1000@default',
      variable_cc_member_uuid: MEMBER,
      variable_cc_member_session_uuid: SESSION,
    },
    events: [
      {
        type: 'hold.started',
        occurredAt: '2024-06-04T10:04:10.750Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        legId: AGENT_LEG,
      },
    ],
  },
  {
    name: 'CHANNEL_UNHOLD on the caller leg',
    event: {
      ...envelope(884310, '1717495465000000', 'CHANNEL_UNHOLD'),
      ...memberChannel(),
      variable_cc_queue: 'support@default',
      variable_cc_member_uuid: MEMBER,
    },
    events: [
      {
        type: 'hold.ended',
        occurredAt: '2024-06-04T10:04:25.000Z',
        interactionId: SESSION,
        queueKey: 'support@default',
        legId: SESSION,
      },
    ],
  },
];

/** Events accepted and listed as ignored. */
export const IGNORED_FS = [
  { ...envelope(884600, '1717495364200000'), 'CC-Queue': 'support@default', 'CC-Action': 'members-count', 'CC-Count': '1' },
  {
    ...envelope(884601, '1717495395000000'),
    'CC-Agent': '1001@default',
    'CC-Action': 'agent-max-no-answer',
    'CC-Agent-No-Answer-Count': '3',
    'CC-Agent-No-Answer-Status': 'On Break',
  },
  {
    ...envelope(884602, '1717495398000000'),
    'CC-Agent': '1000@default',
    'CC-Action': 'agent-state-change',
    'CC-Agent-State': 'Receiving',
  },
  { ...envelope(884603, '1717495450000000', 'CHANNEL_HOLD'), 'Unique-ID': 'aa00bb11-0000-4000-8000-000000000001' },
  { ...envelope(884604, '1717495450000000', 'HEARTBEAT') },
  { ...envelope(884605, '1717495450000000'), 'Event-Subclass': 'sofia::register', profile_name: 'internal' },
];
