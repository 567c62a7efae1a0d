import { readCsv } from '../imports/csv';
import { ACTIVITY_TYPES } from './attendance';

/**
 * Shifts as CSV (`POST /v1/schedules` with `Content-Type: text/csv`, docs/attendance.md): the shape a workforce tool
 * exports — one row per shift, or one per activity with the shift's columns repeated or left empty. Rows with the same
 * `shiftId` are one shift, wherever they are in the file. This module only reads and groups; the shifts then go
 * through the same checks as JSON ones, and their problems are pointed back at rows and columns here.
 */

export interface ShiftCsvColumn {
  name: string;
  required: boolean;
  description: string;
}

export const SHIFT_CSV_COLUMNS = [
  {
    name: 'shiftId',
    required: true,
    description:
      'Your id of the shift (letters, digits, `._:-`, at most 100): rows with the same id are one shift; sending it again replaces it.',
  },
  {
    name: 'agent',
    required: true,
    description:
      'The agent: `agt_…` or one of its external keys (any provider’s, if only one agent has it). On one row of the shift at least.',
  },
  { name: 'start', required: true, description: 'The shift’s start, ISO-8601 with an offset. On one row of the shift at least.' },
  {
    name: 'end',
    required: true,
    description: 'The shift’s end (at most 24 h after the start). On one row of the shift at least.',
  },
  {
    name: 'activity',
    required: false,
    description: `An activity within the shift: ${ACTIVITY_TYPES.join(', ')}; empty on a row that has none.`,
  },
  { name: 'activityStart', required: false, description: 'The activity’s start; with `activity`.' },
  { name: 'activityEnd', required: false, description: 'The activity’s end; with `activity`.' },
] as const satisfies readonly ShiftCsvColumn[];

export type ShiftCsvColumnName = (typeof SHIFT_CSV_COLUMNS)[number]['name'];

/** A problem of the file: `pointer` is `/header/<column>`, `/rows/<line>/<column>` or `/rows/<line>` (lines from 1, the header's included). */
export interface ShiftCsvProblem {
  pointer: string;
  detail: string;
}

/** One shift gathered from its rows, with the line each of its values came from. */
export interface CsvShift {
  id: string;
  agent: string | null;
  start: string | null;
  end: string | null;
  activities: { type: string; start: string; end: string; line: number }[];
  /** The lines its id, agent, start and end were read from (the shift's first row when a value is missing). */
  lines: { id: number; agent: number; start: number; end: number };
}

/** A pointer at a cell of a data row (or at the row). */
export const rowPointer = (line: number, column?: ShiftCsvColumnName) => `/rows/${line}${column ? `/${column}` : ''}`;

/** An instant's epoch ms for comparing two spellings of it (`Z` and `+00:00`); NaN when it is not one. */
const instantMs = (v: string) => (/T/.test(v) ? Date.parse(v) : Number.NaN);

/**
 * Reads a shifts CSV into shifts, in the order their ids first appear, and the problems found on the way: a header
 * that is not this format (then nothing else), a malformed row, an activity without its times or times without an
 * activity, a shift's agent, start or end given twice differently, more than `maxShifts` shifts.
 */
