/**
 * docs/kpis.md, generated from the KPI catalog (src/domain/kpi/catalog.ts) and the settings' own descriptions and
 * defaults (src/domain/settings.ts), so the page can never drift from what `GET /v1/kpis/catalog` serves.
 * `npm run docs:kpis` writes it (through test/node/kpi-docs.test.ts, as `npm run openapi` writes openapi.json);
 * `npm test` fails when the committed page is not what this renders.
 */
import { KpiQuerySchema, MAX_KPI_ROWS, MAX_RANGE_DAYS } from '../src/contracts/kpis';
import { INTERVAL_LEVEL, MAX_BACKTEST_WEEKS } from '../src/domain/forecast/forecast';
import {
  BY_REASON_METRICS,
  METRICS,
  type MetricDefinition,
  type MetricKind,
  OUTBOUND_FACT_METRICS,
  type PolicySetting,
} from '../src/domain/kpi/catalog';
import { MAX_THRESHOLD_SECONDS } from '../src/domain/kpi/facts';
import { GROUP_DIMENSIONS } from '../src/domain/kpi/report';
import { DEFAULT_TENANT_SETTINGS, ServiceLevelPolicySchema, TenantSettingsSchema } from '../src/domain/settings';
import { INTERVALS } from '../src/domain/time/intervals';

/** Metrics of calls' outcomes after the agent (dispositions, surveys) and of the IVR before any queue. */
const QUALITY_IDS: readonly string[] = [
  'fcrDisposition',
  'fcrRepeatCaller',
  'csat',
  'csatMean',
  'surveyResponses',
  'complaints',
  'complaintRate',
  'ivrSelfServiceRate',
];

/** Metrics of outbound attempts (docs/outbound.md). */
const OUTBOUND_IDS: readonly string[] = [...OUTBOUND_FACT_METRICS, 'attemptsPerNumber'];

const GROUPS: readonly { title: string; intro: string; members: (m: MetricDefinition) => boolean }[] = [
  {
    title: 'Queue and call metrics',
    intro:
      'Read from the queue visits (each counted in the period where it started) and the agent segments of the queue ' +
      '(each counted where it connected). Grouped by agent, team or site, they are the calls that person handled.',
    members: (m) => m.scope === 'queue' && !QUALITY_IDS.includes(m.id),
  },
  {
    title: 'Agent metrics',
    intro:
      "Read from the agents' segments over all queues and from their state intervals, which are split across periods by " +
      'overlap (offline time is not kept). Agent time is not split by queue or direction: group these by agent, team or site.',
    members: (m) => m.scope === 'agent' && m.source === 'facts',
  },
  {
    title: 'People metrics',
    intro:
      "Read from the people records beside the calls: scheduled shifts against the agents' states (docs/attendance.md), " +
      'QA evaluations (docs/qa.md), training records (docs/training.md) and employment days (docs/people.md). Each agent ' +
      'contributes where the record falls (a shift where it starts, an evaluation where it was submitted, a training on ' +
      'its day; headcount and attrition per period), in the team and site of that time. Like agent time, they are not ' +
      'split by queue or direction, and they take no policy.',
    members: (m) => m.source !== 'facts' && m.source !== 'calls',
  },
  {
    title: 'IVR and quality metrics',
    intro:
      "First-contact resolution, surveys, complaints and the IVR. A call's disposition and survey count once, with the queue and agent of " +
      'its last agent segment, in the period where that segment connected. IVR sessions come before any queue: they are ' +
      'tenant metrics, grouped by direction at most.',
    members: (m) => QUALITY_IDS.includes(m.id) || (m.scope === 'tenant' && !OUTBOUND_IDS.includes(m.id)),
  },
  {
    title: 'Outbound metrics',
    intro:
      'Outbound attempts (`interaction.started` with `direction: outbound`), each counted in the period where it started and ' +
      'judged on all its agent segments and queue visits (docs/outbound.md). An attempt belongs to no queue or agent until ' +
      'it connects: they are tenant metrics, grouped by direction at most.',
    members: (m) => OUTBOUND_IDS.includes(m.id),
  },
];

const KIND_RULE: Record<MetricKind, string> = {
  count: 'sum the numerators',
  total: 'sum the numerators',
  mean: 'sum the numerators, sum the denominators, divide',
  ratio: 'sum the numerators, sum the denominators, divide',
  max: 'take the largest numerator; sum the denominators',
  snapshot: 'sum the numerators across groups of one period; across periods, take the last',
  distinct: 'do not combine rows (the denominator counts distinct things): ask for the larger period',
};

