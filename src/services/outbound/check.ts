import type { OutboundCheckInput } from '../../contracts/outbound';
import { invalid, notFound } from '../../domain/errors';
import type { DecisionReason } from '../../domain/outbound/policy';
import { callOutbound } from '../../durable-objects/outbound/outbound.client';
import type { ServiceContext } from '../context';
import { hashCaller } from '../ingest/caller-hash';
import { parseCalleeNumber } from './number-zones';

export interface CheckAnswer {
  allowed: boolean;
  reason: DecisionReason | 'unknown_time_zone' | null;
  nextAllowedAt: string | null;
  recorded: boolean;
  timeZones: string[];
}

/**
 * May the campaign call the number at `at` (docs/outbound.md)? The number is parsed and its zones looked up here,
 * hashed under the tenant's caller salt (from the hot config the key check returned), and judged by the tenant's
 * OutboundDO: one RPC, no Postgres.
 */
export async function checkOutbound(ctx: ServiceContext, callerSalt: string, input: OutboundCheckInput): Promise<CheckAnswer> {
  const number = parseCalleeNumber(input.number);
  if (!number)
    throw invalid([{ in: 'body', pointer: '/number', detail: 'Not a valid phone number in E.164 (+ and the country code).' }]);
  const { hash } = await hashCaller(callerSalt, number.e164);
  const at = input.at ? Date.parse(input.at) : ctx.now.getTime();
  const result = await callOutbound(ctx.env, ctx.tenantId, (s) =>
    s.check({
      campaignId: input.campaignId,
      numberHash: hash,
      numberZones: number.zones,
      timeZone: input.timeZone ?? null,
      at,
      record: input.record,
    }),
  );
  if (!result) throw notFound('campaign', input.campaignId);
  return { ...result, nextAllowedAt: result.nextAllowedAt === null ? null : new Date(result.nextAllowedAt).toISOString() };
}
