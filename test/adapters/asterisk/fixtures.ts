/**
 * Realistic Asterisk inputs (shapes per app_queue.c and docs/providers/asterisk.md): queue_log lines as a
 * forwarder tails them, and AMI events as a forwarder posts them (its `Key: value` lines as JSON).
 * All on 2024-06-04 around 10:00 UTC; call 1717495364.84 waits 37 s in `billing` and is answered.
 */

export const CALL = '1717495364.84';

/** One line per queue_log event type the adapter maps, and what it must become (ids aside). */
export const QUEUE_LOG_CASES: { name: string; line: string; events: Record<string, unknown>[] }[] = [
  {
    name: 'ENTERQUEUE',
    line: `1717495364|${CALL}|billing|NONE|ENTERQUEUE||14155550100|1`,
    events: [
      { type: 'interaction.started', occurredAt: '2024-06-04T10:02:44.000Z', interactionId: CALL, queueKey: 'billing' },
      {
        type: 'queue.joined',
        occurredAt: '2024-06-04T10:02:44.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        legId: CALL,
        caller: '14155550100',
        attrs: { position: 1 },
      },
    ],
  },
  {
    name: 'RINGNOANSWER (ring time in ms)',
    line: `1717495380|${CALL}|billing|PJSIP/2001|RINGNOANSWER|15000`,
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:00.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'PJSIP/2001',
        attrs: { result: 'timeout', ringMs: 15000 },
      },
    ],
  },
  {
    name: 'RINGCANCELED',
    line: `1717495390|${CALL}|billing|PJSIP/2001|RINGCANCELED|8000`,
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:10.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'PJSIP/2001',
        attrs: { result: 'canceled', ringMs: 8000 },
      },
    ],
  },
  {
    name: 'AGENTDUMP',
    line: `1717495391|${CALL}|billing|PJSIP/2001|AGENTDUMP|`,
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:11.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'PJSIP/2001',
        attrs: { result: 'rejected' },
      },
    ],
  },
  {
    name: 'SYSCOMPAT',
    line: `1717495392|${CALL}|billing|PJSIP/2001|SYSCOMPAT|`,
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:12.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'PJSIP/2001',
        attrs: { result: 'failed' },
      },
    ],
  },
  {
    name: 'CONNECT (holdtime s | bridged uniqueid | ringtime s)',
    line: `1717495401|${CALL}|billing|Alice|CONNECT|37|1717495401.86|3`,
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:21.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { result: 'accepted', ringMs: 3000 },
      },
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:03:21.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        legId: CALL,
        attrs: { outcome: 'answered', waitMs: 37000 },
      },
      {
        type: 'agent.connected',
        occurredAt: '2024-06-04T10:03:21.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        legId: '1717495401.86',
      },
    ],
  },
  {
    name: 'COMPLETECALLER (holdtime | calltime | origposition)',
    line: `1717495589|${CALL}|billing|Alice|COMPLETECALLER|37|188|1`,
    events: [
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:29.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { endedBy: 'customer', talkMs: 188000 },
      },
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:06:29.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        attrs: { endedBy: 'customer' },
      },
    ],
  },
  {
    name: 'COMPLETEAGENT',
    line: `1717495589|${CALL}|billing|Alice|COMPLETEAGENT|37|188|1`,
    events: [
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:29.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { endedBy: 'agent', talkMs: 188000 },
      },
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:06:29.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        attrs: { endedBy: 'agent' },
      },
    ],
  },
  {
    name: 'ABANDON (position | origposition | waittime)',
    line: '1717495420|1717495410.90|billing|NONE|ABANDON|2|3|10',
    events: [
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:03:40.000Z',
        interactionId: '1717495410.90',
        queueKey: 'billing',
        legId: '1717495410.90',
        attrs: { outcome: 'abandoned', waitMs: 10000 },
      },
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:03:40.000Z',
        interactionId: '1717495410.90',
        queueKey: 'billing',
        attrs: { endedBy: 'customer' },
      },
    ],
  },
  ...(
    [
      ['EXITWITHTIMEOUT', '1|1|100', 'timeout', 100000],
      ['EXITEMPTY', '1|1|11', 'no_agents', 11000],
      ['EXITWITHKEY', '5|1|1|11', 'exit_key', 11000],
      ['WITHDRAW', '1|1|11|callback requested', 'other', 11000],
    ] as const
  ).map(([event, data, outcome, waitMs]) => ({
    name: event,
    line: `1717495500|1717495400.91|billing|NONE|${event}|${data}`,
    events: [
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:05:00.000Z',
        interactionId: '1717495400.91',
        queueKey: 'billing',
        legId: '1717495400.91',
        attrs: { outcome, waitMs },
      },
    ],
  })),
  ...(
    [
      ['FULL', 'rejected_full'],
      ['JOINEMPTY', 'no_agents'],
      ['JOINUNAVAIL', 'no_agents'],
      ['CLOSED', 'other'],
      // Wazo's dialplan diverts a call before it joins: too many calls per agent, or too long an expected wait.
      ['DIVERT_CA_RATIO', 'rejected_full'],
      ['DIVERT_HOLDTIME', 'rejected_full'],
    ] as const
  ).map(([event, outcome]) => ({
    name: `${event} (dialplan-logged refusal)`,
    line: `1717495500|1717495500.95|billing|NONE|${event}|`,
    events: [
      {
        type: 'queue.joined',
        occurredAt: '2024-06-04T10:05:00.000Z',
        interactionId: '1717495500.95',
        queueKey: 'billing',
        legId: '1717495500.95',
      },
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:05:00.000Z',
        interactionId: '1717495500.95',
        queueKey: 'billing',
        legId: '1717495500.95',
        attrs: { outcome, waitMs: 0 },
      },
    ],
  })),
  ...(
    [
      ['BLINDTRANSFER', '600|from-internal|37|199|1', 'blind'],
      ['TRANSFER', '600|from-internal|37|199', 'blind'],
      ['ATTENDEDTRANSFER', 'BRIDGE|8a4e2b1c-6f0d-4a8e-9d57-0b1f6b3c2d11|37|199|1', 'attended'],
      ['ATTENDEDTRANSFER', 'LINK|PJSIP/2002-0000002c|PJSIP/2003-0000002d|37|199|1', 'attended'],
    ] as const
  ).map(([event, data, kind]) => ({
    name: `${event} ${data.split('|')[0]}`,
    line: `1717495600|${CALL}|billing|Alice|${event}|${data}`,
    events: [
      {
        type: 'transfer',
        occurredAt: '2024-06-04T10:06:40.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { kind },
      },
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:40.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { endedBy: 'transfer', talkMs: 199000 },
      },
    ],
  })),
  {
    // Wazo's app_queue logs the start of a member's wrap-up and its length in seconds; the wrap-up runs that long.
    name: 'WRAPUPSTART (Wazo)',
    line: `1717495589|${CALL}|billing|Agent/1001|WRAPUPSTART|30`,
    events: [
      {
        type: 'wrapup.started',
        occurredAt: '2024-06-04T10:06:29.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Agent/1001',
      },
      {
        type: 'wrapup.ended',
        occurredAt: '2024-06-04T10:06:59.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Agent/1001',
        attrs: { acwMs: 30000 },
      },
    ],
  },
  ...(
    [
      ['ADDMEMBER', 'PJSIP/2001', '', { state: 'available' }],
      ['ADDMEMBER', 'Alice', 'PAUSED', { state: 'away', reason: 'paused' }],
      ['REMOVEMEMBER', 'PJSIP/2001', '', { state: 'offline' }],
      ['PAUSE', 'Alice', 'Lunch', { state: 'away', reason: 'Lunch' }],
      ['PAUSE', 'Alice', 'Wrap-up', { state: 'wrapup', reason: 'Wrap-up' }],
      ['PAUSE', 'Alice', '', { state: 'away' }],
      ['PAUSEALL', 'Alice', 'Training', { state: 'away', reason: 'Training' }],
      ['UNPAUSE', 'Alice', 'Lunch', { state: 'available', unpause: true }],
      ['UNPAUSEALL', 'Alice', '', { state: 'available', unpause: true }],
    ] as const
  ).map(([event, agent, data, attrs]) => ({
    name: `${event} ${data || '(no reason)'}`,
    line: `1717495700|NONE|billing|${agent}|${event}|${data}`,
    events: [{ type: 'agent.state_changed', occurredAt: '2024-06-04T10:08:20.000Z', agentKey: agent, attrs }],
  })),
  {
    name: 'AGENTLOGIN (app_agent_pool logs the bare agent id)',
    line: '1717494000|1717494000.1|NONE|1001|AGENTLOGIN|PJSIP/1001-00000001',
    events: [
      {
        type: 'agent.state_changed',
        occurredAt: '2024-06-04T09:40:00.000Z',
        agentKey: 'Agent/1001',
        attrs: { state: 'available' },
      },
    ],
  },
  {
    name: 'AGENTLOGOFF',
    line: '1717499000|1717494000.1|NONE|1001|AGENTLOGOFF|PJSIP/1001-00000001|5000',
    events: [
      {
        type: 'agent.state_changed',
        occurredAt: '2024-06-04T11:03:20.000Z',
        agentKey: 'Agent/1001',
        attrs: { state: 'offline' },
      },
    ],
  },
  {
    name: 'AGENTCALLBACKLOGIN (legacy, already Agent/…)',
    line: '1717494000|NONE|NONE|Agent/1002|AGENTCALLBACKLOGIN|2002@from-internal',
    events: [
      {
        type: 'agent.state_changed',
        occurredAt: '2024-06-04T09:40:00.000Z',
        agentKey: 'Agent/1002',
        attrs: { state: 'available' },
      },
    ],
  },
];

