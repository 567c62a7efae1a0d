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

/** The request's service-level fields and CSAT score over a base policy (the tenant's, or a queue's). */
export function withOverrides(base: ServiceLevelPolicy, q: PolicyOverrides): KpiPolicy {
  const o = {
    thresholdSeconds: q['serviceLevel.thresholdSeconds'],
    shortAbandonSeconds: q['serviceLevel.shortAbandonSeconds'],
    abandonsInDenominator: q['serviceLevel.abandonsInDenominator'],
    excludeShortAbandons: q['serviceLevel.excludeShortAbandons'],
    flowOutsInDenominator: q['serviceLevel.flowOutsInDenominator'],
    abandonsWithinThresholdMet: q['serviceLevel.abandonsWithinThresholdMet'],
  };
  const policy: KpiPolicy = { ...base, csatSatisfiedScore: q.csatSatisfiedScore ?? null };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (policy as Record<string, unknown>)[k] = v;
  return policy;
}
