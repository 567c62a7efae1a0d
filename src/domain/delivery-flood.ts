/**
 * Bounds what deliveries whose signature failed can cost: anyone who knows a connector's URL can
 * send them. Each source gets a token bucket per connector (over it: 429 with Retry-After); each
 * connector logs at most a few of them a minute as rows, and counts the rest into one row per
 * connector and minute. Verified deliveries never pass through here, so a flood cannot crowd them
 * out. Pure: the caller keeps the state (in memory: it refills within a minute anyway).
 */
import type { DeliveryRecord } from './deliveries';
import { type Bucket, type RateLimitPolicy, takeTokens } from './rate-limit';

/** Unverified deliveries one source may send a connector before it is answered 429. */
export const UNVERIFIED_PER_SOURCE: RateLimitPolicy = { limit: 30, windowSeconds: 60 };
/** Unverified deliveries a connector logs as their own rows; the rest are counted. */
export const UNVERIFIED_LOGGED_PER_CONNECTOR: RateLimitPolicy = { limit: 10, windowSeconds: 60 };
/** The counted ones of this long go into one row. */
export const FLOOD_WINDOW_MS = 60_000;
/** Source buckets kept at most (a flood from many addresses must not grow memory without bound). */
export const MAX_SOURCE_BUCKETS = 10_000;
/** The reason of a row that counts unverified deliveries instead of logging them. */
export const FLOOD_REASON = 'UNVERIFIED_FLOOD';

type Record = Omit<DeliveryRecord, 'retentionDays'>;

interface Tally {
  record: Record;
  startedAtMs: number;
  byStatus: Map<number, number>;
}

export interface FloodDecision {
  /** The row to write (the delivery itself, or the window's updated count), with its outbox version. */
  write: { record: Record; version: number };
  /** Set when the source is over its limit: answer 429 with this Retry-After. */
  retryAfterSeconds: number | null;
}

export class UnverifiedFlood {
  private readonly sources = new Map<string, Bucket>();
  private readonly connectors = new Map<string, Bucket>();
  private readonly tallies = new Map<string, Tally>();

  /** Decides what becomes of an unverified delivery from `source` received at `nowMs`. */
  admit(record: Record, source: string, nowMs: number): FloodDecision {
    const sourceKey = `${record.connectorId}\n${source}`;
    if (!this.sources.has(sourceKey) && this.sources.size >= MAX_SOURCE_BUCKETS) this.sources.clear();
    const bySource = takeTokens(this.sources.get(sourceKey), UNVERIFIED_PER_SOURCE, nowMs);
    this.sources.set(sourceKey, bySource.bucket);
    const retryAfterSeconds = bySource.allowed ? null : bySource.retryAfterSeconds;
    if (bySource.allowed) {
      const logged = takeTokens(this.connectors.get(record.connectorId), UNVERIFIED_LOGGED_PER_CONNECTOR, nowMs);
      this.connectors.set(record.connectorId, logged.bucket);
      if (logged.allowed) return { write: { record, version: 1 }, retryAfterSeconds };
    }
    return { write: this.count(record, retryAfterSeconds === null ? record.httpStatus : 429, nowMs), retryAfterSeconds };
  }

  /** Forgets everything (the tenant's configuration was replaced). */
  clear(): void {
    this.sources.clear();
    this.connectors.clear();
    this.tallies.clear();
  }

  private count(record: Record, answered: number, nowMs: number): { record: Record; version: number } {
    let tally = this.tallies.get(record.connectorId);
    if (!tally || nowMs - tally.startedAtMs >= FLOOD_WINDOW_MS) {
      // The window's row takes the first counted delivery's id and time, and nothing of its content.
      tally = {
        startedAtMs: nowMs,
        byStatus: new Map(),
        record: {
          ...record,
          outcome: 'rejected',
          reason: FLOOD_REASON,
          url: record.url.split('?')[0] ?? '',
          contentType: null,
          headers: {},
          body: '',
          bodyTruncated: true,
          events: 0,
          accepted: 0,
          duplicates: 0,
          rejected: 0,
          ignored: [],
          suppressed: 0,
        },
      };
      this.tallies.set(record.connectorId, tally);
    }
    tally.byStatus.set(answered, (tally.byStatus.get(answered) ?? 0) + 1);
    const suppressed = (tally.record.suppressed ?? 0) + 1;
    const answers = [...tally.byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ');
    tally.record = {
      ...tally.record,
      suppressed,
      httpStatus: answered,
      detail:
        `${suppressed} deliveries whose signature failed, over the log's limit of ${UNVERIFIED_LOGGED_PER_CONNECTOR.limit} a minute ` +
        `(or ${UNVERIFIED_PER_SOURCE.limit} a minute from one source), were counted here and not kept; answered ${answers}.`,
    };
    return { record: tally.record, version: suppressed };
  }
}
