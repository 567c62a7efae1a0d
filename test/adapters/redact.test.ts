import { describe, expect, it } from 'vitest';
import { redactAmazonConnect } from '../../src/adapters/telephony/amazon-connect/amazon-connect.redact';
import { redactAsterisk } from '../../src/adapters/telephony/asterisk/asterisk.redact';
import { redactFreeswitch } from '../../src/adapters/telephony/freeswitch/freeswitch.redact';
import { redactGeneric } from '../../src/adapters/telephony/generic/generic.redact';
import { redactPlivo } from '../../src/adapters/telephony/plivo/plivo.redact';
import { redactTelnyx } from '../../src/adapters/telephony/telnyx/telnyx.redact';
import { redactTwilio } from '../../src/adapters/telephony/twilio/twilio.redact';
import { redactVonage } from '../../src/adapters/telephony/vonage/vonage.redact';
import { base64Decode, base64Encode } from '../../src/lib/base64';

const FORM = 'application/x-www-form-urlencoded';
const NUMBERS = ['14155550100', '14155550199', '13125550100', '14845552121', '16105553939', '420601234567'];
const expectNoNumber = (text: string) => {
  for (const n of NUMBERS) expect(text.replace(/[^\d]/g, ' ')).not.toContain(n);
};

describe('redacting phone numbers from stored bodies', () => {
  it('Twilio forms: From/To/Caller/Called masked in place, every other pair byte for byte, TaskAttributes inside', () => {
    const raw =
      'AccountSid=AC5e&CallSid=CA0a&CallStatus=completed&Called=%2B14155550199&Caller=%2B14155550100' +
      '&From=%2B14155550100&To=%2B14155550199&Direction=inbound&CallerName=client%3Aalice' +
      `&TaskAttributes=${encodeURIComponent('{"call_sid":"CA0a","from":"+14155550100"}')}`;
    const out = redactTwilio(raw, FORM);
    expectNoNumber(out);
    const form = new URLSearchParams(out);
    expect(form.get('From')).toBe('+141******00');
    expect(form.get('Called')).toBe('+141******99');
    expect(JSON.parse(form.get('TaskAttributes') ?? '')).toEqual({ call_sid: 'CA0a', from: '+141******00' });
    expect(out.startsWith('AccountSid=AC5e&CallSid=CA0a&CallStatus=completed&')).toBe(true);
    expect(form.get('CallerName')).toBe('client:alice');
    expect([...form.keys()]).toEqual([...new URLSearchParams(raw).keys()]);
  });

  it('Telnyx and Vonage JSON: from/to masked, a SIP address without a number kept', () => {
    const telnyx = JSON.stringify({
      data: {
        event_type: 'call.initiated',
        payload: { from: '+13125550100', to: 'sip:alice@acme.sip.telnyx.com', call_control_id: 'v3:x' },
      },
    });
    const t = JSON.parse(redactTelnyx(telnyx, 'application/json'));
    expect(t.data.payload).toEqual({ from: '+131******00', to: 'sip:alice@acme.sip.telnyx.com', call_control_id: 'v3:x' });
    const vonage = '{"from":"14845552121","to":"16105553939","uuid":"0A01","status":"started"}';
    const v = redactVonage(vonage, 'application/json');
    expectNoNumber(v);
    expect(JSON.parse(v)).toMatchObject({ uuid: '0A01', status: 'started' });
    const nothing = '{"uuid":"0A01","status":"answered"}';
    expect(redactVonage(nothing, 'application/json')).toBe(nothing);
  });

  it('Plivo forms', () => {
    const raw = 'CallUUID=57a1&From=14155550100&To=14155550199&Direction=inbound&CallStatus=completed&HangupSource=Caller';
    const out = redactPlivo(raw, FORM);
    expectNoNumber(out);
    expect(out).toBe('CallUUID=57a1&From=1415*****00&To=1415*****99&Direction=inbound&CallStatus=completed&HangupSource=Caller');
  });

  it('Amazon Connect: EventBridge events and base64 Firehose records', () => {
    const event = {
      'detail-type': 'Amazon Connect Contact Event',
      detail: { contactId: 'c1', customerEndpoint: { address: '+14155550100', type: 'TELEPHONE_NUMBER' } },
    };
    const direct = redactAmazonConnect(JSON.stringify(event), 'application/json');
    expectNoNumber(direct);
    expect(JSON.parse(direct).detail.customerEndpoint).toEqual({ address: '+141******00', type: 'TELEPHONE_NUMBER' });
    const firehose = JSON.stringify({
      requestId: 'r1',
      timestamp: 1,
      records: [{ data: base64Encode(new TextEncoder().encode(JSON.stringify(event))) }],
    });
    const out = JSON.parse(redactAmazonConnect(firehose, 'application/json'));
    expect(out.requestId).toBe('r1');
    const decoded = new TextDecoder().decode(base64Decode(out.records[0].data) ?? new Uint8Array());
    expectNoNumber(decoded);
    expect(JSON.parse(decoded).detail.contactId).toBe('c1');
  });

  it('Asterisk queue_log and AMI, FreeSWITCH events', () => {
    const log =
      '1700000000|1700000000.1|sales|NONE|ENTERQUEUE||+420601234567|1\n1700000005|1700000000.1|sales|NONE|ABANDON|1|1|5';
    const out = redactAsterisk(log, 'text/plain');
    expectNoNumber(out);
    expect(out).toBe(
      '1700000000|1700000000.1|sales|NONE|ENTERQUEUE||+420*******67|1\n1700000005|1700000000.1|sales|NONE|ABANDON|1|1|5',
    );
    const ami = redactAsterisk('{"Event":"QueueCallerJoin","CallerIDNum":"14155550100","Queue":"sales"}', 'application/json');
    expectNoNumber(ami);
    const fs = redactFreeswitch(
      JSON.stringify({
        'CC-Action': 'member-queue-start',
        'CC-Member-CID-Number': '14155550100',
        'Caller-ANI': '14155550100',
        'Caller-Caller-ID-Number': '14155550100',
      }),
      'application/json',
    );
    expectNoNumber(fs);
    expect(JSON.parse(fs)['CC-Action']).toBe('member-queue-start');
  });

  it('generic batches: each event caller', () => {
    const raw = JSON.stringify({
      events: [
        { id: 'e1', type: 'interaction.started', interactionId: 'c1', caller: '+420 601 234 567' },
        { id: 'e2', type: 'interaction.started', interactionId: 'c2', caller: 'anonymous' },
      ],
    });
    const out = JSON.parse(redactGeneric(raw, 'application/json'));
    expect(out.events.map((e: { caller: string }) => e.caller)).toEqual(['+420*******67', 'anonymous']);
  });

  it('masks long digit runs in a body no adapter can read, and never throws', () => {
    expectNoNumber(redactTwilio('garbage +14155550100 %E0%A4%A', 'text/plain'));
    expect(redactTwilio('a=%E0%A4%A&From=%2B14155550100', FORM)).toBe('a=%E0%A4%A&From=%2B141******00');
  });
});