const UNIT_WORDS = {
  count: 'a number',
  ms: 'milliseconds',
  hours: 'hours',
  ratio: 'a ratio, 0..1',
  perHour: 'per hour: the numerator over a time in hours',
} as const;

/** Where each policy setting lives, its default, and whether a request can override it. */
function policyRows(): string[][] {
  const sl = ServiceLevelPolicySchema.shape;
  const d = DEFAULT_TENANT_SETTINGS.serviceLevel;
  const q = KpiQuerySchema.shape;
  const slRow = (k: keyof typeof sl & PolicySetting, range: string) => [
    `\`${k}\``,
    `\`serviceLevel.${k}\``,
    `\`${JSON.stringify(d[k])}\``,
    `\`serviceLevel.${k}\`${range}`,
    sl[k].description ?? '',
  ];
  return [
    slRow('thresholdSeconds', ` (0..${MAX_THRESHOLD_SECONDS})`),
    slRow('shortAbandonSeconds', ` (0..${MAX_THRESHOLD_SECONDS})`),
    slRow('abandonsInDenominator', ''),
    slRow('excludeShortAbandons', ''),
    slRow('flowOutsInDenominator', ''),
    slRow('abandonsWithinThresholdMet', ''),
    ['`csatSatisfiedScore`', '—', 'none: top-2-box', '`csatSatisfiedScore`', q.csatSatisfiedScore.description ?? ''],
    [
      '`complaintCategories`',
      '`complaintCategories`',
      `\`${JSON.stringify(DEFAULT_TENANT_SETTINGS.complaintCategories)}\``,
      '—',
      TenantSettingsSchema.shape.complaintCategories.description ?? '',
    ],
    [
      '`rightPartyCategories`',
      '`rightPartyCategories`',
      `\`${JSON.stringify(DEFAULT_TENANT_SETTINGS.rightPartyCategories)}\``,
      '—',
      TenantSettingsSchema.shape.rightPartyCategories.description ?? '',
    ],
    [
      '`fcrWindowHours`',
      '`fcrWindowHours`',
      `\`${DEFAULT_TENANT_SETTINGS.fcrWindowHours}\``,
      '—',
      TenantSettingsSchema.shape.fcrWindowHours.description ?? '',
    ],
  ];
}

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const anchor = (id: string) => `#${id.toLowerCase()}`;
const better = (h: boolean | null) => (h === null ? 'neither direction is better' : h ? 'yes' : 'no, lower is better');

function metricSection(m: MetricDefinition): string {
  const rows: string[][] = [
    ['id', `\`${m.id}\``],
    ['label', m.label],
    ['unit', `\`${m.unit}\` (${UNIT_WORDS[m.unit]})`],
    ['kind', `\`${m.kind}\`: across rows, ${KIND_RULE[m.kind]}`],
    ['scope', `\`${m.scope}\``],
    ['numerator', m.numerator],
    ['denominator', m.denominator ?? '— (the value is the numerator)'],
    ['policy settings', m.policy.length ? m.policy.map((p) => `[\`${p}\`](#policy-settings)`).join(', ') : 'none'],
    ['higher is better', better(m.higherIsBetter)],
  ];
  if ((BY_REASON_METRICS as readonly string[]).includes(m.id)) {
    rows.push(['by reason', 'also per away reason code, in `byReason` ("" for none given)']);
  }
  if (!m.fromFacts) rows.push(['`GET /v1/kpis`', 'defined, not computed yet (`available: false` in the catalog)']);
  return [`### \`${m.id}\``, '', m.definition, '', table(['field', 'value'], rows)].join('\n');
}

