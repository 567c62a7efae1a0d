import { describe, expect, it } from 'vitest';
import { MAX_UNVERIFIED_BODY } from '../src/domain/deliveries';
import { createQueue, createTenant } from './factories';
import { call, expectProblem } from './helpers/api';
import { asTenant } from './helpers/db';
import { abandonedCall, callId, settle } from './helpers/ingest';
import { deliverSigned } from './helpers/webhooks';

async function setup() {
  const t = await createTenant();
  const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
  expect(res.status, res.text).toBe(201);
  return { t, q, connector: res.body as { id: string; secret: string } };
}

describe('the delivery log stores only what Postgres can hold', () => {
  it('an unsigned delivery with a NUL byte and a cut surrogate pair is logged escaped, and history keeps flowing', async () => {
    const { t, q, connector } = await setup();
    // A lone surrogate cannot come out of the UTF-8 decoder, but a cut at the unverified body limit makes one.
    const start = '{"events": "a\u0000b", "pad": "';
    const poison = `${start}${'x'.repeat(MAX_UNVERIFIED_BODY - start.length - 1)}😀😀"}`;
    const unsigned = await call('POST', `/v1/webhooks/generic/${connector.id}`, {
      rawBody: poison,
      headers: { 'Content-Type': 'application/json' },
    });
    expectProblem(unsigned, 401, 'SIGNATURE_MISSING');
    const id = callId('after-nul');
    const ok = await deliverSigned(connector, JSON.stringify({ events: abandonedCall(id, q.id, 20) }));
    expect(ok.status, ok.text).toBe(200);
    await settle(t);

    const list = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data as {
      body: string;
      verified: boolean;
    }[];
    expect(list.map((d) => d.verified)).toEqual([true, false]);
    const stored = list[1]?.body ?? '';
    expect(stored.startsWith('{"events": "a\\u0000b"')).toBe(true);
    expect(stored.includes('\u0000')).toBe(false);
    expect(stored.endsWith('x\ufffd')).toBe(true);
    const events = await asTenant(t.id, (sql) => sql('SELECT count(*)::int AS n FROM events WHERE interaction_id = $1', [id]));
    expect(events).toEqual([{ n: 4 }]);
  });
});