/** Lines that are accepted and listed as ignored. */
export const IGNORED_LINES = [
  '1717494000|NONE|NONE|NONE|QUEUESTART|',
  '1717494001|NONE|NONE|NONE|CONFIGRELOAD|',
  `1717495364|${CALL}|billing|NONE|DID|18005550100`,
  '1717495365|NONE|billing|PJSIP/2001|PENALTY|2',
  `1717495366|${CALL}|billing|NONE|SOMETHINGNEW|a|b`,
  '1717495367|NONE|NONE|NONE|ABANDON|1|1|5', // a call event without a call id
];

/** A real-looking file: two calls, a transfer to another queue, a pause, and noise. */
export const QUEUE_LOG_FILE = [
  '1717494000|NONE|NONE|NONE|QUEUESTART|',
  '1717494100|NONE|billing|Alice|ADDMEMBER|',
  '1717494100|NONE|support|Bob|ADDMEMBER|',
  `1717495364|${CALL}|billing|NONE|ENTERQUEUE||14155550100|1`,
  `1717495380|${CALL}|billing|Bob|RINGNOANSWER|15000`,
  `1717495401|${CALL}|billing|Alice|CONNECT|37|1717495401.86|3`,
  `1717495589|${CALL}|billing|Alice|COMPLETECALLER|37|188|1`,
  '1717495400|1717495400.91|billing|NONE|ENTERQUEUE||14155550111|2',
  '1717495402|1717495400.91|billing|NONE|ABANDON|1|2|2',
  '1717495600|NONE|NONE|Alice|PAUSEALL|Lunch',
  '1717495600|NONE|billing|Alice|PAUSE|Lunch',
  '1717495600|NONE|support|Alice|PAUSE|Lunch',
  '1717496000|NONE|billing|Alice|UNPAUSE|Lunch',
].join('\n');

