import { z } from 'zod';
import { AGENT_STATES } from './events/event-types';

/**
 * Service-level policy (docs/api.md, Settings). Judgements such as "met the service level" or "short abandon" are
 * derived from it at query time, so a change applies to history too.
 */
export const ServiceLevelPolicySchema = z
  .strictObject({
    thresholdSeconds: z.number().int().min(1).max(3600).describe('Answered within this many seconds counts as met (T).'),
    targetPercent: z.number().min(0).max(100).describe('The service-level goal, in percent.'),
    shortAbandonSeconds: z
      .number()
      .int()
      .min(0)
      .max(600)
      .describe('Abandons after waiting at most this long are short abandons.'),
    abandonsInDenominator: z.boolean().describe('Abandoned visits count in the service-level denominator.'),
    excludeShortAbandons: z.boolean().describe('Short abandons are left out of the denominator and of abandonment.'),
    flowOutsInDenominator: z
      .boolean()
      .describe('Visits that flowed out (timeout, no agents, exit key, transferred, full) count in the denominator.'),
    abandonsWithinThresholdMet: z.boolean().describe('Abandons within T count as met.'),
  })
  .meta({ id: 'ServiceLevelPolicy' });
export type ServiceLevelPolicy = z.infer<typeof ServiceLevelPolicySchema>;

export const ServiceLevelOverrideSchema = ServiceLevelPolicySchema.partial().meta({ id: 'ServiceLevelOverride' });
export type ServiceLevelOverride = z.infer<typeof ServiceLevelOverrideSchema>;

/** The default policy: 80 % answered within 20 s, short abandons (≤ 5 s) excluded. */
export const DEFAULT_SERVICE_LEVEL: ServiceLevelPolicy = {
  thresholdSeconds: 20,
  targetPercent: 80,
  shortAbandonSeconds: 5,
  abandonsInDenominator: true,
  excludeShortAbandons: true,
  flowOutsInDenominator: true,
  abandonsWithinThresholdMet: false,
};

/** Zone names the runtime's ICU was asked about (every request parses its tenant's settings, zone included). */
const zoneVerdicts = new Map<string, boolean>();
const MAX_REMEMBERED_ZONES = 1000;

/** True when the runtime's ICU knows the IANA zone name. */
export function isValidTimeZone(zone: string): boolean {
  const known = zoneVerdicts.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    valid = zone.length > 0;
  } catch {
    valid = false;
  }
  if (zoneVerdicts.size < MAX_REMEMBERED_ZONES) zoneVerdicts.set(zone, valid);
  return valid;
}

export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, { message: 'not an IANA time zone' })
  .meta({ example: 'Europe/Prague' });

/** What counts for attendance (docs/attendance.md): the grace before a shift's start is late and before its end early, and which states are present. */
export const AttendanceSettingsSchema = z
  .strictObject({
    lateGraceMinutes: z
      .number()
      .int()
      .min(0)
      .max(120)
      .describe('Arriving within this many minutes after a shift starts is not late.'),
    earlyLeaveGraceMinutes: z
      .number()
      .int()
      .min(0)
      .max(120)
      .describe('Leaving within this many minutes before a shift ends is not leaving early.'),
    presentStates: z
      .array(z.enum(AGENT_STATES))
      .min(1)
      .max(AGENT_STATES.length)
      .describe('The agent states that count as present (by default every state but offline).'),
  })
  .meta({ id: 'AttendanceSettings' });
export type AttendanceSettings = z.infer<typeof AttendanceSettingsSchema>;

export const DEFAULT_ATTENDANCE_SETTINGS: AttendanceSettings = {
  lateGraceMinutes: 5,
  earlyLeaveGraceMinutes: 5,
  presentStates: ['available', 'busy', 'wrapup', 'away'],
};

/** The most complaint categories a tenant may name. */
export const MAX_COMPLAINT_CATEGORIES = 100;

/**
 * The disposition categories that are complaints (客户抱怨, docs/kpis.md `complaints`): applied at query time to the
 * dispositions counted by category, so a change applies to all history.
 */
const COMPLAINT_CATEGORIES_DESCRIPTION =
  "Disposition categories (`call.dispositioned` attrs.category) that make a call a complaint: `complaints`, `complaintRate` and QA evaluations' `complaint` read them when asked, so a change applies to all history.";

/** A tenant's list of disposition category codes (complaints, right-party contacts), each once. */
const categoryList = (description: string, example: string[]) =>
  z
    .array(z.string().trim().min(1).max(100))
    .max(MAX_COMPLAINT_CATEGORIES)
    .superRefine((codes, ctx) => {
      const seen = new Set<string>();
      codes.forEach((c, i) => {
        if (seen.has(c)) ctx.addIssue({ code: 'custom', path: [i], message: `'${c}' is listed twice.` });
        seen.add(c);
      });
    })
    .meta({ description, example });

export const ComplaintCategoriesSchema = categoryList(COMPLAINT_CATEGORIES_DESCRIPTION, ['complaint', 'billing_dispute']);

/**
 * The disposition categories of an outbound call that mean the wanted person was reached (docs/kpis.md
 * `rightPartyContacts`): applied at query time, like the complaint categories, so a change applies to all history.
 */
const RIGHT_PARTY_CATEGORIES_DESCRIPTION =
  'Disposition categories (`call.dispositioned` attrs.category) that make an outbound connect a right-party contact: `rightPartyContacts` and `rightPartyRate` read them when asked, so a change applies to all history.';

export const RightPartyCategoriesSchema = categoryList(RIGHT_PARTY_CATEGORIES_DESCRIPTION, ['rpc_promise_to_pay', 'rpc_refused']);

/** The most dates a tenant's holiday calendar holds. */
export const MAX_HOLIDAYS = 500;

