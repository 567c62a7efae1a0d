import type { CampaignPolicy } from '../../domain/outbound/policy';
import { WEEK_MS } from '../../domain/outbound/policy';

/** Attempts older than this are forgotten (the longest window read is 7 days). */
export const ATTEMPT_RETENTION_MS = WEEK_MS + 86_400_000;
/** Old attempts deleted per recorded one: pruning keeps pace without an alarm. */
const PRUNE_BATCH = 64;

/**
 * The OutboundDO's state: the mirror of the tenant's campaigns, do-not-call hashes and quiet days, and the
 * attempts the dialer recorded. Takes the `SqlStorage`, never opens a transaction (the shell does). Campaigns and
 * quiet days are also kept in memory: every check reads them.
 */
export class PolicyStore {
  private campaignCache = new Map<string, CampaignPolicy | null>();
  private quietCache: Set<string> | null = null;

  constructor(private readonly sql: SqlStorage) {}

  setTenant(tenantId: string): void {
    this.sql.exec(
      'INSERT INTO config (id, tenant_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id',
      tenantId,
    );
  }

  campaign(id: string): CampaignPolicy | null {
    if (!this.campaignCache.has(id)) {
      const row = this.sql.exec<{ body: string }>('SELECT body FROM campaigns WHERE id = ?', id).toArray()[0];
      this.campaignCache.set(id, row ? (JSON.parse(row.body) as CampaignPolicy) : null);
    }
    return this.campaignCache.get(id) ?? null;
  }

  putCampaign(id: string, policy: CampaignPolicy | null): void {
    if (policy) {
      this.sql.exec(
        'INSERT INTO campaigns (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
        id,
        JSON.stringify(policy),
      );
    } else this.sql.exec('DELETE FROM campaigns WHERE id = ?', id);
    this.campaignCache.delete(id);
  }

  quietDays(): Set<string> {
    this.quietCache ??= new Set(
      this.sql
        .exec<{ day: string }>('SELECT day FROM quiet_days')
        .toArray()
        .map((r) => r.day),
    );
    return this.quietCache;
  }

  setQuietDays(days: readonly string[]): void {
    this.sql.exec('DELETE FROM quiet_days');
    for (const day of days) this.sql.exec('INSERT OR IGNORE INTO quiet_days (day) VALUES (?)', day);
    this.quietCache = null;
  }

  onDoNotCall(hash: string): boolean {
    return this.sql.exec('SELECT 1 FROM do_not_call WHERE number_hash = ?', hash).toArray().length > 0;
  }

  addDoNotCall(hashes: readonly string[]): void {
    for (const h of hashes) this.sql.exec('INSERT OR IGNORE INTO do_not_call (number_hash) VALUES (?)', h);
  }

  removeDoNotCall(hashes: readonly string[]): void {
    for (const h of hashes) this.sql.exec('DELETE FROM do_not_call WHERE number_hash = ?', h);
  }

  replaceAll(
    campaigns: { id: string; policy: CampaignPolicy }[],
    doNotCall: readonly string[],
    quietDays: readonly string[],
  ): void {
    this.sql.exec('DELETE FROM campaigns');
    this.sql.exec('DELETE FROM do_not_call');
    this.campaignCache.clear();
    for (const c of campaigns) this.putCampaign(c.id, c.policy);
    this.addDoNotCall(doNotCall);
    this.setQuietDays(quietDays);
  }

  /** The number's attempts (any campaign) since `since`. */
  recentAttempts(hash: string, since: number): number[] {
    return this.sql
      .exec<{ at: number }>('SELECT at FROM attempts WHERE number_hash = ? AND at > ? ORDER BY at', hash, since)
      .toArray()
      .map((r) => r.at);
  }

  campaignAttempts(hash: string, campaignId: string): number {
    const row = this.sql
      .exec<{ n: number }>('SELECT n FROM campaign_attempts WHERE number_hash = ? AND campaign_id = ?', hash, campaignId)
      .toArray()[0];
    return row?.n ?? 0;
  }

  /** Records an attempt and forgets a few attempts older than the retention before it (`at` is about now for a dialer). */
  recordAttempt(hash: string, campaignId: string, at: number): void {
    this.sql.exec('INSERT INTO attempts (number_hash, campaign_id, at) VALUES (?, ?, ?)', hash, campaignId, at);
    this.sql.exec(
      `INSERT INTO campaign_attempts (number_hash, campaign_id, n) VALUES (?, ?, 1)
       ON CONFLICT (number_hash, campaign_id) DO UPDATE SET n = n + 1`,
      hash,
      campaignId,
    );
    this.sql.exec(
      'DELETE FROM attempts WHERE seq IN (SELECT seq FROM attempts WHERE at < ? ORDER BY at LIMIT ?)',
      at - ATTEMPT_RETENTION_MS,
      PRUNE_BATCH,
    );
  }
}