/** Alice's consult channel, in an attended transfer into a queue. */
export const CONSULT = '1717495410.91';

/**
 * An attended transfer into a queue, in the shape a real Asterisk 20 / FreePBX 16 log (members as Local
 * channels) shows it; ids, times and names are ours, the data fields follow app_queue.c. Alice answers the caller in billing, puts them on hold and dials the support queue: her consult
 * channel enters support (her extension as its caller id) and is rung there; she completes the transfer
 * while it still waits, so the caller takes the consult channel's place in `Queue()`. The
 * ATTENDEDTRANSFER of billing (APP: the target was running an application) is logged under the consult
 * channel's id; support's CONNECT and COMPLETEAGENT under the caller's, whose wait there runs from the
 * consult channel's ENTERQUEUE (21 s).
 */
export const ATTENDED_TRANSFER_TO_QUEUE = [
  `1717495364|${CALL}|billing|NONE|ENTERQUEUE||14155550100|1`,
  `1717495376|${CALL}|billing|Local/2001@from-queue/n|CONNECT|12|1717495376.87|3`,
  `1717495410|${CONSULT}|support|NONE|ENTERQUEUE||2001|1`,
  `1717495420|${CONSULT}|support|Local/2002@from-queue/n|RINGNOANSWER|10000`,
  `1717495422|${CONSULT}|billing|Local/2001@from-queue/n|ATTENDEDTRANSFER|APP|Queue|12|46|1`,
  `1717495431|${CALL}|support|Local/2003@from-queue/n|CONNECT|21|1717495421.95|9`,
  `1717495520|${CALL}|support|Local/2003@from-queue/n|COMPLETEAGENT|21|89|1`,
];

