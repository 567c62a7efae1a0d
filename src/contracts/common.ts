import { z } from 'zod';
import { PROVIDERS } from '../domain/providers';

export const NameSchema = z.string().trim().min(1).max(100);

export const ExternalKeySchema = z
  .strictObject({
    provider: z.enum(PROVIDERS),
    key: z.string().trim().min(1).max(200).describe("The provider's own id (e.g. a TaskRouter SID or an Asterisk queue name)."),
  })
  .meta({ id: 'ExternalKey' });
export type ExternalKey = z.infer<typeof ExternalKeySchema>;

/** Up to 20 external keys, each (provider, key) pair once. */
export const ExternalKeysSchema = z
  .array(ExternalKeySchema)
  .max(20)
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      const id = `${k.provider}\u0000${k.key}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: 'Duplicate external key.' });
      seen.add(id);
    });
  });

/** Unique, for id lists in bodies. */
export const IdListSchema = z
  .array(z.string().min(1).max(64))
  .max(500)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'Ids must be unique.' });

export const Timestamp = z.iso.datetime({ offset: true });

export const ResourceTimestamps = {
  createdAt: Timestamp,
  updatedAt: Timestamp,
  archivedAt: Timestamp.nullable().describe('Set when the resource was deleted but had history, so it was archived.'),
};

export const DeleteResultSchema = z
  .object({
    id: z.string(),
    outcome: z
      .enum(['deleted', 'archived'])
      .describe('`deleted` when nothing referred to it; `archived` when history or other resources did.'),
  })
  .meta({ id: 'DeleteResult' });
export type DeleteResult = z.infer<typeof DeleteResultSchema>;

/** A calendar date, `YYYY-MM-DD`. */
export const LocalDate = z.iso.date();
