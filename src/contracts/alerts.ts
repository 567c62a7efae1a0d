import { z } from 'zod';
import { AlertConditionSchema, AlertRuleCreateSchema, AlertScopeSchema, SEVERITIES } from '../domain/alerts/rules';
import { Timestamp } from './common';

export { AlertRuleCreateSchema };

export const AlertRuleSchema = AlertRuleCreateSchema.extend({
  id: z.string(),
  baselineComputedAt: Timestamp.nullable().describe('Anomaly rules: when the normal values were last computed from history.'),
  forecastUntil: Timestamp.nullable().describe(
    'Anomaly rules judged against the forecast: the end of the forecast they hold (computed with the baseline; after it, history is used until the baseline is refreshed).',
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: 'AlertRule' });
export type AlertRuleOut = z.infer<typeof AlertRuleSchema>;

export const AlertRulePatchSchema = AlertRuleCreateSchema.partial().meta({ id: 'AlertRulePatch' });

export const ALERT_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;

export const AlertSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    scope: AlertScopeSchema,
    subject: z.string().describe('What triggered it: the scope (`queue:que_…`) or, for agent-state rules, `agent:agt_…`.'),
    agentId: z.string().nullable(),
    condition: AlertConditionSchema,
    value: z.number().nullable().describe('The value that triggered it (ms for times, 0..1 for ratios).'),
    resolvedValue: z.number().nullable(),
    triggeredAt: Timestamp,
    acknowledgedAt: Timestamp.nullable(),
    acknowledgedBy: z.string().nullable().describe('The API key that acknowledged it.'),
    resolvedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Alert' });
export type Alert = z.infer<typeof AlertSchema>;