/** AMI events as a forwarder posts them (timestampevents=yes), and what each must become (ids aside). */
const channel = {
  Privilege: 'agent,all',
  Channel: 'PJSIP/trunk-0000002a',
  ChannelState: '6',
  ChannelStateDesc: 'Up',
  CallerIDNum: '14155550100',
  CallerIDName: 'Jane Caller',
  ConnectedLineNum: '<unknown>',
  ConnectedLineName: '<unknown>',
  Language: 'en',
  AccountCode: '',
  Context: 'ext-queues',
  Exten: '600',
  Priority: '10',
  Uniqueid: CALL,
  Linkedid: CALL,
};
const dest = {
  DestChannel: 'PJSIP/2001-0000002b',
  DestChannelState: '6',
  DestUniqueid: '1717495401.86',
  DestLinkedid: CALL,
};
const member = { Queue: 'billing', MemberName: 'Alice', Interface: 'PJSIP/2001' };

export const AMI_CASES: { name: string; event: Record<string, string>; events: Record<string, unknown>[] }[] = [
  {
    name: 'QueueCallerJoin',
    event: { Event: 'QueueCallerJoin', Timestamp: '1717495364.210441', ...channel, Queue: 'billing', Position: '1', Count: '1' },
    events: [
      { type: 'interaction.started', occurredAt: '2024-06-04T10:02:44.210Z', interactionId: CALL, queueKey: 'billing' },
      {
        type: 'queue.joined',
        occurredAt: '2024-06-04T10:02:44.210Z',
        interactionId: CALL,
        queueKey: 'billing',
        legId: CALL,
        caller: '14155550100',
        attrs: { position: 1 },
      },
    ],
  },
  {
    name: 'QueueCallerAbandon (HoldTime = seconds waited)',
    event: {
      Event: 'QueueCallerAbandon',
      Timestamp: '1717495374.5',
      ...channel,
      Queue: 'billing',
      Position: '1',
      OriginalPosition: '1',
      HoldTime: '10',
    },
    events: [
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:02:54.500Z',
        interactionId: CALL,
        queueKey: 'billing',
        legId: CALL,
        attrs: { outcome: 'abandoned', waitMs: 10000 },
      },
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:02:54.500Z',
        interactionId: CALL,
        queueKey: 'billing',
        attrs: { endedBy: 'customer' },
      },
    ],
  },
  {
    name: 'AgentCalled',
    event: { Event: 'AgentCalled', Timestamp: '1717495398.001', ...channel, ...dest, ...member },
    events: [
      {
        type: 'agent.offered',
        occurredAt: '2024-06-04T10:03:18.001Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        legId: '1717495401.86',
      },
    ],
  },
  {
    name: 'AgentRingNoAnswer (RingTime in ms)',
    event: { Event: 'AgentRingNoAnswer', Timestamp: '1717495380.0', ...channel, ...dest, ...member, RingTime: '15000' },
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:00.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { result: 'timeout', ringMs: 15000 },
      },
    ],
  },
  {
    name: 'AgentDump',
    event: { Event: 'AgentDump', Timestamp: '1717495381.0', ...channel, ...dest, ...member },
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:01.000Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { result: 'rejected' },
      },
    ],
  },
  {
    name: 'AgentConnect (HoldTime s, RingTime s)',
    event: {
      Event: 'AgentConnect',
      Timestamp: '1717495401.532144',
      ...channel,
      ...dest,
      ...member,
      HoldTime: '37',
      RingTime: '3',
    },
    events: [
      {
        type: 'agent.offer_ended',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { result: 'accepted', ringMs: 3000 },
      },
      {
        type: 'queue.left',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        legId: CALL,
        attrs: { outcome: 'answered', waitMs: 37000 },
      },
      {
        type: 'agent.connected',
        occurredAt: '2024-06-04T10:03:21.532Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        legId: '1717495401.86',
      },
    ],
  },
  ...(
    [
      ['caller', 'customer'],
      ['agent', 'agent'],
    ] as const
  ).map(([reason, endedBy]) => ({
    name: `AgentComplete Reason: ${reason}`,
    event: {
      Event: 'AgentComplete',
      Timestamp: '1717495589.120443',
      ...channel,
      ...dest,
      ...member,
      HoldTime: '37',
      TalkTime: '188',
      Reason: reason,
    },
    events: [
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:29.120Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { endedBy, talkMs: 188000 },
      },
      {
        type: 'interaction.ended',
        occurredAt: '2024-06-04T10:06:29.120Z',
        interactionId: CALL,
        queueKey: 'billing',
        attrs: { endedBy },
      },
    ],
  })),
  {
    name: 'AgentComplete Reason: transfer (the caller stays on the line)',
    event: {
      Event: 'AgentComplete',
      Timestamp: '1717495589.120443',
      ...channel,
      ...dest,
      ...member,
      HoldTime: '37',
      TalkTime: '188',
      Reason: 'transfer',
    },
    events: [
      {
        type: 'agent.disconnected',
        occurredAt: '2024-06-04T10:06:29.120Z',
        interactionId: CALL,
        queueKey: 'billing',
        agentKey: 'Alice',
        attrs: { endedBy: 'transfer', talkMs: 188000 },
      },
    ],
  },
  ...(
    [
      ['QueueMemberPause', { Paused: '1', PausedReason: 'Lunch' }, { state: 'away', reason: 'Lunch' }],
      ['QueueMemberPause', { Paused: '0', PausedReason: '' }, { state: 'available', unpause: true }],
      ['QueueMemberPaused', { Paused: '1', Reason: 'ACW' }, { state: 'wrapup', reason: 'ACW' }],
      ['QueueMemberAdded', { Paused: '0' }, { state: 'available' }],
      ['QueueMemberRemoved', {}, { state: 'offline' }],
    ] as const
  ).map(([name, extra, attrs]) => ({
    name: `${name} ${JSON.stringify(extra)}`,
    event: { Event: name, Timestamp: '1717495700.25', ...member, Membership: 'dynamic', Penalty: '0', ...extra },
    events: [{ type: 'agent.state_changed', occurredAt: '2024-06-04T10:08:20.250Z', agentKey: 'Alice', attrs }],
  })),
  ...(
    [
      ['Hold', 'hold.started'],
      ['Unhold', 'hold.ended'],
    ] as const
  ).map(([name, type]) => ({
    name,
    // Raised on the agent's channel (its phone put the caller on hold): its Linkedid is the caller's.
    event: {
      Event: name,
      Timestamp: '1717495450.75',
      Channel: 'PJSIP/2001-0000002b',
      Uniqueid: '1717495401.86',
      Linkedid: CALL,
      MusicClass: 'default',
    },
    events: [{ type, occurredAt: '2024-06-04T10:04:10.750Z', interactionId: CALL, legId: '1717495401.86' }],
  })),
  {
    name: 'BlindTransfer',
    event: {
      Event: 'BlindTransfer',
      Timestamp: '1717495600.5',
      Result: 'Success',
      TransfererChannel: 'PJSIP/2001-0000002b',
      TransfererUniqueid: '1717495401.86',
      TransfererLinkedid: CALL,
      TransfereeChannel: 'PJSIP/trunk-0000002a',
      TransfereeUniqueid: CALL,
      TransfereeLinkedid: CALL,
      IsExternal: 'No',
      Context: 'from-internal',
      Extension: '601',
    },
    events: [{ type: 'transfer', occurredAt: '2024-06-04T10:06:40.500Z', interactionId: CALL, attrs: { kind: 'blind' } }],
  },
  {
    name: 'AttendedTransfer',
    event: {
      Event: 'AttendedTransfer',
      Timestamp: '1717495600.5',
      Result: 'Success',
      OrigTransfererChannel: 'PJSIP/2001-0000002b',
      OrigTransfererUniqueid: '1717495401.86',
      OrigTransfererLinkedid: CALL,
      TransfereeChannel: 'PJSIP/trunk-0000002a',
      TransfereeUniqueid: CALL,
      TransfereeLinkedid: CALL,
      DestType: 'Bridge',
      DestBridgeUniqueid: '8a4e2b1c-6f0d-4a8e-9d57-0b1f6b3c2d11',
    },
    events: [{ type: 'transfer', occurredAt: '2024-06-04T10:06:40.500Z', interactionId: CALL, attrs: { kind: 'attended' } }],
  },
];

/** AMI events accepted and listed as ignored. */
export const IGNORED_AMI = [
  { Event: 'QueueCallerLeave', Timestamp: '1717495401.4', ...channel, Queue: 'billing', Position: '1', Count: '0' },
  { Event: 'QueueMemberStatus', Timestamp: '1717495401.4', ...member, Status: '2', Paused: '0', InCall: '1' },
  { Event: 'Newchannel', Timestamp: '1717495364.1', ...channel },
  { Event: 'BlindTransfer', Timestamp: '1717495600.5', Result: 'Fail', TransfererLinkedid: CALL },
];
