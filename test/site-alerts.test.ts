import { describe, expect, it } from 'vitest';
import { liveHubStub } from '../src/durable-objects/live/live-hub.client';
import { createQueue, createSite, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { env } from './helpers/env';
import { callId, sendEvents, settle } from './helpers/ingest';

const iso = (ms: number) => new Date(ms).toISOString();

/** A caller who joins a queue at an instant and hangs up 5 s later. */
function abandoned(queueId: string, at: number) {
  const id = callId('site-anomaly');
  return [
    { id: `${id}:j`, type: 'queue.joined', occurredAt: iso(at), interactionId: id, queueId },
    {
      id: `${id}:l`,
      type: 'queue.left',
      occurredAt: iso(at + 5000),
      interactionId: id,
      queueId,
      attrs: { outcome: 'abandoned' },
    },
  ];
}

describe('alert rules scoped to a site', () => {
  it("an anomaly rule over a site judges its queues' last hour together against their past weeks together", async () => {
    const t = await createTenant();
    const site = await createSite(t);
    const other = await createSite(t);
    const a = await createQueue(t, { siteId: site.id });
    const b = await createQueue(t, { siteId: site.id });
    const elsewhere = await createQueue(t, { siteId: other.id });
    // A week ago in the hour before now: 1 caller in A and 3 in B (the site's normal hour: 4); 20 at another site.
    const weekAgo = Date.now() - 7 * 86_400_000 - 10 * 60_000;
    const now = Date.now() - 10 * 60_000;
    await sendEvents(t.admin, [
      ...abandoned(a.id, weekAgo),
      ...[0, 1, 2].flatMap((i) => abandoned(b.id, weekAgo + i * 1000)),
      ...Array.from({ length: 20 }, (_, i) => abandoned(elsewhere.id, weekAgo + i * 1000)).flat(),
      // Now: one caller in A. Below half of 4 for the site; not below half of A's own normal (1).
      ...abandoned(a.id, now),
    ]);
    await settle(t);
    const rule = (scope: Record<string, unknown>) =>
      t.admin.post('/v1/alert-rules', {
        name: `quiet ${scope.kind}`,
        scope,
        condition: { type: 'anomaly', measure: 'offered', direction: 'below', factor: 2 },
      });
    const siteRule = await rule({ kind: 'site', id: site.id });
    expect(siteRule.status, siteRule.text).toBe(201);
    expect(siteRule.body).toMatchObject({ forecastUntil: null });
    expect(siteRule.body.baselineComputedAt).not.toBeNull();
    const queueRule = await rule({ kind: 'queue', id: a.id });
    expect(queueRule.status, queueRule.text).toBe(201);
    const hub = liveHubStub(env, t.id);
    await expect.poll(async () => (await hub.openAlerts()).map((x) => [x.ruleId, x.value])).toEqual([[siteRule.body.id, 1]]);
  });

  it('refuses a site anomaly rule against the forecast, and an unknown site', async () => {
    const t = await createTenant();
    const site = await createSite(t);
    const forecast = await t.admin.post('/v1/alert-rules', {
      name: 'site forecast',
      scope: { kind: 'site', id: site.id },
      condition: { type: 'anomaly', measure: 'offered', against: 'forecast' },
    });
    expectProblem(forecast, 422, 'VALIDATION_FAILED');
    expect(forecast.body.errors[0].pointer).toBe('/condition/against');
    const team = await t.admin.post('/v1/alert-rules', {
      name: 'team anomaly',
      scope: { kind: 'team', id: 'tem_x' },
      condition: { type: 'anomaly', measure: 'offered' },
    });
    expectProblem(team, 422, 'VALIDATION_FAILED');
    expect(team.body.errors[0].pointer).toBe('/scope/kind');
    const unknown = await t.admin.post('/v1/alert-rules', {
      name: 'nowhere',
      scope: { kind: 'site', id: 'sit_nowhere' },
      condition: { type: 'anomaly', measure: 'offered', against: 'history' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe('/scope/id');
  });
});
