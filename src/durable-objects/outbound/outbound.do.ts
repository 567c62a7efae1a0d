import type { CampaignPolicy } from '../../domain/outbound/policy';
import { decide, WEEK_MS } from '../../domain/outbound/policy';
import type { Env } from '../../env';
import type { Logger } from '../../lib/log';
import type { HistorySink } from '../ports';
import { SqlDurableObject } from '../sql-object';
import type { OutboundPort } from './outbound.client';
import { OUTBOUND_MIGRATIONS } from './outbound.migrations';
import type { OutboundCheck, OutboundCheckResult, OutboundMirror } from './outbound.types';
import { PolicyStore } from './policy-store';

/**
 * One per tenant, named by the tenant id: the outbound contact policy in a dialer's hot path (docs/outbound.md).
 * A thin RPC shell over `PolicyStore` (the mirror of campaigns, do-not-call hashes and quiet days, written through
 * from Postgres; the recorded attempts) and the pure `decide`. A check is one synchronous storage transaction, so
 * concurrent checks of one number are serialized and a cap is never overrun. Postgres is never read here.
 */
export class OutboundDO extends SqlDurableObject implements OutboundPort {
  private readonly store = new PolicyStore(this.sql);

  constructor(ctx: DurableObjectState, env: Env, sink: HistorySink) {
    // A tenant without campaigns gets no storage: checking against it stays a read.
    super(ctx, env, OUTBOUND_MIGRATIONS, sink);
  }

  /** Answers a check; records the attempt when asked and allowed. Null when the campaign is not a live one. */
  check(input: OutboundCheck): OutboundCheckResult | null {
    if (!this.ready) return null;
    return this.transact(() => {
      const policy = this.store.campaign(input.campaignId);
      if (!policy) return null;
      const zones = input.timeZone ? [input.timeZone] : policy.timeZone ? [policy.timeZone] : input.numberZones;
      if (zones.length === 0) {
        return { allowed: false, reason: 'unknown_time_zone', nextAllowedAt: null, recorded: false, timeZones: [] };
      }
      const decision = decide({
        policy,
        zones,
        quietDays: this.store.quietDays(),
        doNotCall: this.store.onDoNotCall(input.numberHash),
        recent: this.store.recentAttempts(input.numberHash, input.at - WEEK_MS),
        campaignAttempts: this.store.campaignAttempts(input.numberHash, input.campaignId),
        at: input.at,
      });
      const recorded = decision.allowed && input.record;
      if (recorded) this.store.recordAttempt(input.numberHash, input.campaignId, input.at);
      return { ...decision, recorded, timeZones: zones };
    });
  }

  /** A campaign as an admin left it; null removes it (archived). */
  putCampaign(tenantId: string, id: string, policy: CampaignPolicy | null): void {
    if (!policy && !this.ready) return;
    this.ensureSchema();
    this.transact(() => {
      this.store.setTenant(tenantId);
      this.store.putCampaign(id, policy);
    });
  }

  /** Adds (or with `remove`, takes off) salted number hashes to the do-not-call list. */
  changeDoNotCall(tenantId: string, hashes: string[], remove = false): void {
    if (remove && !this.ready) return;
    this.ensureSchema();
    this.transact(() => {
      this.store.setTenant(tenantId);
      if (remove) this.store.removeDoNotCall(hashes);
      else this.store.addDoNotCall(hashes);
    });
  }

  setQuietDays(tenantId: string, days: string[]): void {
    this.ensureSchema();
    this.transact(() => {
      this.store.setTenant(tenantId);
      this.store.setQuietDays(days);
    });
  }

  /** The whole mirror from Postgres (a resync); recorded attempts stay. */
  replaceMirror(tenantId: string, mirror: OutboundMirror): void {
    if (!this.ready && mirror.campaigns.length === 0) return;
    this.ensureSchema();
    this.transact(() => {
      this.store.setTenant(tenantId);
      this.store.replaceAll(mirror.campaigns, mirror.doNotCall, mirror.quietDays);
    });
  }

  protected alarmParts(): { parts: []; log: Logger } | null {
    return null;
  }
}
