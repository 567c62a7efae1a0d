import { describe, expect, it } from 'vitest';
import {
  isFormType,
  isJsonType,
  isTextType,
  looksLikeJson,
  parseForm,
  parseJsonBody,
} from '../../src/adapters/telephony/kit/body';
import { event, type Fact, fact, finish } from '../../src/adapters/telephony/kit/event';
import { verifyGeneratedSecret } from '../../src/adapters/telephony/kit/standard-webhooks';
import { type AdapterContext, AdapterInputError, type InboundRequest } from '../../src/adapters/telephony/types';
import { WireEventSchema } from '../../src/domain/events/wire';

const request = (rawBody: string, contentType: string | null, headers: Record<string, string> = {}): InboundRequest => ({
  method: 'POST',
  url: 'https://callboard.test/v1/webhooks/generic/con_x',
  headers: new Headers(headers),
  rawBody,
  contentType,
});

describe('adapter kit: the typed event builder', () => {
  it('requires what each type needs at compile time, as the wire schema does at run time', () => {
    // @ts-expect-error a queue event needs its interaction
    const noInteraction: Fact<'queue.left'> = { type: 'queue.left', queueKey: 'sales', attrs: { outcome: 'answered' } };
    // @ts-expect-error a queue event needs its queue
    const noQueue: Fact<'queue.joined'> = { type: 'queue.joined', interactionId: 'c1' };
    // @ts-expect-error an agent event needs its agent
    const noAgent: Fact<'agent.connected'> = { type: 'agent.connected', interactionId: 'c1' };
    // @ts-expect-error queue.left needs its outcome
    const noAttrs: Fact<'queue.left'> = { type: 'queue.left', interactionId: 'c1', queueKey: 'sales' };
    // @ts-expect-error an interaction id is a string, never null
    fact('hold.started', undefined, { interactionId: null });
    // Presence needs no interaction; hold needs no queue or agent.
    const presence: Fact<'agent.state_changed'> = { type: 'agent.state_changed', agentKey: 'alice', attrs: { state: 'away' } };
    const hold: Fact<'hold.started'> = { type: 'hold.started', interactionId: 'c1' };
    for (const f of [noInteraction, noQueue, noAgent, noAttrs]) {
      expect(WireEventSchema.safeParse(finish(f, 'e1', 0)).success).toBe(false);
    }
    for (const f of [presence, hold]) expect(WireEventSchema.safeParse(finish(f, 'e1', 0)).success).toBe(true);
  });

  it('leaves empty references and undefined fields out, and says where an instant came from only when not the provider', () => {
    const f = fact('queue.joined', undefined, { interactionId: 'c1', queueKey: '', legId: 'l1' });
    expect(f).toEqual({ type: 'queue.joined', interactionId: 'c1', legId: 'l1' });
    expect(WireEventSchema.safeParse(finish(f, 'e1', 0)).error?.issues.map((i) => i.path)).toEqual([['queueId']]);
    const left = finish(
      { type: 'queue.left', interactionId: 'c1', queueKey: 'q', caller: undefined, attrs: { outcome: 'abandoned' } },
      'e2',
      1000,
      'received',
    );
    expect(left).toStrictEqual({
      id: 'e2',
      occurredAt: '1970-01-01T00:00:01.000Z',
      type: 'queue.left',
      interactionId: 'c1',
      queueKey: 'q',
      attrs: { outcome: 'abandoned' },
      occurredAtSource: 'received',
    });
    expect(finish(f, 'e3', 0)).not.toHaveProperty('occurredAtSource');
    expect(event({ id: 'e4', occurredAt: '1970-01-01T00:00:00.000Z', type: 'hold.ended', interactionId: 'c1' })).toEqual({
      id: 'e4',
      occurredAt: '1970-01-01T00:00:00.000Z',
      type: 'hold.ended',
      interactionId: 'c1',
    });
  });
});

describe('adapter kit: bodies', () => {
  it('names media types with their parameters, and sniffs JSON', () => {
    expect(isFormType('application/x-www-form-urlencoded; charset=utf-8')).toBe(true);
    expect(isFormType(null)).toBe(false);
    expect(isJsonType('application/cloudevents-batch+json')).toBe(true);
    expect(isJsonType('text/json')).toBe(false);
    expect(isTextType('text/plain;charset=UTF-8')).toBe(true);
    expect([looksLikeJson('  [{}]'), looksLikeJson('{'), looksLikeJson('a=1')]).toEqual([true, true, false]);
    expect(parseForm('a=1&b=x+y&a=2')).toEqual([
      ['a', '1'],
      ['b', 'x y'],
      ['a', '2'],
    ]);
  });

  it('parses JSON, refusing another media type with 415 and bad JSON with 400 MALFORMED_JSON', () => {
    expect(parseJsonBody(request('{"a":1}', null))).toEqual({ a: 1 });
    expect(parseJsonBody(request('[1]', 'application/json; charset=utf-8'))).toEqual([1]);
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof AdapterInputError ? [err.status, err.code ?? null] : err;
      }
      return null;
    };
    expect(refused(() => parseJsonBody(request('{}', 'text/plain')))).toEqual([415, null]);
    expect(refused(() => parseJsonBody(request('{"a":', 'application/json')))).toEqual([400, 'MALFORMED_JSON']);
  });
});

describe('adapter kit: Standard Webhooks', () => {
  it("verifies against each live credential's generated secret, current first", async () => {
    const ctx = (secrets: string[]): AdapterContext => ({
      connectorId: 'con_x',
      credentials: secrets.map((secret) => ({ secret })),
      options: {},
      nowMs: Date.now(),
    });
    const secret = `whsec_${btoa('0123456789abcdef0123456789abcdef')}`;
    const previous = `whsec_${btoa('fedcba9876543210fedcba9876543210')}`;
    const id = 'msg_1';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = await crypto.subtle.importKey(
      'raw',
      Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.{}`));
    const signature = `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
    const signed = request('{}', 'application/json', {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
    });
    expect(await verifyGeneratedSecret(signed, ctx([previous, secret]))).toEqual({ ok: true, credentialIndex: 1 });
    expect(await verifyGeneratedSecret(signed, ctx([previous]))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifyGeneratedSecret(request('{}', 'application/json'), ctx([secret]))).toMatchObject({
      ok: false,
      reason: 'missing',
    });
  });
});
