import { localParts } from '../../../src/domain/time/zones';

/**
 * Plivo callbacks as Plivo posts them (form-encoded). Shapes from Plivo's hangup_url callback, the
 * Dial element's callbackUrl parameters (DialAction, DialALegUUID, DialBLegUUID, DialBLegStatus,
 * DialBLegDuration, DialBLegHangupCause/Name/Code/Source, DialBLegFrom/To...; a real DialAnswer
 * capture is quoted in comments of public Plivo integrations) and the Dial action parameters.
 * Times are in the console's zone: these fixtures use America/New_York (EDT in June, UTC-4).
 */
export type Form = [string, string][];

export const CUSTOMER = '57a1b60a-5c0b-11e7-9082-ef888d0400e9';
export const AGENT_LEG = '8f3c2d10-5c0b-11e7-9a1e-0f2b6c1d7e55';
export const B_LEG = '0df857fe-2ffb-4f8f-818f-c2161eaf4933';

/** hangup_url of an inbound customer call. */
export const customerHangup: Form = [
  ['ALegRequestUUID', ''],
  ['ALegUUID', CUSTOMER],
  ['AnswerTime', '2024-06-04 15:32:05'],
  ['BillDuration', '185'],
  ['BillRate', '0.0085'],
  ['CallStatus', 'completed'],
  ['CallUUID', CUSTOMER],
  ['Direction', 'inbound'],
  ['Duration', '185'],
  ['EndTime', '2024-06-04 15:35:09'],
  ['Event', 'Hangup'],
  ['From', '14155550100'],
  ['HangupCause', 'NORMAL_CLEARING'],
  ['HangupCauseCode', '4000'],
  ['HangupCauseName', 'Normal Hangup'],
  ['HangupSource', 'Caller'],
  ['SessionStart', '2024-06-04 19:32:04.042713'],
  ['StartTime', '2024-06-04 15:32:04'],
  ['To', '14155550199'],
  ['TotalCost', '0.02890'],
];

/** hangup_url of an agent leg placed with the Call API that the agent answered. */
export const agentLegHangup: Form = [
  ['AnswerTime', '2024-06-04 15:32:31'],
  ['BillDuration', '154'],
  ['CallStatus', 'completed'],
  ['CallUUID', AGENT_LEG],
  ['Direction', 'outbound'],
  ['Duration', '154'],
  ['EndTime', '2024-06-04 15:35:05'],
  ['Event', 'Hangup'],
  ['From', '14155550199'],
  ['HangupCause', 'NORMAL_CLEARING'],
  ['HangupCauseCode', '4000'],
  ['HangupCauseName', 'Normal Hangup'],
  ['HangupSource', 'Callee'],
  ['RequestUUID', 'a7c6a4f4-5c0b-11e7-8e0e-0f2b6c1d7e55'],
  ['StartTime', '2024-06-04 15:32:20'],
  ['To', 'sip:alice240604@phone.plivo.com'],
];

/** hangup_url of an agent leg that rang out. */
export const agentLegNoAnswer: Form = [
  ['AnswerTime', ''],
  ['BillDuration', '0'],
  ['CallStatus', 'no-answer'],
  ['CallUUID', AGENT_LEG],
  ['Direction', 'outbound'],
  ['Duration', '0'],
  ['EndTime', '2024-06-04 15:32:50'],
  ['Event', 'Hangup'],
  ['HangupCause', 'NO_ANSWER'],
  ['HangupCauseCode', '3000'],
  ['HangupCauseName', 'No Answer'],
  ['HangupSource', 'Plivo'],
  ['StartTime', '2024-06-04 15:32:20'],
  ['To', 'sip:alice240604@phone.plivo.com'],
];

/** `<Dial callbackUrl>` when the B leg answers (the shape of a real capture). */
export const dialAnswer: Form = [
  ['CallUUID', CUSTOMER],
  ['DialALegUUID', CUSTOMER],
  ['DialAction', 'answer'],
  ['DialBLegBillRate', '0.01781'],
  ['DialBLegFrom', '+14155550100'],
  ['DialBLegPosition', '1'],
  ['DialBLegStatus', 'answer'],
  ['DialBLegTo', 'sip:alice240604@phone.plivo.com'],
  ['DialBLegUUID', B_LEG],
  ['Event', 'DialAnswer'],
];

/** `<Dial callbackUrl>` when the answered B leg hangs up. */
export const dialHangup: Form = [
  ['CallUUID', CUSTOMER],
  ['DialALegUUID', CUSTOMER],
  ['DialAction', 'hangup'],
  ['DialBLegBillDuration', '120'],
  ['DialBLegDuration', '118'],
  ['DialBLegFrom', '+14155550100'],
  ['DialBLegHangupCause', 'NORMAL_CLEARING'],
  ['DialBLegHangupCauseCode', '4000'],
  ['DialBLegHangupCauseName', 'Normal Hangup'],
  ['DialBLegHangupSource', 'Callee'],
  ['DialBLegPosition', '1'],
  ['DialBLegStatus', 'hangup'],
  ['DialBLegTo', 'sip:alice240604@phone.plivo.com'],
  ['DialBLegUUID', B_LEG],
  ['Event', 'DialHangup'],
];

