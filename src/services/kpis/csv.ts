import type { KpiResponse } from '../../contracts/kpis';
import { GROUP_KEYS } from '../../domain/kpi/report';
import { type CsvColumn, csvHeader, csvRow } from '../../lib/csv';

type KpiRow = KpiResponse['rows'][number];

/** `values`: one column per metric; `full`: each also with its numerator, denominator and status. */
export const KPI_CSV_COLUMNS = ['values', 'full'] as const;
export type KpiCsvColumns = (typeof KPI_CSV_COLUMNS)[number];

/** The metric ids of a request's `metrics`, in the order given, each once (the order of the CSV columns). */
export function requestedMetrics(metrics: string): string[] {
  return [
    ...new Set(
      metrics
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * The columns of a KPI report as a table: `start`, `end`, one per `groupBy` dimension (`queueId`, `teamId`,
 * `agentId`, `siteId`, `direction`), then per metric `<id>` (its value) and, with `full`, `<id>.numerator`,
 * `<id>.denominator` and `<id>.status`. The metrics come from the request, so a report without rows still has
 * its header. Per-reason breakdowns (`byReason`) stay in the JSON answer: their columns would depend on the data.
 */
export function kpiCsvColumns(report: KpiResponse, metrics: readonly string[], columns: KpiCsvColumns): CsvColumn<KpiRow>[] {
  const out: CsvColumn<KpiRow>[] = [
    { name: 'start', value: (r) => r.start },
    { name: 'end', value: (r) => r.end },
  ];
  for (const d of report.groupBy) {
    const key = GROUP_KEYS[d];
    out.push({ name: key, value: (r) => r.group[key] });
  }
  for (const id of metrics) {
    out.push({ name: id, value: (r) => r.metrics[id]?.value });
    if (columns === 'full') {
      out.push(
        { name: `${id}.numerator`, value: (r) => r.metrics[id]?.numerator },
        { name: `${id}.denominator`, value: (r) => r.metrics[id]?.denominator },
        { name: `${id}.status`, value: (r) => r.metrics[id]?.status },
      );
    }
  }
  return out;
}

/** The report as CSV lines, header first, one row per (period, group) in the report's order. */
export function* kpiCsvLines(report: KpiResponse, metrics: readonly string[], columns: KpiCsvColumns): Generator<string> {
  const table = kpiCsvColumns(report, metrics, columns);
  yield csvHeader(table);
  for (const row of report.rows) yield csvRow(table, row);
}

/** `kpis-<interval>-<from>-<to>.csv`, dates of the range in UTC. */
export function kpiCsvFilename(report: KpiResponse): string {
  const day = (iso: string) => iso.slice(0, 16).replace(':', '');
  return `kpis-${report.interval}-${day(report.from)}-${day(report.to)}.csv`;
}