export function readShiftsCsv(text: string, maxShifts: number): { shifts: CsvShift[]; problems: ShiftCsvProblem[] } {
  const records = readCsv(text);
  const [head, ...rows] = records;
  if (!head) return { shifts: [], problems: [{ pointer: '/header', detail: 'The file is empty: a header row comes first.' }] };
  const problems: ShiftCsvProblem[] = [];
  const known = new Set<string>(SHIFT_CSV_COLUMNS.map((c) => c.name));
  const index = new Map<ShiftCsvColumnName, number>();
  head.fields.forEach((raw, i) => {
    const name = raw.trim();
    const at = `/header/${name.slice(0, 64)}`;
    if (!known.has(name)) problems.push({ pointer: at, detail: `Unknown column '${name.slice(0, 64)}'.` });
    else if (index.has(name as ShiftCsvColumnName)) problems.push({ pointer: at, detail: `Column '${name}' appears twice.` });
    else index.set(name as ShiftCsvColumnName, i);
  });
  for (const c of SHIFT_CSV_COLUMNS) {
    if (c.required && !index.has(c.name))
      problems.push({ pointer: `/header/${c.name}`, detail: `Required column '${c.name}' is missing.` });
  }
  if (problems.length > 0) return { shifts: [], problems };
  if (rows.length === 0)
    return { shifts: [], problems: [{ pointer: '/rows', detail: 'No shifts: the file has only its header.' }] };

  const byId = new Map<string, CsvShift>();
  for (const record of rows) {
    const { line } = record;
    if (record.error) {
      problems.push({ pointer: rowPointer(line), detail: record.error });
      continue;
    }
    if (record.fields.length !== head.fields.length) {
      problems.push({
        pointer: rowPointer(line),
        detail: `The row has ${record.fields.length} fields; the header has ${head.fields.length}.`,
      });
      continue;
    }
    const get = (c: ShiftCsvColumnName) => {
      const i = index.get(c);
      return i === undefined ? '' : (record.fields[i] ?? '').trim();
    };
    const id = get('shiftId');
    if (id === '') {
      problems.push({ pointer: rowPointer(line, 'shiftId'), detail: 'Required: the shift the row belongs to.' });
      continue;
    }
    let shift = byId.get(id);
    if (!shift) {
      if (byId.size === maxShifts) {
        problems.push({ pointer: rowPointer(line, 'shiftId'), detail: `At most ${maxShifts} shifts per request.` });
        continue;
      }
      shift = {
        id,
        agent: null,
        start: null,
        end: null,
        activities: [],
        lines: { id: line, agent: line, start: line, end: line },
      };
      byId.set(id, shift);
    }
    const s = shift;
    // A value repeated on the shift's other rows must say the same (an instant may be spelt differently).
    const take = (column: 'agent' | 'start' | 'end') => {
      const v = get(column);
      if (v === '') return;
      const had = s[column];
      if (had === null) {
        s[column] = v;
        s.lines[column] = line;
      } else if (had !== v && !(column !== 'agent' && instantMs(had) === instantMs(v))) {
        problems.push({
          pointer: rowPointer(line, column),
          detail: `'${v.slice(0, 40)}' differs from '${had.slice(0, 40)}' on line ${s.lines[column]} of shift '${id.slice(0, 40)}'.`,
        });
      }
    };
    take('agent');
    take('start');
    take('end');
    const [type, start, end] = [get('activity'), get('activityStart'), get('activityEnd')];
    if (type !== '') {
      if (start === '') problems.push({ pointer: rowPointer(line, 'activityStart'), detail: 'Required with `activity`.' });
      if (end === '') problems.push({ pointer: rowPointer(line, 'activityEnd'), detail: 'Required with `activity`.' });
      if (start !== '' && end !== '') s.activities.push({ type, start, end, line });
    } else if (start !== '' || end !== '') {
      problems.push({ pointer: rowPointer(line, 'activity'), detail: 'Required with `activityStart` and `activityEnd`.' });
    }
  }
  return { shifts: [...byId.values()], problems };
}

/** Where a problem of `shifts[i]` in the JSON shape (`id`, `agentId`, `start`, `end`, `activities/j/…`) is in the file. */
export function csvPointer(shift: CsvShift, path: readonly (string | number)[]): string {
  const [field, j, sub] = path;
  switch (field) {
    case 'id':
      return rowPointer(shift.lines.id, 'shiftId');
    case 'agentId':
      return rowPointer(shift.lines.agent, 'agent');
    case 'start':
    case 'end':
      return rowPointer(shift.lines[field], field);
    case 'activities': {
      const activity = typeof j === 'number' ? shift.activities[j] : undefined;
      // Too many activities: the first one past the limit.
      if (!activity) return rowPointer(shift.activities.at(-1)?.line ?? shift.lines.id, 'activity');
      const column = sub === 'start' ? 'activityStart' : sub === 'end' ? 'activityEnd' : sub === 'type' ? 'activity' : undefined;
      return rowPointer(activity.line, column);
    }
    default:
      return rowPointer(shift.lines.id);
  }
}
