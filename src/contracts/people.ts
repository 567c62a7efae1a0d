import { z } from 'zod';

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month: 2026-03.');

export const HeadcountQuerySchema = z.object({
  from: Month.describe('First month.'),
  to: Month.describe('Last month (inclusive); at most 36 months after `from`.'),
  groupBy: z.enum(['team', 'site']).optional().describe('Per team or site (as of each count’s day); default the whole centre.'),
});

export const HeadcountSchema = z
  .object({
    rows: z.array(
      z.object({
        month: z.string(),
        group: z.record(z.string(), z.string().nullable()).describe('`teamId` or `siteId` with `groupBy`; empty otherwise.'),
        headcountStart: z.number().int().describe('Agents employed on the month’s first day.'),
        headcountEnd: z.number().int().describe('Agents employed on the next month’s first day.'),
        hires: z.number().int().describe('Agents whose first day falls in the month.'),
        leavers: z.number().int().describe('Agents whose last day falls in the month.'),
        attritionRate: z
          .object({ value: z.number().nullable(), numerator: z.number(), denominator: z.number() })
          .describe('员工流失率: leavers / average headcount ((start + end) / 2); null when nobody was employed.'),
      }),
    ),
  })
  .meta({ id: 'Headcount' });
export type Headcount = z.infer<typeof HeadcountSchema>;
