import type { AppraisalOut } from '../../contracts/appraisal';
import { type CsvColumn, csvHeader, csvRow } from '../../lib/csv';

type AgentRow = AppraisalOut['results'][number];

/**
 * An appraisal as a table, one line per agent (best first): agent, team, total, status, ranks, each category's
 * score, each metric's value and points (`<category>.<metric>` and `….points`), and the explanation.
 */
export function* appraisalCsvLines(a: AppraisalOut): Generator<string> {
  const first = a.results[0];
  const columns: CsvColumn<AgentRow>[] = [
    { name: 'agentId', value: (r) => r.agentId },
    { name: 'teamId', value: (r) => r.teamId },
    { name: 'total', value: (r) => r.total },
    { name: 'status', value: (r) => r.status },
    { name: 'rankInTeam', value: (r) => r.rankInTeam },
    { name: 'rankInTenant', value: (r) => r.rankInTenant },
    ...(first?.categories ?? []).map((c, i) => ({ name: c.id, value: (r: AgentRow) => r.categories[i]?.score })),
    ...(first?.metrics ?? []).flatMap((m, i) => [
      { name: `${m.category}.${m.metric}`, value: (r: AgentRow) => r.metrics[i]?.value },
      { name: `${m.category}.${m.metric}.points`, value: (r: AgentRow) => r.metrics[i]?.points },
    ]),
    { name: 'explanation', value: (r) => r.explanation.join(' ') },
  ];
  yield csvHeader(columns);
  for (const r of a.results) yield csvRow(columns, r);
}

export const appraisalCsvFilename = (a: AppraisalOut) => `appraisal-${a.ruleId}-${a.period}.csv`;
