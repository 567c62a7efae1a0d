import { z } from 'zod';
import { DECISION_REASONS, WEEKDAYS } from '../domain/outbound/policy';
import { TimeZoneSchema } from '../domain/settings';
import { LocalDate, Timestamp } from './common';

/** Campaigns a tenant may have live at once. */
export const MAX_CAMPAIGNS = 200;
/** Numbers one do-not-call upload or removal holds. */
export const MAX_DNC_NUMBERS = 10_000;
export const MAX_QUIET_DAYS = 500;

const HHMM = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM, 00:00 to 24:00')
  .meta({ example: '09:00' });

export const CallingWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'each day once')
      .describe('Local weekdays of the callee.'),
    start: HHMM.describe('Local time the window opens (inclusive).'),
    end: HHMM.describe('Local time it closes (exclusive); `24:00` is the end of the day.'),
  })
  .meta({ id: 'CallingWindow' });

const cap = (what: string) => z.number().int().min(1).max(1000).nullable().default(null).describe(what);

export const CampaignPolicySchema = z.strictObject({
  windows: z
    .array(CallingWindowSchema)
    .min(1)
    .max(28)
    .describe(
      'When the campaign may call, in the callee’s local time: its number’s zone (by country, and by area code where a country spans zones), or `timeZone`.',
    ),
  timeZone: TimeZoneSchema.nullable()
    .default(null)
    .describe('An explicit IANA zone every number of the campaign is judged in; null: the zone of each number.'),
  caps: z
    .strictObject({
      perDay: cap('Attempts to a number in any 24 hours, over all the tenant’s campaigns.'),
      perWeek: cap('Attempts to a number in any 7 × 24 hours, over all the tenant’s campaigns.'),
      perCampaign: cap('Attempts to a number in this campaign, ever.'),
    })
    .default({ perDay: null, perWeek: null, perCampaign: null }),
  minGapMinutes: z
    .number()
    .int()
    .min(0)
    .max(10_080)
    .default(0)
    .describe('Minutes after any attempt to the number (any campaign) before the next.'),
});

export const CampaignCreateSchema = z
  .strictObject({ name: z.string().trim().min(1).max(200), ...CampaignPolicySchema.shape })
  .meta({ id: 'CampaignCreate' });
export type CampaignCreate = z.infer<typeof CampaignCreateSchema>;

export const CampaignPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    windows: CampaignPolicySchema.shape.windows.optional(),
    timeZone: TimeZoneSchema.nullable().optional(),
    caps: CampaignPolicySchema.shape.caps.unwrap().optional(),
    minGapMinutes: CampaignPolicySchema.shape.minGapMinutes.unwrap().optional(),
  })
  .meta({ id: 'CampaignPatch' });
export type CampaignPatch = z.infer<typeof CampaignPatchSchema>;

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    windows: z.array(CallingWindowSchema),
    timeZone: z.string().nullable(),
    caps: z.object({ perDay: z.number().nullable(), perWeek: z.number().nullable(), perCampaign: z.number().nullable() }),
    minGapMinutes: z.number(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Campaign' });
export type CampaignOut = z.infer<typeof CampaignSchema>;

const NumberSchema = z
  .string()
  .min(3)
  .max(40)
  .meta({ example: '+1 212 555 0100' })
  .describe('The callee’s number in E.164 (`+` and the country code); spaces, dots, dashes and brackets are ignored.');

export const OutboundCheckSchema = z
  .strictObject({
    campaignId: z.string().min(1).max(64),
    number: NumberSchema,
    at: Timestamp.optional().describe('The instant of the attempt (default now); a dialer may ask about a future one.'),
    timeZone: TimeZoneSchema.optional().describe(
      'The callee’s zone if you know it (their address): wins over the campaign’s and the number’s.',
    ),
    record: z
      .boolean()
      .default(false)
      .describe(
        'Count the attempt (at `at`) when it is allowed: send it when you dial on the answer. Decided and counted in one step, so concurrent checks never overrun a cap; with an `Idempotency-Key`, a retry does not count twice.',
      ),
  })
  .meta({ id: 'OutboundCheck' });
export type OutboundCheckInput = z.infer<typeof OutboundCheckSchema>;

export const OutboundCheckResultSchema = z
  .object({
    allowed: z.boolean(),
    reason: z
      .enum([...DECISION_REASONS, 'unknown_time_zone'])
      .nullable()
      .describe(
        'The first rule that refuses: do_not_call, campaign_cap, weekly_cap, daily_cap, min_gap, quiet_day, outside_window; or unknown_time_zone.',
      ),
    nextAllowedAt: Timestamp.nullable().describe(
      'The earliest instant from `at` on that every rule allows (`at` itself when allowed); null: never (do-not-call, the campaign cap) or not within 14 days.',
    ),
    recorded: z.boolean().describe('Whether this check counted an attempt.'),
    timeZones: z.array(z.string()).describe('The zones the calling window was judged in (every one must allow).'),
  })
  .meta({ id: 'OutboundCheckResult' });

export const DoNotCallChangeSchema = z
  .strictObject({
    numbers: z.array(NumberSchema).min(1).meta({ maxItems: MAX_DNC_NUMBERS }),
  })
  .superRefine((b, ctx) => {
    if (b.numbers.length > MAX_DNC_NUMBERS) {
      ctx.addIssue({ code: 'custom', path: ['numbers'], message: `At most ${MAX_DNC_NUMBERS} numbers a request.` });
    }
  })
  .meta({ id: 'DoNotCallChange' });

export const DoNotCallResultSchema = z
  .object({
    changed: z.number().int().describe('Numbers added (or removed).'),
    unchanged: z.number().int().describe('Numbers already on the list (or not on it), and repeats within the request.'),
  })
  .meta({ id: 'DoNotCallResult' });

export const DoNotCallEntrySchema = z
  .object({ numberHash: z.string(), masked: z.string(), createdAt: Timestamp })
  .meta({ id: 'DoNotCallEntry' });

export const QuietDaysSchema = z
  .strictObject({
    days: z
      .array(z.strictObject({ date: LocalDate, name: z.string().trim().min(1).max(200).nullable().default(null) }))
      .max(MAX_QUIET_DAYS)
      .refine((d) => new Set(d.map((x) => x.date)).size === d.length, 'each date once'),
  })
  .meta({ id: 'OutboundQuietDays' });
export type QuietDaysInput = z.infer<typeof QuietDaysSchema>;
