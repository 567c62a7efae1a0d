import { asc, eq } from 'drizzle-orm';
import type { QuietDaysInput } from '../../contracts/outbound';
import { outboundQuietDays } from '../../db/schema';
import { callOutbound } from '../../durable-objects/outbound/outbound.client';
import { type ServiceContext, tenantTx, writeThrough } from '../context';

type QuietDays = { days: { date: string; name: string | null }[] };

export async function getQuietDays(ctx: ServiceContext): Promise<QuietDays> {
  const rows = await tenantTx(ctx, (tx) =>
    tx.select().from(outboundQuietDays).where(eq(outboundQuietDays.tenantId, ctx.tenantId)).orderBy(asc(outboundQuietDays.day)),
  );
  return { days: rows.map((r) => ({ date: r.day, name: r.name })) };
}

/** Replaces the tenant's quiet days whole: no campaign calls anyone on them (the callee's local date). */
export async function putQuietDays(ctx: ServiceContext, input: QuietDaysInput): Promise<QuietDays> {
  let before: string[] = [];
  await writeThrough(ctx, {
    postgres: async (tx) => {
      before = (
        await tx
          .select({ day: outboundQuietDays.day })
          .from(outboundQuietDays)
          .where(eq(outboundQuietDays.tenantId, ctx.tenantId))
      ).map((r) => r.day);
      await tx.delete(outboundQuietDays).where(eq(outboundQuietDays.tenantId, ctx.tenantId));
      if (input.days.length > 0) {
        await tx.insert(outboundQuietDays).values(
          input.days.map((d) => ({
            tenantId: ctx.tenantId,
            day: d.date,
            name: d.name,
            createdAt: ctx.now,
            updatedAt: ctx.now,
          })),
        );
      }
      return input.days.map((d) => d.date);
    },
    durable: (days) => callOutbound(ctx.env, ctx.tenantId, (s) => s.setQuietDays(ctx.tenantId, days)),
    undo: () => callOutbound(ctx.env, ctx.tenantId, (s) => s.setQuietDays(ctx.tenantId, before)),
  });
  return { days: [...input.days].sort((a, b) => a.date.localeCompare(b.date)) };
}