const HOLIDAYS_DESCRIPTION =
  "The tenant's holidays, dates in its time zone: forecasts leave them out of training and flag the intervals that fall on one (docs/forecasts.md).";

export const HolidaySchema = z
  .strictObject({
    date: z.iso.date().describe('A local date (YYYY-MM-DD) in the tenant’s time zone.'),
    name: z.string().trim().min(1).max(100).optional().describe('What the day is, for people.'),
  })
  .meta({ id: 'Holiday' });
export type Holiday = z.infer<typeof HolidaySchema>;

export const HolidaysSchema = z
  .array(HolidaySchema)
  .max(MAX_HOLIDAYS)
  .superRefine((days, ctx) => {
    const seen = new Set<string>();
    days.forEach((d, i) => {
      if (seen.has(d.date)) ctx.addIssue({ code: 'custom', path: [i, 'date'], message: `${d.date} is listed twice.` });
      seen.add(d.date);
    });
  })
  .meta({ description: HOLIDAYS_DESCRIPTION, example: [{ date: '2026-12-25', name: 'Christmas Day' }] });

export const TenantSettingsSchema = z
  .strictObject({
    timeZone: TimeZoneSchema.describe('Days, weeks and months are cut in this IANA time zone.'),
    serviceLevel: ServiceLevelPolicySchema,
    fcrWindowHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .describe('Repeat-caller FCR: a call is resolved if the caller does not call again within this window.'),
    staleVisitMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .describe('A queue visit with no event for this long is closed with outcome unknown.'),
    rawRetentionDays: z.number().int().min(1).max(90).describe('Raw webhook deliveries are kept this many days.'),
    attendance: AttendanceSettingsSchema.default(DEFAULT_ATTENDANCE_SETTINGS),
    complaintCategories: ComplaintCategoriesSchema.default([]).describe(COMPLAINT_CATEGORIES_DESCRIPTION),
    rightPartyCategories: RightPartyCategoriesSchema.default([]).describe(RIGHT_PARTY_CATEGORIES_DESCRIPTION),
    holidays: HolidaysSchema.default([]).describe(HOLIDAYS_DESCRIPTION),
  })
  .meta({ id: 'TenantSettings' });
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  timeZone: 'UTC',
  serviceLevel: DEFAULT_SERVICE_LEVEL,
  fcrWindowHours: 72,
  staleVisitMinutes: 240,
  rawRetentionDays: 7,
  attendance: DEFAULT_ATTENDANCE_SETTINGS,
  complaintCategories: [],
  rightPartyCategories: [],
  holidays: [],
};

export const TenantSettingsPatchSchema = z
  .strictObject({
    timeZone: TenantSettingsSchema.shape.timeZone.optional(),
    serviceLevel: ServiceLevelOverrideSchema.optional(),
    fcrWindowHours: TenantSettingsSchema.shape.fcrWindowHours.optional(),
    staleVisitMinutes: TenantSettingsSchema.shape.staleVisitMinutes.optional(),
    rawRetentionDays: TenantSettingsSchema.shape.rawRetentionDays.optional(),
    attendance: AttendanceSettingsSchema.partial().optional().describe('Fields given replace the tenant’s, one by one.'),
    complaintCategories: ComplaintCategoriesSchema.optional().describe(
      `${COMPLAINT_CATEGORIES_DESCRIPTION} A change replaces the whole list.`,
    ),
    rightPartyCategories: RightPartyCategoriesSchema.optional().describe(
      `${RIGHT_PARTY_CATEGORIES_DESCRIPTION} A change replaces the whole list.`,
    ),
    holidays: HolidaysSchema.optional().describe(`${HOLIDAYS_DESCRIPTION} A change replaces the whole calendar.`),
  })
  .meta({ id: 'TenantSettingsPatch' });
export type TenantSettingsPatch = z.infer<typeof TenantSettingsPatchSchema>;

/** Applies a partial change to complete settings; nested service-level fields merge one by one. */
export function applySettingsPatch(current: TenantSettings, patch: TenantSettingsPatch): TenantSettings {
  const { serviceLevel, attendance, ...top } = patch;
  return {
    ...current,
    ...definedOnly(top),
    serviceLevel: { ...current.serviceLevel, ...definedOnly(serviceLevel ?? {}) },
    attendance: { ...current.attendance, ...definedOnly(attendance ?? {}) },
  };
}

/**
 * Merges a queue's override patch into its current override (JSON merge patch: a null field removes
 * that override so the tenant's value applies again; a null patch removes the whole override).
 */
export function mergeServiceLevelOverride(
  current: ServiceLevelOverride | null,
  patch: NullableFields<ServiceLevelOverride> | null,
): ServiceLevelOverride | null {
  if (patch === null) return null;
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return Object.keys(merged).length === 0 ? null : (merged as ServiceLevelOverride);
}

/** The policy that applies to a queue: the tenant's, with the queue's overrides on top. */
export function effectiveServiceLevel(tenant: ServiceLevelPolicy, override: ServiceLevelOverride | null): ServiceLevelPolicy {
  return { ...tenant, ...definedOnly(override ?? {}) };
}

export type NullableFields<T> = { [K in keyof T]?: T[K] | null };

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A queue's override change: a null field removes that override, a null object removes them all. */
export const ServiceLevelOverridePatchSchema = z
  .strictObject(
    Object.fromEntries(Object.entries(ServiceLevelPolicySchema.shape).map(([k, v]) => [k, v.nullable().optional()])) as {
      [K in keyof typeof ServiceLevelPolicySchema.shape]: z.ZodOptional<
        z.ZodNullable<(typeof ServiceLevelPolicySchema.shape)[K]>
      >;
    },
  )
  .meta({ id: 'ServiceLevelOverridePatch' });
