import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Attendance, ShiftInput, ShiftOut } from '../../contracts/schedules';
import type { Tx } from '../../db/client';
import { agentStateIntervals, shifts, sites } from '../../db/schema';
import { type Membership, membershipAt } from '../../domain/agents/memberships';
import type { StateInterval } from '../../domain/agents/presence';
import type { FieldIssue } from '../../domain/errors';
import { invalid, notFound } from '../../domain/errors';
import type { AgentState } from '../../domain/events/event-types';
import {
  type AttendancePolicy,
  DEFAULT_ATTENDANCE_POLICY,
  type Shift,
  type ShiftAdherence,
  type ShiftAttendance,
  shiftAdherence,
  shiftAttendance,
} from '../../domain/people/attendance';
import { dateStartRange, localDate, shiftZone } from '../../domain/people/shift-days';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx } from '../context';
import { loadMemberships } from '../kpis/records';
import { assertReferences } from '../resources/crud';
import { loadTenantRow } from '../tenants/get-tenant';

export type ShiftRow = typeof shifts.$inferSelect;
type Row = ShiftRow;
const MAX_SHIFT_MS = 24 * 3_600_000;
const MAX_RANGE_MS = 62 * 86_400_000;

const iso = (t: number) => new Date(t).toISOString();

function present(r: Row): ShiftOut {
  return {
    id: r.id,
    agentId: r.agentId,
    start: r.startsAt.toISOString(),
    end: r.endsAt.toISOString(),
    activities: r.activities.map((a) => ({ type: a.type, start: iso(a.start), end: iso(a.end) })),
  };
}

/** A shift ends after it starts and lasts at most 24 h; its activities lie within it, one at a time. */
export function shiftProblems(s: ShiftInput, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const start = Date.parse(s.start);
  const end = Date.parse(s.end);
  if (!(end > start)) issues.push({ in: 'body', pointer: `${at}/end`, detail: 'Must be after `start`.' });
  else if (end - start > MAX_SHIFT_MS)
    issues.push({ in: 'body', pointer: `${at}/end`, detail: 'A shift lasts at most 24 hours.' });
  const acts = s.activities
    .map((a, i) => ({ i, start: Date.parse(a.start), end: Date.parse(a.end) }))
    .sort((x, y) => x.start - y.start);
  let last = Number.NEGATIVE_INFINITY;
  for (const a of acts) {
    const p = `${at}/activities/${a.i}`;
    if (!(a.end > a.start)) issues.push({ in: 'body', pointer: `${p}/end`, detail: 'Must be after `start`.' });
    else if (a.start < start || a.end > end) issues.push({ in: 'body', pointer: p, detail: 'Must lie within the shift.' });
    else if (a.start < last) issues.push({ in: 'body', pointer: p, detail: 'Overlaps another activity.' });
    last = Math.max(last, a.end);
  }
  return issues;
}

