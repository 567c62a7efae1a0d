import type { TestTenant } from '../../factories';
import type { ApiResponse } from '../../helpers/api';

/** An ingest answer's counts, when the provider's answer carries them (Firehose and TwiML answers do not). */
export interface Counts {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** A provider's day: its deliveries, signed as the provider signs them, and its calls by role. */
export interface Day<D> {
  calls: Record<string, string>;
  deliveries: D[];
}

/**
 * What the conformance suite (test/webhooks/conformance.test.ts) needs from one provider: a tenant
 * with its connector, how the provider delivers, the common day of calls as that provider reports it,
 * and what Callboard must make of it. The suite runs the mechanics (first delivery, everything again,
 * shuffled into another tenant); the driver says what the provider's answers and records are.
 */
export interface ConformanceDriver<W extends { t: TestTenant }, D> {
  provider: string;
  /** The names `observe` gives the queue the calls join and the one the moved call ends in (sales, billing). */
  queues?: [string, string];
  setup(): Promise<W>;
  deliver(w: W, d: D): Promise<ApiResponse>;
  day(run: string): Day<D>;
  /** What the provider cannot report, sent through the generic ingest (before the deliveries are settled). */
  supplement?(w: W, calls: Record<string, string>): Promise<void>;
  /** Checks a first delivery's answer beyond its 200 (default: an ingest result with nothing rejected). */
  firstAnswer?(res: ApiResponse, d: D): void;
  /** The counts of an answer, or null when the provider's answer is not an ingest result. */
  counts?(res: ApiResponse, d: D): Counts | null;
  /** Checks the first pass's counts, one per delivery (null where the answer carries none). */
  expectCounts?(counts: (Counts | null)[], deliveries: D[]): void;
  /** A check in the middle of the first pass: before the delivery at `before` (negative: from the end). */
  midway?: { before: number; check(w: W): Promise<void> };
  /** What is observed: calls, live state and Postgres rows, with Callboard ids replaced by names. */
  observe(w: W, calls: Record<string, string>): Promise<unknown>;
  /**
   * The waits the provider's day gives the answered call, the moved call in the first queue and in the
   * second (default 9,950 ms), and how the moved call left the first queue (default `transferred`).
   */
  waits: { answered: number; moved: number; second?: number };
  movedOutcome?: string;
  /** The role of the call moved to the second queue (default `transferred`). */
  movedRole?: string;
  /** What Callboard must have made of the day, beyond the visits and counters the suite checks. */
  expectDay(got: any, calls: Record<string, string>): void;
  /**
   * For a provider that reports no agent states: the agent whose break comes through the generic
   * ingest, how the ingest names it (the provider's key, or the Callboard id), and a queue it serves.
   */
  ingestedBreak?(w: W): { agentId: string; ref: { agentKey: string } | { agentId: string }; queueId: string };
  /** The deliveries sent twice in the shuffled replay, and the shuffle's seed. */
  again: { twice(deliveries: D[]): D[]; seed: number };
}
