import type { KpiQuery } from '../../contracts/kpis';
import type { KpiPolicy } from '../../domain/kpi/compute';
import type { ServiceLevelPolicy } from '../../domain/settings';

/** The policy fields a KPI request may override (the same names on every KPI route). */
export type PolicyOverrides = Pick<
  KpiQuery,
  | 'serviceLevel.thresholdSeconds'
  | 'serviceLevel.shortAbandonSeconds'
  | 'serviceLevel.abandonsInDenominator'
  | 'serviceLevel.excludeShortAbandons'
  | 'serviceLevel.flowOutsInDenominator'
  | 'serviceLevel.abandonsWithinThresholdMet'
  | 'csatSatisfiedScore'
>;

/**
 * The request's service-level fields and CSAT score over a base policy (the tenant's, or a queue's), with the
 * tenant's complaint and right-party categories (both applied at query time, so a change applies to all history).
 *
 * CSAT's satisfied threshold, per response, in this order (`satisfiedFloor`, src/domain/kpi/compute.ts):
 * 1. the survey's own `satisfiedScore` (`POST /v1/surveys`, or the event's attrs): it was given on the survey's
 *    scale, for its question, so a request's single number does not override it;
 * 2. the request's `csatSatisfiedScore`, for responses that gave none (a tenant mixing scales should set the
 *    threshold per survey instead);
 * 3. top-2-box on the response's own scale (score ≥ scaleMax − 1).
 */
export function withOverrides(
  base: ServiceLevelPolicy,
  q: PolicyOverrides,
  complaintCategories: readonly string[] = [],
  rightPartyCategories: readonly string[] = [],
): KpiPolicy {
  const o = {
    thresholdSeconds: q['serviceLevel.thresholdSeconds'],
    shortAbandonSeconds: q['serviceLevel.shortAbandonSeconds'],
    abandonsInDenominator: q['serviceLevel.abandonsInDenominator'],
    excludeShortAbandons: q['serviceLevel.excludeShortAbandons'],
    flowOutsInDenominator: q['serviceLevel.flowOutsInDenominator'],
    abandonsWithinThresholdMet: q['serviceLevel.abandonsWithinThresholdMet'],
  };
  const policy: KpiPolicy = {
    ...base,
    csatSatisfiedScore: q.csatSatisfiedScore ?? null,
    complaintCategories,
    rightPartyCategories,
  };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (policy as Record<string, unknown>)[k] = v;
  return policy;
}
