import { and, eq, inArray } from 'drizzle-orm';
import { type ShiftInput, ShiftInputSchema, type ShiftOut } from '../../contracts/schedules';
import { agentExternalKeys } from '../../db/schema';
import { AppError, type FieldIssue, invalid } from '../../domain/errors';
import { type CsvShift, csvPointer, readShiftsCsv } from '../../domain/people/shifts-csv';
import { type ServiceContext, tenantTx } from '../context';
import { shiftProblems, upsertShifts } from './schedules';

/** Shifts one request adds or replaces, as for JSON. */
export const MAX_CSV_SHIFTS = 500;
/** Problems listed in one answer: a file of wrong rows is told its first ones, and how many more there are. */
export const MAX_CSV_PROBLEMS = 100;

/** A Callboard agent id; anything else in `agent` is an external key. */
const AGENT_ID = /^agt_/;

function refuse(problems: { pointer: string; detail: string }[]): AppError {
  const issues: FieldIssue[] = problems.slice(0, MAX_CSV_PROBLEMS).map((p) => ({ in: 'body', ...p }));
  if (problems.length > MAX_CSV_PROBLEMS) {
    issues.push({ in: 'body', pointer: '/rows', detail: `And ${problems.length - MAX_CSV_PROBLEMS} more problems not listed.` });
  }
  return invalid(issues, 'Some rows of the CSV are not valid; no shift was saved. Each problem points at /rows/<line>/<column>.');
}

/** Each external key to the one agent that has it (under any provider); `null` when several agents do. */
async function agentsByKey(ctx: ServiceContext, keys: string[]): Promise<Map<string, string | null>> {
  if (keys.length === 0) return new Map();
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select({ key: agentExternalKeys.key, agentId: agentExternalKeys.owner })
      .from(agentExternalKeys)
      .where(and(eq(agentExternalKeys.tenantId, ctx.tenantId), inArray(agentExternalKeys.key, keys))),
  );
  const out = new Map<string, string | null>();
  for (const r of rows) {
    const had = out.get(r.key);
    out.set(r.key, had === undefined || had === r.agentId ? r.agentId : null);
  }
  return out;
}

/**
 * `POST /v1/schedules` with a CSV body (docs/attendance.md): the rows read and grouped into shifts, agents' external
 * keys resolved, then the same checks and the same all-or-none upsert as JSON shifts — every problem pointed at the
 * row and column it comes from (`/rows/<line>/<column>`).
 */
export async function upsertShiftsCsv(ctx: ServiceContext, text: string): Promise<ShiftOut[]> {
  const { shifts, problems } = readShiftsCsv(text, MAX_CSV_SHIFTS);
  if (problems.some((p) => p.pointer.startsWith('/header'))) throw refuse(problems);

  const keys = [...new Set(shifts.flatMap((s) => (s.agent !== null && !AGENT_ID.test(s.agent) ? [s.agent] : [])))];
  const byKey = await agentsByKey(ctx, keys);
  const inputs: ShiftInput[] = [];
  const sources: CsvShift[] = [];
  for (const shift of shifts) {
    let agentId = shift.agent ?? undefined;
    if (shift.agent !== null && !AGENT_ID.test(shift.agent)) {
      const found = byKey.get(shift.agent);
      if (found === undefined || found === null) {
        problems.push({
          pointer: csvPointer(shift, ['agentId']),
          detail:
            found === null
              ? `Several agents have the external key '${shift.agent.slice(0, 40)}' (under different providers): give the agent's id.`
              : `No agent has the id or external key '${shift.agent.slice(0, 40)}'.`,
        });
        continue;
      }
      agentId = found;
    }
    const parsed = ShiftInputSchema.safeParse({
      id: shift.id,
      agentId,
      start: shift.start ?? undefined,
      end: shift.end ?? undefined,
      activities: shift.activities.map(({ type, start, end }) => ({ type, start, end })),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
        problems.push({
          pointer: csvPointer(shift, issue.path as (string | number)[]),
          detail: missing ? 'Required on one row of the shift at least.' : issue.message,
        });
      }
      continue;
    }
    for (const issue of shiftProblems(parsed.data, '')) {
      problems.push({ pointer: csvPointer(shift, issue.pointer.split('/').slice(1).map(segment)), detail: issue.detail });
    }
    inputs.push(parsed.data);
    sources.push(shift);
  }
  if (problems.length > 0) throw refuse(problems);

  try {
    return await upsertShifts(ctx, inputs);
  } catch (err) {
    // The checks that need the tenant (its agents) point at `/shifts/<i>/…`: the same place in the file.
    if (!(err instanceof AppError) || err.code !== 'VALIDATION_FAILED') throw err;
    throw refuse(
      (err.extra.issues ?? []).map((issue) => {
        const [, , i, ...path] = issue.pointer.split('/');
        const source = sources[Number(i)];
        return { pointer: source ? csvPointer(source, path.map(segment)) : '/rows', detail: issue.detail };
      }),
    );
  }
}

/** A JSON pointer's segment as a path key: array indexes as numbers. */
const segment = (s: string): string | number => (/^\d+$/.test(s) ? Number(s) : s);
