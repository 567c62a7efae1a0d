import type { CampaignPolicy, DecisionReason } from '../../domain/outbound/policy';

/** One check as the Worker hands it over: the number already hashed under the tenant's salt, never the number. */
export interface OutboundCheck {
  campaignId: string;
  numberHash: string;
  /** The zones of the number (Google's map), used unless an explicit zone is given. */
  numberZones: string[];
  /** An explicit zone from the request: wins over the campaign's and the number's. */
  timeZone: string | null;
  at: number;
  /** Count the attempt if it is allowed (the dialer dials now). */
  record: boolean;
}

export interface OutboundCheckResult {
  allowed: boolean;
  reason: DecisionReason | 'unknown_time_zone' | null;
  nextAllowedAt: number | null;
  recorded: boolean;
  timeZones: string[];
}

/** The whole mirror, for a resync from Postgres. */
export interface OutboundMirror {
  campaigns: { id: string; policy: CampaignPolicy }[];
  doNotCall: string[];
  quietDays: string[];
}
