import type { Call } from '../../contracts/calls';
import { type CsvColumn, csvHeader, csvRow } from '../../lib/csv';

/** Sums a nullable field of the visits; null when none has it. */
const sumOf = (values: (number | null)[]) =>
  values.reduce<number | null>((total, v) => (v === null ? total : (total ?? 0) + v), null);

/**
 * A call as one spreadsheet row: what a supervisor filters and sums on without opening the call. Lists (queues,
 * agents) are joined with `;` in the order they happened; instants are ISO-8601 UTC; durations are ms. The
 * caller's number appears only masked, as the API stores it.
 */
export const CALL_CSV_COLUMNS: readonly CsvColumn<Call>[] = [
  { name: 'id', value: (c) => c.id },
  { name: 'direction', value: (c) => c.direction },
  { name: 'callerMasked', value: (c) => c.callerMasked },
  { name: 'firstEventAt', value: (c) => c.firstEventAt },
  { name: 'startedAt', value: (c) => c.startedAt },
  { name: 'endedAt', value: (c) => c.endedAt },
  { name: 'enqueuedAt', value: (c) => c.enqueuedAt },
  { name: 'queueIds', value: (c) => [...new Set(c.visits.map((v) => v.queueId))].join(';') },
  { name: 'visits', value: (c) => c.visits.length },
  { name: 'waitMs', value: (c) => sumOf(c.visits.map((v) => v.waitMs)) },
  { name: 'outcome', value: (c) => c.outcome },
  { name: 'agentIds', value: (c) => c.handling.agentIds.join(';') },
  { name: 'segments', value: (c) => c.handling.segments },
  { name: 'talkMs', value: (c) => c.handling.talkMs },
  { name: 'holdMs', value: (c) => c.handling.holdMs },
  { name: 'holdCount', value: (c) => c.handling.holdCount },
  { name: 'acwMs', value: (c) => c.handling.acwMs },
  { name: 'handleMs', value: (c) => c.handling.handleMs },
  { name: 'transfers', value: (c) => c.transfers },
  { name: 'inProgress', value: (c) => c.handling.inProgress },
  { name: 'hangupCause', value: (c) => c.hangupCause },
  { name: 'endedBy', value: (c) => c.endedBy },
  { name: 'dispositionCode', value: (c) => c.disposition?.code },
  { name: 'resolved', value: (c) => c.disposition?.resolved },
  { name: 'surveyScore', value: (c) => c.survey?.score },
  { name: 'surveyScaleMax', value: (c) => c.survey?.scaleMax },
];

/** The calls of `pages` as CSV lines, header first. */
export async function* callCsvLines(pages: AsyncIterable<readonly Call[]>): AsyncGenerator<string, void, undefined> {
  yield csvHeader(CALL_CSV_COLUMNS);
  for await (const page of pages) for (const call of page) yield csvRow(CALL_CSV_COLUMNS, call);
}