/** `<Dial callbackUrl>` when the B leg rang out. */
export const dialNoAnswer: Form = [
  ['CallUUID', CUSTOMER],
  ['DialALegUUID', CUSTOMER],
  ['DialAction', 'hangup'],
  ['DialBLegBillDuration', '0'],
  ['DialBLegDuration', '0'],
  ['DialBLegHangupCause', 'NO_ANSWER'],
  ['DialBLegHangupCauseCode', '3000'],
  ['DialBLegHangupCauseName', 'No Answer'],
  ['DialBLegHangupSource', 'Plivo'],
  ['DialBLegStatus', 'hangup'],
  ['DialBLegTo', 'sip:alice240604@phone.plivo.com'],
  ['DialBLegUUID', B_LEG],
  ['Event', 'DialHangup'],
];

/** Requests Callboard accepts and ignores. */
export const answerUrl: Form = [
  ['CallStatus', 'in-progress'],
  ['CallUUID', CUSTOMER],
  ['Direction', 'inbound'],
  ['Event', 'StartApp'],
  ['From', '14155550100'],
  ['To', '14155550199'],
];
export const dialAction: Form = [
  ['DialALegUUID', CUSTOMER],
  ['DialBLegUUID', B_LEG],
  ['DialHangupCause', 'NORMAL_CLEARING'],
  ['DialRingStatus', 'true'],
  ['DialStatus', 'completed'],
  ['Event', 'Redirect'],
];
export const dialDigits: Form = [
  ['CallUUID', CUSTOMER],
  ['DialALegUUID', CUSTOMER],
  ['DialAction', 'digits'],
  ['DialBLegUUID', B_LEG],
  ['DialDigitsMatch', '123'],
  ['DialDigitsPressedBy', 'ALeg'],
  ['Event', 'DialDigitsMatch'],
];
export const ringUrl: Form = [
  ['CallStatus', 'ringing'],
  ['CallUUID', AGENT_LEG],
  ['Direction', 'outbound'],
  ['Event', 'Ring'],
  ['From', '14155550199'],
  ['To', 'sip:alice240604@phone.plivo.com'],
];

/** A form body as Plivo encodes it (`+` for spaces). */
export const formBody = (form: Form) => new URLSearchParams(form).toString();

/**
 * A known-answer vector, computed outside Callboard with Node's crypto by the documented algorithm
 * (plivo.oracle.test.ts checks it against plivo's own validateV3Signature): POST
 * `https://callboard.example.com/v1/webhooks/plivo/con_t_1?queue=billing` with `customerHangup`.
 */
export const KNOWN_ANSWER = {
  authToken: 'MzY1ZjVkZTQtYjA5OS00NzNlLTk0NjEtNDBkNjJmN2RmYTEx',
  url: 'https://callboard.example.com/v1/webhooks/plivo/con_t_1?queue=billing',
  nonce: '05429567804466091622',
  signature: 'Jl8SJRpDzVauSvrkIXR5kzIUeLBDludt4LBEoRzYz6U=',
};

/** An instant as Plivo writes it: `yyyy-MM-dd HH:mm:ss` in the console's time zone, no offset. */
export function plivoLocalTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** A hangup_url callback for one leg, times as epoch ms written in `timeZone`. */
export function hangupForm(o: {
  uuid: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  start: number;
  answer: number | null;
  end: number;
  source: string;
  timeZone: string;
}): Form {
  const answered = o.answer !== null;
  const seconds = answered ? Math.round((o.end - (o.answer as number)) / 1000) : 0;
  const local = (ms: number) => plivoLocalTime(ms, o.timeZone);
  return [
    ['AnswerTime', answered ? local(o.answer as number) : ''],
    ['BillDuration', String(seconds)],
    ['CallStatus', answered ? 'completed' : 'no-answer'],
    ['CallUUID', o.uuid],
    ['Direction', o.direction],
    ['Duration', String(seconds)],
    ['EndTime', local(o.end)],
    ['Event', 'Hangup'],
    ['From', o.from],
    ['HangupCause', answered ? 'NORMAL_CLEARING' : 'NO_ANSWER'],
    ['HangupCauseCode', answered ? '4000' : '3000'],
    ['HangupCauseName', answered ? 'Normal Hangup' : 'No Answer'],
    ['HangupSource', o.source],
    // The session's start, which Plivo writes in UTC, with microseconds (a few ms after StartTime's second).
    ['SessionStart', new Date(o.start + 42).toISOString().replace('T', ' ').replace('Z', '713')],
    ['StartTime', local(o.start)],
    ['To', o.to],
  ];
}