/** Adds or replaces shifts (by id), all or none. */
export async function upsertShifts(ctx: ServiceContext, input: ShiftInput[]): Promise<ShiftOut[]> {
  // One statement cannot write a row twice: the same id twice in a request is the client's mistake, not a 500.
  const firstOf = new Map<string, number>();
  const issues: FieldIssue[] = [];
  input.forEach((s, i) => {
    if (s.id === undefined) return;
    const first = firstOf.get(s.id);
    if (first === undefined) firstOf.set(s.id, i);
    else issues.push({ in: 'body', pointer: `/shifts/${i}/id`, detail: `The same id as /shifts/${first}.` });
  });
  issues.push(...input.flatMap((s, i) => shiftProblems(s, `/shifts/${i}`)));
  if (issues.length > 0) throw invalid(issues, 'Some shifts are not valid.');
  return tenantTx(ctx, async (tx) => {
    await assertReferences(tx, ctx.tenantId, [
      { kind: 'agent', items: input.map((s, i) => ({ pointer: `/shifts/${i}/agentId`, id: s.agentId })) },
    ]);
    const rows = input.map((s) => ({
      tenantId: ctx.tenantId,
      id: s.id ?? newId('shift', ctx.now.getTime()),
      agentId: s.agentId,
      startsAt: new Date(s.start),
      endsAt: new Date(s.end),
      activities: s.activities.map((a) => ({ type: a.type, start: Date.parse(a.start), end: Date.parse(a.end) })),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }));
    const written = await tx
      .insert(shifts)
      .values(rows)
      .onConflictDoUpdate({
        target: [shifts.tenantId, shifts.id],
        set: {
          agentId: sql`excluded.agent_id`,
          startsAt: sql`excluded.starts_at`,
          endsAt: sql`excluded.ends_at`,
          activities: sql`excluded.activities`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning();
    return written.map(present);
  });
}

/** Which shifts a listing asks for: starting in [from, to), or of a local date (each in its own zone), maybe of a site's agents. */
export interface ShiftSelection {
  from?: string;
  to?: string;
  date?: string;
  agentId?: string;
  siteId?: string;
}

export async function listShifts(ctx: ServiceContext, q: ShiftSelection): Promise<ShiftOut[]> {
  const range = rangeOf(q);
  const rows = await tenantTx(ctx, async (tx) => {
    if (q.siteId) await assertReferences(tx, ctx.tenantId, [{ kind: 'site', items: [{ pointer: '/siteId', id: q.siteId }] }]);
    const all = await shiftsStarting(tx, ctx.tenantId, { ...range, agentId: q.agentId });
    if (!q.date && !q.siteId) return all;
    const days = await shiftDays(tx, ctx.tenantId, all);
    return all.filter((r) => selected(days.get(r.id), q));
  });
  return rows.map(present);
}

/** The zone, local date and site of each shift (by id): its agent's site as of its start (src/domain/people/shift-days.ts). */
export async function shiftDays(
  tx: Tx,
  tenantId: string,
  rows: readonly Row[],
  memberships?: Map<string, Membership[]>,
): Promise<Map<string, { timeZone: string; date: string; siteId: string | null }>> {
  const out = new Map<string, { timeZone: string; date: string; siteId: string | null }>();
  if (rows.length === 0) return out;
  const members = memberships ?? (await loadMemberships(tx, tenantId));
  const tenantZone = (await loadTenantRow(tx, tenantId)).settings.timeZone;
  const siteZones = new Map(
    (await tx.select({ id: sites.id, timeZone: sites.timeZone }).from(sites).where(eq(sites.tenantId, tenantId))).map((s) => [
      s.id,
      s.timeZone,
    ]),
  );
  for (const r of rows) {
    const start = r.startsAt.getTime();
    const mine = members.get(r.agentId) ?? [];
    const timeZone = shiftZone(mine, start, siteZones, tenantZone);
    out.set(r.id, { timeZone, date: localDate(start, timeZone), siteId: membershipAt(mine, start)?.siteId ?? null });
  }
  return out;
}

/** Whether a shift's day and site are the ones asked for. */
function selected(day: { date: string; siteId: string | null } | undefined, q: { date?: string; siteId?: string }): boolean {
  return day !== undefined && (!q.date || day.date === q.date) && (!q.siteId || day.siteId === q.siteId);
}

export async function deleteShift(ctx: ServiceContext, id: string): Promise<{ id: string; outcome: 'deleted' }> {
  const deleted = await tenantTx(ctx, (tx) =>
    tx
      .delete(shifts)
      .where(and(eq(shifts.tenantId, ctx.tenantId), eq(shifts.id, id)))
      .returning({ id: shifts.id }),
  );
  if (deleted.length === 0) throw notFound('shift', id);
  return { id, outcome: 'deleted' };
}

/** The shifts starting in `[from, to)` (of one agent when given), by start. */
export function shiftsStarting(tx: Tx, tenantId: string, q: { from: string; to: string; agentId?: string }): Promise<Row[]> {
  return tx
    .select()
    .from(shifts)
    .where(
      and(
        eq(shifts.tenantId, tenantId),
        gte(shifts.startsAt, new Date(q.from)),
        lt(shifts.startsAt, new Date(q.to)),
        q.agentId ? eq(shifts.agentId, q.agentId) : undefined,
      ),
    )
    .orderBy(asc(shifts.startsAt), asc(shifts.id));
}

function checkRange(from: string, to: string): void {
  const span = Date.parse(to) - Date.parse(from);
  if (!(span > 0)) throw invalid([{ in: 'query', pointer: '/to', detail: 'Must be after `from`.' }]);
  if (span > MAX_RANGE_MS) throw invalid([{ in: 'query', pointer: '/to', detail: 'At most 62 days after `from`.' }]);
}

/** The start instants to read: `from`–`to`, or every instant a shift of `date` can start at in any zone (one or the other). */
function rangeOf(q: { from?: string; to?: string; date?: string }): { from: string; to: string } {
  if (q.date !== undefined) {
    if (q.from !== undefined || q.to !== undefined) {
      throw invalid([{ in: 'query', pointer: '/date', detail: 'Give either `date` or `from` and `to`, not both.' }]);
    }
    const r = dateStartRange(q.date);
    return { from: iso(r.from), to: iso(r.to) };
  }
  const missing = (['from', 'to'] as const).filter((k) => q[k] === undefined);
  if (missing.length > 0) {
    throw invalid(missing.map((k) => ({ in: 'query' as const, pointer: `/${k}`, detail: 'Required (or give `date`).' })));
  }
  checkRange(q.from as string, q.to as string);
  return { from: q.from as string, to: q.to as string };
}

const ratio = (numerator: number, denominator: number) => ({
  value: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
  numerator,
  denominator,
});

/**
 * Attendance, adherence and conformance of the shifts starting in `[from, to)`, from the agents' state intervals
 * (`src/domain/people/attendance.ts`), and per agent: 出勤率 (shifts attended / shifts ended), late arrivals, early
 * leaves, absences, adherence and conformance summed over the shifts.
 */
export async function attendance(
  ctx: ServiceContext,
  q: ShiftSelection & { teamId?: string; lateGraceMinutes?: number; earlyLeaveGraceMinutes?: number },
): Promise<Attendance> {
  const range = rangeOf(q);
  const now = ctx.now.getTime();
  return tenantTx(ctx, async (tx) => {
    // The tenant's settings (docs/attendance.md), the request's grace minutes over them.
    const settings = (await loadTenantRow(tx, ctx.tenantId)).settings.attendance;
    const policy = {
      ...DEFAULT_ATTENDANCE_POLICY,
      ...settings,
      ...(q.lateGraceMinutes !== undefined ? { lateGraceMinutes: q.lateGraceMinutes } : {}),
      ...(q.earlyLeaveGraceMinutes !== undefined ? { earlyLeaveGraceMinutes: q.earlyLeaveGraceMinutes } : {}),
    };
    if (q.teamId) await assertReferences(tx, ctx.tenantId, [{ kind: 'team', items: [{ pointer: '/teamId', id: q.teamId }] }]);
    if (q.siteId) await assertReferences(tx, ctx.tenantId, [{ kind: 'site', items: [{ pointer: '/siteId', id: q.siteId }] }]);
    let rows = await shiftsStarting(tx, ctx.tenantId, { ...range, agentId: q.agentId });
    const memberships = await loadMemberships(tx, ctx.tenantId);
    if (q.teamId) {
      rows = rows.filter((r) => membershipAt(memberships.get(r.agentId) ?? [], r.startsAt.getTime())?.teamId === q.teamId);
    }
    const days = await shiftDays(tx, ctx.tenantId, rows, memberships);
    rows = rows.filter((r) => selected(days.get(r.id), q));
    const perShift = await shiftOutcomes(tx, ctx.tenantId, rows, policy, now);
    const agentIds = [...new Set(rows.map((r) => r.agentId))];
    const agents = agentIds.map((agentId) => {
      const mine = perShift.filter((s) => s.r.agentId === agentId);
      const ended = mine.filter((s) => s.a.status === 'attended' || s.a.status === 'absent');
      const sum = (f: (s: (typeof mine)[number]) => number) => mine.reduce((n, s) => n + f(s), 0);
      return {
        agentId,
        shifts: ended.length,
        attendanceRate: ratio(ended.filter((s) => s.a.status === 'attended').length, ended.length),
        lateArrivals: mine.filter((s) => s.a.late).length,
        earlyLeaves: mine.filter((s) => s.a.leftEarly).length,
        absences: ended.filter((s) => s.a.status === 'absent').length,
        adherence: ratio(
          sum((s) => s.adh.adherentMs),
          sum((s) => s.adh.scheduledMs),
        ),
        conformance: ratio(
          sum((s) => s.adh.workedOnQueueMs),
          sum((s) => s.adh.scheduledOnQueueMs),
        ),
      };
    });
    return {
      shifts: perShift.map(({ r, a, adh }) => ({
        shiftId: r.id,
        agentId: r.agentId,
        start: r.startsAt.toISOString(),
        end: r.endsAt.toISOString(),
        date: days.get(r.id)?.date as string,
        timeZone: days.get(r.id)?.timeZone as string,
        siteId: days.get(r.id)?.siteId ?? null,
        status: a.status,
        firstPresentAt: a.firstPresentAt === null ? null : iso(a.firstPresentAt),
        lastPresentAt: a.lastPresentAt === null ? null : iso(a.lastPresentAt),
        lateMinutes: a.lateMinutes,
        late: a.late,
        earlyLeaveMinutes: a.earlyLeaveMinutes,
        leftEarly: a.leftEarly,
        adherence: ratio(adh.adherentMs, adh.scheduledMs),
        conformance: ratio(adh.workedOnQueueMs, adh.scheduledOnQueueMs),
        exceptions: adh.exceptions.map((e) => ({
          start: iso(e.start),
          end: iso(e.end),
          scheduled: e.scheduled,
          actual: e.actual,
        })),
      })),
      agents,
    };
  });
}

/**
 * Each shift with its attendance and adherence (src/domain/people/attendance.ts), from the state intervals of its
 * agent around it: what GET /v1/attendance lists and the catalog's attendance metrics add up.
 */
export async function shiftOutcomes(
  tx: Tx,
  tenantId: string,
  rows: Row[],
  policy: AttendancePolicy,
  now: number,
): Promise<{ r: Row; a: ShiftAttendance; adh: ShiftAdherence }[]> {
  const agentIds = [...new Set(rows.map((r) => r.agentId))];
  const lead = policy.leadMinutes * 60_000;
  const earliest = Math.min(...rows.map((r) => r.startsAt.getTime())) - lead;
  const latest = Math.max(...rows.map((r) => r.endsAt.getTime())) + lead;
  const intervals: StateInterval[] = agentIds.length
    ? (
        await tx
          .select()
          .from(agentStateIntervals)
          .where(
            and(
              eq(agentStateIntervals.tenantId, tenantId),
              inArray(agentStateIntervals.agentId, agentIds),
              lt(agentStateIntervals.startedAt, new Date(latest)),
              sql`(${agentStateIntervals.endedAt} IS NULL OR ${agentStateIntervals.endedAt} > ${new Date(earliest)})`,
            ),
          )
      ).map((i) => ({
        id: i.id,
        agentId: i.agentId,
        state: i.state as AgentState,
        reason: i.reason,
        startedAt: i.startedAt.getTime(),
        endedAt: i.endedAt?.getTime() ?? null,
      }))
    : [];
  const byAgent = new Map<string, StateInterval[]>();
  for (const i of intervals) {
    const list = byAgent.get(i.agentId);
    if (list) list.push(i);
    else byAgent.set(i.agentId, [i]);
  }

  return rows.map((r) => {
    const shift: Shift = {
      id: r.id,
      agentId: r.agentId,
      start: r.startsAt.getTime(),
      end: r.endsAt.getTime(),
      activities: r.activities,
    };
    const mine = byAgent.get(r.agentId) ?? [];
    const a = shiftAttendance(shift, mine, policy, now);
    const adh = shiftAdherence(shift, mine, policy, now);
    return { r, a, adh };
  });
}