/** The whole page, Markdown, ending in a newline. */
export function kpiDocsMarkdown(): string {
  const grouped = GROUPS.map((g) => ({ ...g, metrics: METRICS.filter((m) => g.members(m)) }));
  const sl = DEFAULT_TENANT_SETTINGS.serviceLevel;
  const out: string[] = [
    '# KPIs',
    '',
    '<!-- Generated from src/domain/kpi/catalog.ts by `npm run docs:kpis`; do not edit by hand. -->',
    '',
    `Every metric \`GET /v1/kpis\` computes, as the catalog defines it (the same list \`GET /v1/kpis/catalog\` serves), ` +
      'and the volume profile of `GET /v1/kpis/volume-profile`. Requests and answers by example: [api.md](api.md#kpis).',
    '',
    '## How values are given',
    '',
    `**Units.** \`count\`; \`ms\` for every duration (milliseconds); \`ratio\` for rates, 0..1 (0.8 is 80 %, never a ` +
      'percent).',
    '',
    '**Values, numerators, denominators.** Each metric of a row is `{ value, numerator, denominator, unit, status }`. ' +
      '`value` is numerator / denominator for means and ratios, and the numerator itself for counts, totals and maxima ' +
      "(counts and totals have a null `denominator`; a maximum's is the number of visits it was taken over). " +
      '`value` is null when the denominator is 0: no calls is not 0 %.',
    '',
    '**Re-aggregating.** Rows can be combined client-side without error (days into a week, queues into a group of ' +
      'queues) from the numerators and denominators, never by averaging values:',
    '',
    table(
      ['kind', 'combine rows by'],
      (['count', 'total', 'mean', 'ratio', 'max'] as const).map((k) => [`\`${k}\``, KIND_RULE[k]]),
    ),
    '',
    `**Service level and short abandons are exact for any threshold from 0 to ${MAX_THRESHOLD_SECONDS} s.** Each ` +
      'period keeps how many visits of each outcome waited each whole second (slot = the wait in ms / 1000, rounded ' +
      `up; waits over ${MAX_THRESHOLD_SECONDS} s share one slot), and "within T" means wait ≤ T × 1000 ms, which is ` +
      "exactly slot ≤ T for a whole-second T. So the tenant's threshold, a queue's, or one given in the request " +
      '(`serviceLevel.thresholdSeconds`, `serviceLevel.shortAbandonSeconds`) all give the exact count, and judgements ' +
      '("met", "short abandon") are made when the question is asked: a change of policy applies to all history at once.',
    '',
    '**Where answers come from.** From rollups: the facts of every 15-minute bucket (and of every day in the ' +
      "tenant's zone), recomputed from the records by each flush that touches them, never added to. A bucket a flush " +
      'could not recompute yet (a backlog draining, a failure) is read from its records, and state time still open is ' +
      'counted up to the moment of the request. `source=records` computes the same answer from the records alone, to ' +
      'verify one; `GET /v1/kpis/explain` lists the records behind a cell.',
    '',
    '**Where periods are cut.** `interval` is one of ' +
      `${INTERVALS.map((i) => `\`${i}\``).join(', ')}. Periods are cut at the local wall-clock boundaries of ` +
      "`timeZone` (default: the tenant's): hours, days, ISO weeks (from Monday) and months, DST included. A day is " +
      '23 to 25 hours long; a local hour that a fall back repeats is two rows (one per offset, each with its own ' +
      '`start`), one that a spring forward skips has no row; 15- and 30-minute periods work in every zone (Asia/Kathmandu, ' +
      '+5:45, too). `from` and `to` are rounded outward to 15-minute boundaries, then to whole periods (`total` is ' +
      `exactly the range). A range spans at most ${MAX_RANGE_DAYS} days (422 with a pointer to \`to\` beyond) and an ` +
      `answer holds at most ${MAX_KPI_ROWS.toLocaleString('en-US')} rows (422 \`RESULT_TOO_LARGE\` beyond).`,
    '',
    '**Where things count.** A queue visit counts in the period where it started (joined the queue), whatever its ' +
      'outcome and whenever it ended; an agent segment where it connected; agent state time is split across periods ' +
      'by overlap; a break where it started; a disposition or survey with the last agent segment of its call; an IVR ' +
      'session where it completed.',
    '',
    `**Grouping.** \`groupBy\` any of ${GROUP_DIMENSIONS.map((d) => `\`${d}\``).join(', ')}. An agent's team and ` +
      'site are taken as of the time of each segment or state interval (moving an agent on 1 March leaves February ' +
      'with the old team). Agent metrics cannot be grouped by queue or direction; IVR metrics by direction only.',
    '',
    '**`status`.** `complete`, or `partial` when the value may still change: the period has not ended yet, a visit ' +
      'offered in it is still waiting (queue metrics), or an agent state interval in it is still open (agent metrics).',
    '',
    '## Policy settings',
    '',
    "The settings metrics depend on (each metric below lists its own). The service-level fields are the tenant's " +
      '(`PATCH /v1/settings`), overridden per queue (`PATCH /v1/queues/{queueId}`, used for rows grouped by queue) and ' +
      'per request (query parameters of `GET /v1/kpis`, which win over both).',
    '',
    table(['setting', 'tenant setting', 'default', 'request parameter', 'meaning'], policyRows()),
    '',
    `\`serviceLevel.targetPercent\` (default ${sl.targetPercent}) is the goal service level is compared with; it ` +
      'changes no value.',
    '',
    '## Metrics',
    '',
    ...grouped.flatMap((g) => [`- ${g.title}: ${g.metrics.map((m) => `[\`${m.id}\`](${anchor(m.id)})`).join(', ')}`]),
    '',
  ];
  for (const g of grouped) {
    out.push(`## ${g.title}`, '', g.intro, '');
    for (const m of g.metrics) out.push(metricSection(m), '');
  }
  out.push(
    '## Volume profile',
    '',
    '`GET /v1/kpis/volume-profile?from&to&timeZone&queueIds&metric` shows busy and idle hours: queue visits ' +
      '(`offered`, or those `answered` or `abandoned`) counted by the local hour of day and ISO weekday they started in, ' +
      "in `timeZone` (default: the tenant's). It answers 168 `cells` (Monday 00:00 first), each with:",
    '',
    table(
      ['field', 'meaning'],
      [
        ['`weekday`, `hour`', 'ISO weekday, 1 (Monday) to 7 (Sunday), and the local hour, 0 to 23'],
        ['`count`', 'visits that started in such hours of the range'],
        [
          '`hours`',
          'how many such hours the range held: a local hour that a fall back repeats counts twice, one that a spring ' +
            "forward skips zero, one a 30-minute change cuts (Australia/Lord_Howe) 0.5; hours after now don't count yet",
        ],
        ['`perHour`', '`count / hours`, the exact average per hour; null when `hours` is 0'],
      ],
    ),
    '',
    'The same by hour of day over all weekdays (`byHourOfDay.rows`, 24) and by weekday (`byWeekday.rows`, 7), and ' +
      '`total`. For the cells and for each of those lists: `peak`, the row with the highest `perHour`; `trough`, the ' +
      'quietest (the lowest `perHour`, zero included; the first in order among equals); and `peakToTroughRatio`, ' +
      '`peak.perHour / trough.perHour`, which is **null when the trough averaged 0** (the ratio would be infinite) or ' +
      'no row had hours. Peak and trough compare averages, not counts, so a range of ten days (two Mondays, one Friday) ' +
      `or one with a DST change compares fairly. The range is rounded outward to whole local hours (at most ${MAX_RANGE_DAYS} ` +
      'days); `status` is `partial` when it reaches past now or a visit in it still waits.',
    '',
    '## Forecast accuracy',
    '',
    "`GET /v1/forecasts` ([forecasts.md](forecasts.md)) gives beside each queue's forecast how well its method forecast " +
      `the last weeks of its training: a rolling-origin backtest holds out each of the last ${MAX_BACKTEST_WEEKS} weeks ` +
      '(fewer in a short history) in turn, forecasts it from the days before, and compares it with what happened, ' +
      'quarter hour by quarter hour of `offered`. Holidays and outlier days are not scored; the sums run over every ' +
      'other quarter hour of the held-out weeks, quiet ones included.',
    '',
    table(
      ['measure', 'definition', 'reads'],
      [
        [
          '`wape`',
          'Σ \\|actual − forecast\\| / Σ actual',
          'Weighted absolute percentage error: the share of the volume the forecast put in the wrong quarter hour or ' +
            'missed. 0 is perfect. Busy intervals weigh most, and an interval with no call is no division by zero (as it ' +
            'is for MAPE). The method with the least WAPE is chosen.',
        ],
        [
          '`bias`',
          'Σ (forecast − actual) / Σ actual',
          'Above 0 the forecast is too high (staffing for calls that do not come), below 0 too low; between −WAPE and WAPE.',
        ],
        [
          '`ahtWape`',
          'Σ \\|handled × forecast AHT − handle time\\| / Σ handle time',
          'The AHT forecast weighed by the calls actually handled: the share of the handle time (the workload) it misplaced.',
        ],
      ],
    ),
    '',
    'All three are null when the held-out quarter hours had nothing to compare with (no call offered, or none handled). ' +
      'Calls arrive at random, so no forecast reaches 0 in 15-minute intervals: at λ calls an interval, even the true ' +
      'rate leaves a WAPE of about √(2 / (πλ)) — 0.25 at 10 calls, 0.56 at 2. The prediction intervals ' +
      `(${Math.round(INTERVAL_LEVEL * 100)} %) come from the same backtest's errors.`,
    '',
  );
  return out.join('\n');
}
