import { eq } from 'drizzle-orm';
import type { Headcount } from '../../contracts/people';
import { agents } from '../../db/schema';
import { membershipAt } from '../../domain/agents/memberships';
import { invalid } from '../../domain/errors';
import { startOfDate } from '../../domain/time/zones';
import { type ServiceContext, tenantTx } from '../context';
import { loadMemberships } from '../kpis/records';
import { loadTenantRow } from '../tenants/get-tenant';

const MAX_MONTHS = 36;

const monthStart = (m: string) => `${m}-01`;
const nextMonth = (m: string) => {
  const [y, mm] = m.split('-').map(Number) as [number, number];
  return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
};
const dayBefore = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

/**
 * Headcount and attrition (员工流失率) per month, from agents' employment days (`hiredOn`, `leftOn`; an agent deleted
 * without `leftOn` left the day it was deleted; without `hiredOn`, it counts from the start): employed on the first
 * day and on the next month's, hired and left in the month, and leavers over the average headcount.
 */
export async function headcount(
  ctx: ServiceContext,
  q: { from: string; to: string; groupBy?: 'team' | 'site' },
): Promise<Headcount> {
  const months: string[] = [];
  for (let m = q.from; m <= q.to && months.length <= MAX_MONTHS; m = nextMonth(m)) months.push(m);
  if (q.to < q.from) throw invalid([{ in: 'query', pointer: '/to', detail: 'Must not be before `from`.' }]);
  if (months.length > MAX_MONTHS) throw invalid([{ in: 'query', pointer: '/to', detail: `At most ${MAX_MONTHS} months.` }]);
  return tenantTx(ctx, async (tx) => {
    const timeZone = (await loadTenantRow(tx, ctx.tenantId)).settings.timeZone;
    const memberships = q.groupBy ? await loadMemberships(tx, ctx.tenantId) : new Map();
    const people = (
      await tx
        .select({ id: agents.id, hiredOn: agents.hiredOn, leftOn: agents.leftOn, archivedAt: agents.archivedAt })
        .from(agents)
        .where(eq(agents.tenantId, ctx.tenantId))
    ).map((a) => ({
      id: a.id,
      hiredOn: a.hiredOn,
      leftOn: a.leftOn ?? (a.archivedAt ? a.archivedAt.toISOString().slice(0, 10) : null),
    }));
    const employedOn = (p: (typeof people)[number], day: string) =>
      (p.hiredOn === null || p.hiredOn <= day) && (p.leftOn === null || p.leftOn > day);
    const groupOn = (agentId: string, day: string): string | null => {
      if (!q.groupBy) return null;
      const m = membershipAt(memberships.get(agentId) ?? [], startOfDate(day, timeZone));
      return (q.groupBy === 'team' ? m?.teamId : m?.siteId) ?? null;
    };
    const rows: Headcount['rows'] = [];
    for (const month of months) {
      const first = monthStart(month);
      const next = monthStart(nextMonth(month));
      const counts = new Map<string | null, { start: number; end: number; hires: number; leavers: number }>();
      const at = (g: string | null) => {
        let c = counts.get(g);
        if (!c) {
          c = { start: 0, end: 0, hires: 0, leavers: 0 };
          counts.set(g, c);
        }
        return c;
      };
      for (const p of people) {
        if (employedOn(p, first)) at(groupOn(p.id, first)).start += 1;
        if (employedOn(p, next)) at(groupOn(p.id, next)).end += 1;
        if (p.hiredOn !== null && p.hiredOn >= first && p.hiredOn < next) at(groupOn(p.id, p.hiredOn)).hires += 1;
        if (p.leftOn !== null && p.leftOn > first && p.leftOn <= next) at(groupOn(p.id, dayBefore(p.leftOn))).leavers += 1;
      }
      if (counts.size === 0) at(null);
      const groups = [...counts.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
      for (const g of groups) {
        const c = counts.get(g) as { start: number; end: number; hires: number; leavers: number };
        const average = (c.start + c.end) / 2;
        rows.push({
          month,
          group: q.groupBy ? { [q.groupBy === 'team' ? 'teamId' : 'siteId']: g } : {},
          headcountStart: c.start,
          headcountEnd: c.end,
          hires: c.hires,
          leavers: c.leavers,
          attritionRate: {
            value: average === 0 ? null : Math.round((c.leavers / average) * 10_000) / 10_000,
            numerator: c.leavers,
            denominator: average,
          },
        });
      }
    }
    return { rows };
  });
}
