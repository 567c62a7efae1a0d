/**
 * The catalog of KPI definitions: the one place each metric is named and defined in words. `compute.ts` holds
 * the maths, `facts.ts` what it reads. `GET /v1/kpis/catalog` and `docs/kpis.md` are generated from this list,
 * so a definition here is the contract.
 */

/**
 * `count` of things, a duration in `ms` or in `hours` (training), a `ratio` in 0..1 (not a percent), or things
 * `perHour` (a count over a time in hours: contacts per logged-in hour).
 */
export type MetricUnit = 'count' | 'ms' | 'hours' | 'ratio' | 'perHour';

/**
 * How a metric's value combines across cells, so a client can re-aggregate rows: `count` and `total` add their
 * numerators; `mean` and `ratio` divide the summed numerator by the summed denominator; `max` takes the largest
 * numerator; `snapshot` is a level at the period's end (headcount): it adds across groups, not across periods;
 * `distinct` divides by a count of distinct things (numbers dialled), which does not add across periods: ask for
 * the larger period instead of combining rows.
 */
export type MetricKind = 'count' | 'total' | 'mean' | 'ratio' | 'max' | 'snapshot' | 'distinct';

/**
 * `queue`: read from queue cells (and queue × agent cells when grouped by agent); `agent`: from agent cells;
 * `tenant`: from tenant cells only (IVR, which comes before any queue, so queue filters do not apply).
 */
export type MetricScope = 'queue' | 'agent' | 'tenant';

/** Settings a metric's value depends on: the service-level policy's fields, the CSAT satisfied score, the complaint and right-party categories. */
export type PolicySetting =
  | 'thresholdSeconds'
  | 'shortAbandonSeconds'
  | 'abandonsInDenominator'
  | 'excludeShortAbandons'
  | 'flowOutsInDenominator'
  | 'abandonsWithinThresholdMet'
  | 'csatSatisfiedScore'
  | 'complaintCategories'
  | 'rightPartyCategories'
  | 'fcrWindowHours';

/**
 * What a metric is computed from: `facts`, the cell facts of the history records (rollups or records); `calls`,
 * handled calls judged at query time (repeat-caller FCR); or the people records beside the calls — `shifts` (against
 * agent states), `evaluations` (QA), `training` (training records), `employment` (agents' hired and left days).
 */
export type MetricSource = 'facts' | 'calls' | 'shifts' | 'evaluations' | 'training' | 'employment';

/** The sources of person metrics: per-agent contributions summed into rows (people.ts). */
export const PERSON_SOURCES = ['shifts', 'evaluations', 'training', 'employment'] as const;
export type PersonSource = (typeof PERSON_SOURCES)[number];

export interface MetricDefinition {
  id: string;
  label: string;
  unit: MetricUnit;
  kind: MetricKind;
  scope: MetricScope;
  definition: string;
  numerator: string;
  /** null for counts, totals and maxima: the value is the numerator. */
  denominator: string | null;
  /** The cell facts it reads (paths into `CellFacts`); empty when it is not computed from cell facts. */
  facts: readonly string[];
  policy: readonly PolicySetting[];
  /** null for volumes, where neither direction is better. */
  higherIsBetter: boolean | null;
  /** false: needs data across calls that cell facts do not hold (computed elsewhere, see its definition). */
  fromFacts: boolean;
  source: MetricSource;
}

const FLOW_OUT_IDS = {
  flowedOutTimeout: ['timeout', 'Flowed out: timeout', 'the queue timed the caller out (maximum wait reached)'],
  flowedOutNoAgents: ['no_agents', 'Flowed out: no agents', 'no agent was logged in or available to take the call'],
  flowedOutExitKey: ['exit_key', 'Flowed out: exit key', 'the caller pressed the exit key (e.g. to leave a voicemail)'],
  flowedOutTransferred: ['transferred', 'Flowed out: transferred', 'the call was transferred out of the queue before an answer'],
  flowedOutRejectedFull: ['rejected_full', 'Flowed out: queue full', 'the queue was full and refused the call'],
} as const;

const OUTCOMES = 'visits.byOutcome';
const ANS = `${OUTCOMES}.answered`;
const ABN = `${OUTCOMES}.abandoned`;
const FLOW = `${OUTCOMES}.{timeout,no_agents,exit_key,transferred,rejected_full}`;
const SHORT_ABANDON =
  'A short abandon is an abandoned visit that waited at most `shortAbandonSeconds` (wait ≤ S × 1000 ms, exact for any whole second 0..3600).';

const def = <I extends string>(
  d: Omit<MetricDefinition, 'fromFacts' | 'id' | 'source'> & { id: I; source?: MetricSource },
): MetricDefinition & { id: I } => ({ ...d, source: d.source ?? 'facts', fromFacts: (d.source ?? 'facts') === 'facts' });

/** A person metric: an agent's contributions from people records (no cell facts, no policy). */
const person = <I extends string>(
  d: Omit<MetricDefinition, 'fromFacts' | 'id' | 'source' | 'facts' | 'policy' | 'scope'> & {
    id: I;
    source: PersonSource;
  },
): MetricDefinition & { id: I } => def({ ...d, scope: 'agent', facts: [], policy: [] });

const flowOut = <I extends keyof typeof FLOW_OUT_IDS>(id: I) => {
  const [outcome, label, words] = FLOW_OUT_IDS[id];
  return def({
    id,
    label,
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: `Visits that flowed out because ${words} (outcome ${outcome}).`,
    numerator: `visits with outcome ${outcome}`,
    denominator: null,
    facts: [`visits.byOutcome.${outcome}.n`],
    policy: [],
    higherIsBetter: null,
  });
};

/** Every metric, in the order the catalog lists them. */
export const METRICS = [
  def({
    id: 'offered',
    label: 'Offered',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Queue visits that started in the interval (a visit counts where it started, whatever its outcome or whether it still waits). A call transferred to another queue is offered again there. Amazon Connect CONTACTS_QUEUED, Genesys nOffered.',
    numerator: 'visits started',
    denominator: null,
    facts: ['visits.waiting', `${OUTCOMES}.*.n`],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'waiting',
    label: 'Still waiting',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Visits offered in the interval that had not left the queue when the facts were last built; while any wait, the row is partial.',
    numerator: 'visits with no outcome yet',
    denominator: null,
    facts: ['visits.waiting'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'answered',
    label: 'Answered',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: 'Visits that left the queue answered by an agent (the first agent connect; Genesys "Answered", not "Handle").',
    numerator: 'visits with outcome answered',
    denominator: null,
    facts: [`${ANS}.n`],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'abandoned',
    label: 'Abandoned',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: 'Visits the caller left while waiting in the queue (hung up before an answer), short abandons included.',
    numerator: 'visits with outcome abandoned',
    denominator: null,
    facts: [`${ABN}.n`],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'shortAbandons',
    label: 'Short abandons',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: `${SHORT_ABANDON} An abandon with an unknown wait is never short.`,
    numerator: 'abandoned visits with wait ≤ shortAbandonSeconds',
    denominator: null,
    facts: [`${ABN}.bySecond`],
    policy: ['shortAbandonSeconds'],
    higherIsBetter: null,
  }),
  def({
    id: 'flowedOut',
    label: 'Flowed out',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Visits that left the queue unanswered without the caller hanging up: timeout, no agents, exit key, transferred before an answer, or queue full (Genesys flow-outs).',
    numerator: 'visits with outcome timeout, no_agents, exit_key, transferred or rejected_full',
    denominator: null,
    facts: [`${FLOW}.n`],
    policy: [],
    higherIsBetter: null,
  }),
  flowOut('flowedOutTimeout'),
  flowOut('flowedOutNoAgents'),
  flowOut('flowedOutExitKey'),
  flowOut('flowedOutTransferred'),
  flowOut('flowedOutRejectedFull'),
  def({
    id: 'unknown',
    label: 'Unknown outcome',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Visits whose outcome is unknown: closed by the sweeper after no event for `staleVisitMinutes`, or reported unknown by the provider. They are offered but in no service-level or rate numerator.',
    numerator: 'visits with outcome unknown',
    denominator: null,
    facts: [`${OUTCOMES}.unknown.n`],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'otherOutcomes',
    label: 'Other outcomes',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: 'Visits that left with outcome error or other: offered, but neither answered, abandoned nor flowed out.',
    numerator: 'visits with outcome error or other',
    denominator: null,
    facts: [`${OUTCOMES}.error.n`, `${OUTCOMES}.other.n`],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'serviceLevel',
    label: 'Service level',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition: `Share of visits handled within the threshold T (wait ≤ T × 1000 ms, T any whole second 0..3600), with Genesys's calculation options. Met: answered visits with wait ≤ T, plus — when abandonsWithinThresholdMet and abandonsInDenominator — abandons with wait ≤ T that are in the denominator. Denominator: answered, plus abandoned when abandonsInDenominator (less short abandons when excludeShortAbandons), plus flowed-out visits when flowOutsInDenominator. Visits still waiting, of unknown outcome, error or other are in neither. An answered visit with an unknown wait counts in the denominator, never as met. ${SHORT_ABANDON}`,
    numerator: 'answered within T (+ abandoned within T, not short, when abandons within T count as met)',
    denominator: 'answered + abandoned (− short abandons) + flowed out, each as the policy switches say',
    facts: [`${ANS}.bySecond`, `${ANS}.n`, `${ABN}.bySecond`, `${ABN}.n`, `${FLOW}.n`],
    policy: [
      'thresholdSeconds',
      'shortAbandonSeconds',
      'abandonsInDenominator',
      'excludeShortAbandons',
      'flowOutsInDenominator',
      'abandonsWithinThresholdMet',
    ],
    higherIsBetter: true,
  }),
  def({
    id: 'answerRate',
    label: 'Answer rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      'Answered / offered (接通率, Genesys Answer %). When excludeShortAbandons, short abandons leave the denominator, as they leave the abandon rate: the two rates share one denominator.',
    numerator: 'answered',
    denominator: 'offered (− short abandons when excluded)',
    facts: [`${OUTCOMES}.*.n`, 'visits.waiting', `${ABN}.bySecond`],
    policy: ['excludeShortAbandons', 'shortAbandonSeconds'],
    higherIsBetter: true,
  }),
  def({
    id: 'abandonRate',
    label: 'Abandon rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      'Abandoned / offered (Genesys Abandon %; Amazon Connect ABANDONMENT_RATE divides by contacts queued, the same count here). When excludeShortAbandons, short abandons leave both the numerator and the denominator.',
    numerator: 'abandoned (− short abandons when excluded)',
    denominator: 'offered (− short abandons when excluded)',
    facts: [`${OUTCOMES}.*.n`, 'visits.waiting', `${ABN}.bySecond`],
    policy: ['excludeShortAbandons', 'shortAbandonSeconds'],
    higherIsBetter: false,
  }),
  def({
    id: 'asa',
    label: 'Average speed of answer',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean wait of answered visits, from joining this queue to the answer (Amazon Connect AVG_QUEUE_ANSWER_TIME, Genesys tAnswered). The clock starts at the queue join, so a transferred call is timed from its arrival in this queue.',
    numerator: 'sum of waits of answered visits (ms)',
    denominator: 'answered visits with a known wait',
    facts: [`${ANS}.sumMs`, `${ANS}.timed`],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgQueueTime',
    label: 'Average queue time',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean wait of every visit that left the queue, whatever its outcome (answered, abandoned, flowed out, other); visits still waiting are not included.',
    numerator: 'sum of waits of visits that left (ms)',
    denominator: 'visits that left with a known wait',
    facts: [`${OUTCOMES}.*.sumMs`, `${OUTCOMES}.*.timed`],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgAbandonTime',
    label: 'Average abandon time',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean wait of abandoned visits before the caller hung up, short abandons included (Amazon Connect AVG_ABANDON_TIME, Genesys tAbandon).',
    numerator: 'sum of waits of abandoned visits (ms)',
    denominator: 'abandoned visits with a known wait',
    facts: [`${ABN}.sumMs`, `${ABN}.timed`],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'maxWait',
    label: 'Longest wait',
    unit: 'ms',
    kind: 'max',
    scope: 'queue',
    definition:
      'The longest wait of a visit that left the queue, whatever its outcome (Amazon Connect MAX_QUEUED_TIME). Combines across rows by maximum; the denominator is the number of visits it was taken over.',
    numerator: 'longest wait (ms)',
    denominator: 'visits that left with a known wait',
    facts: [`${OUTCOMES}.*.maxMs`, `${OUTCOMES}.*.timed`],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgTalkTime',
    label: 'Average talk time',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean talk time per handled segment: connect to disconnect minus hold. A segment is one agent on one call, so a call passed between two agents gives two (Genesys tTalkComplete). Segments count where they connected; only disconnected ones are averaged.',
    numerator: 'sum of talk time (ms)',
    denominator: 'handled segments',
    facts: ['segments.talkMs', 'segments.handled'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'avgHoldTime',
    label: 'Average hold time',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean total hold time of the handled segments that had a hold (Amazon Connect AVG_HOLD_TIME: calls never held are left out; AHT carries hold over all calls).',
    numerator: 'sum of hold time (ms)',
    denominator: 'handled segments with at least one hold',
    facts: ['segments.holdMs', 'segments.withHold'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgAcw',
    label: 'Average after-call work',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      'Mean after-call work (wrap-up start to end) of the handled segments whose wrap-up ended; segments without wrap-up are left out, one still wrapping up makes the row partial.',
    numerator: 'sum of ACW (ms)',
    denominator: 'handled segments with a finished wrap-up',
    facts: ['segments.acwMs', 'segments.withAcw'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'aht',
    label: 'Average handle time',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition:
      '(Talk + hold + after-call work) / handled segments: the vendor norm (Genesys tHandle, Amazon Connect AVG_HANDLE_TIME). A segment without wrap-up adds no ACW.',
    numerator: 'talk + hold + ACW (ms)',
    denominator: 'handled segments',
    facts: ['segments.talkMs', 'segments.holdMs', 'segments.acwMs', 'segments.handled'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgTalkPlusAcw',
    label: 'Average talk + ACW',
    unit: 'ms',
    kind: 'mean',
    scope: 'queue',
    definition: '(Talk + after-call work) / handled segments: handle time without hold, as some contact centers report it.',
    numerator: 'talk + ACW (ms)',
    denominator: 'handled segments',
    facts: ['segments.talkMs', 'segments.acwMs', 'segments.handled'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'transferRate',
    label: 'Transfer rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      'Handled segments that ended in a transfer (to another agent, queue or number) / handled segments. Counted per agent participation, as Genesys nTransferred is, so an answered call passed on twice counts twice.',
    numerator: 'handled segments that transferred the call',
    denominator: 'handled segments',
    facts: ['segments.transferred', 'segments.handled'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'holdRate',
    label: 'Hold rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition: 'Handled segments with at least one hold / handled segments.',
    numerator: 'handled segments with a hold',
    denominator: 'handled segments',
    facts: ['segments.withHold', 'segments.handled'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'inbound',
    label: 'Inbound',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Offered visits of inbound calls (Amazon Connect CONTACTS_QUEUED with initiation method inbound). Visits whose call has no known direction are in neither inbound nor outbound.',
    numerator: 'visits of inbound interactions',
    denominator: null,
    facts: ['visits.byDirection.inbound'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'outbound',
    label: 'Outbound',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      'Handled segments of outbound calls (Amazon Connect CONTACTS_HANDLED_OUTBOUND): an agent-dialled call seldom waits in a queue, so it is counted where an agent handled it, not as a visit.',
    numerator: 'handled segments of outbound interactions',
    denominator: null,
    facts: ['segments.byDirection.outbound'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'fcrDisposition',
    label: 'First-contact resolution (disposition)',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      'Calls dispositioned as resolved on first contact / dispositioned calls. A call counts once, with the queue and agent of its last agent segment, in the interval where that segment connected (without a segment: its last visit; without either: the tenant, when it was dispositioned).',
    numerator: 'dispositioned resolved',
    denominator: 'dispositioned',
    facts: ['quality.resolved', 'quality.dispositioned'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'fcrRepeatCaller',
    label: 'First-contact resolution (repeat caller)',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      'Handled calls whose caller (salted hash of the number) did not call again within `fcrWindowHours` / handled calls whose window has closed. Calls whose window is still open are reported as pending, in neither count. It needs the same caller across calls and cells, so it is computed from the interactions table, not from cell facts.',
    numerator: 'handled calls with no repeat call within the window',
    denominator: 'handled calls whose window has closed',
    facts: [],
    policy: ['fcrWindowHours'],
    higherIsBetter: true,
    source: 'calls',
  }),
  def({
    id: 'csat',
    label: 'CSAT',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      "Survey responses with a satisfied score / responses. Satisfied: score ≥ the survey's own `satisfiedScore` when it gave one (`POST /v1/surveys`, or the `survey.completed` event), else ≥ `csatSatisfiedScore` when the request sets it, else top-2-box on the response's own scale (score ≥ scaleMax − 1: 4 or 5 on 1–5). A response counts with the call's last agent segment, like fcrDisposition.",
    numerator: 'satisfied responses',
    denominator: 'survey responses',
    facts: ['quality.surveyScores', 'quality.surveys'],
    policy: ['csatSatisfiedScore'],
    higherIsBetter: true,
  }),
  def({
    id: 'csatMean',
    label: 'CSAT mean score',
    unit: 'count',
    kind: 'mean',
    scope: 'queue',
    definition: 'Mean survey score, on the scale the responses were given in (a tenant is expected to use one scale).',
    numerator: 'sum of scores',
    denominator: 'survey responses',
    facts: ['quality.surveyScores', 'quality.surveys'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'surveyResponses',
    label: 'Survey responses',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition: 'Survey responses received for calls attributed to the cell (see csat).',
    numerator: 'survey responses',
    denominator: null,
    facts: ['quality.surveys'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'complaints',
    label: 'Complaints',
    unit: 'count',
    kind: 'count',
    scope: 'queue',
    definition:
      "Complaints (客户抱怨): calls dispositioned with a category that is one of the tenant's `complaintCategories` (settings), counted once, with the queue and agent of the call's last agent segment, like fcrDisposition. The setting is applied when the KPI is asked for, so a change applies to all history. Also given per complaint category (`byCategory`).",
    numerator: 'dispositioned calls of a complaint category',
    denominator: null,
    facts: ['quality.dispositionsByCategory'],
    policy: ['complaintCategories'],
    higherIsBetter: false,
  }),
  def({
    id: 'complaintRate',
    label: 'Complaint rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'queue',
    definition:
      "Complaints / handled calls with a disposition (a complaint is known only from a disposition, so the calls that could be one are the dispositioned ones; where every handled call is dispositioned, as wrap-up codes usually make it, that is every handled call). Both are attributed like fcrDisposition, to the call's last agent segment, so the rate works per queue, agent, team and site. Also given per complaint category (`byCategory`).",
    numerator: 'complaints',
    denominator: 'dispositioned calls',
    facts: ['quality.dispositionsByCategory', 'quality.dispositioned'],
    policy: ['complaintCategories'],
    higherIsBetter: false,
  }),
  def({
    id: 'ivrSelfServiceRate',
    label: 'IVR self-service rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'tenant',
    definition:
      'IVR sessions completed without reaching a queue / IVR sessions, in the interval the IVR completed. IVR comes before any queue, so this is a tenant metric: queue and agent filters do not apply.',
    numerator: 'self-served IVR sessions',
    denominator: 'IVR sessions',
    facts: ['quality.ivrSelfServed', 'quality.ivrSessions'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'outboundAttempts',
    label: 'Outbound attempts',
    unit: 'count',
    kind: 'count',
    scope: 'tenant',
    definition:
      'Outbound interactions (`interaction.started` with `direction: outbound`) that started in the interval, each counted once where it started, whatever happened next. A dialled number that rang out, was busy or reached a machine is an attempt too. An attempt belongs to no queue or agent until it connects, so this is a tenant metric: queue and agent filters do not apply.',
    numerator: 'outbound interactions started',
    denominator: null,
    facts: ['quality.outboundAttempts'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'outboundConnects',
    label: 'Outbound connects',
    unit: 'count',
    kind: 'count',
    scope: 'tenant',
    definition:
      'Outbound attempts that reached a person: the interaction has an agent segment (`agent.connected`: the agent is speaking with the callee) or a queue visit (`queue.joined`: a predictive dialer queues only calls a person answered, screened by its answering-machine detection). Counted with the attempt, where it started. A provider must send neither event for a call that rang out, was busy or reached a machine.',
    numerator: 'outbound attempts with an agent segment or a queue visit',
    denominator: null,
    facts: ['quality.outboundConnects'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'connectRate',
    label: 'Connect rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'tenant',
    definition: 'Outbound connects / outbound attempts, both counted where the attempt started.',
    numerator: 'outbound connects',
    denominator: 'outbound attempts',
    facts: ['quality.outboundConnects', 'quality.outboundAttempts'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'rightPartyContacts',
    label: 'Right-party contacts',
    unit: 'count',
    kind: 'count',
    scope: 'tenant',
    definition:
      "Outbound connects dispositioned (`call.dispositioned` attrs.category) with a category that is one of the tenant's `rightPartyCategories` (settings): the person the campaign wanted was reached. Counted with the attempt, where it started. The setting is applied when the KPI is asked for, so a change applies to all history; with none set, there are none.",
    numerator: 'outbound connects of a right-party category',
    denominator: null,
    facts: ['quality.outboundConnectsByCategory'],
    policy: ['rightPartyCategories'],
    higherIsBetter: true,
  }),
  def({
    id: 'rightPartyRate',
    label: 'Right-party rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'tenant',
    definition: 'Right-party contacts / outbound connects (of the people reached, the share who were the person wanted).',
    numerator: 'right-party contacts',
    denominator: 'outbound connects',
    facts: ['quality.outboundConnectsByCategory', 'quality.outboundConnects'],
    policy: ['rightPartyCategories'],
    higherIsBetter: true,
  }),
  def({
    id: 'predictiveAbandonRate',
    label: 'Predictive abandon rate',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'tenant',
    definition:
      "The dialer's abandoned-call rate under the 3 % rule, as Ofcom (UK) defines it in its persistent-misuse policy: abandoned calls / live calls. An abandoned call is an outbound connect whose person was put in a queue and hung up (or was hung up on) before any agent connected: it has an abandoned queue visit and no agent segment. Live calls are the outbound connects (answered by a person, answering machines excluded). Both are counted where the attempt started; the rule applies per campaign or call centre over 24 hours (Ofcom) or 30 days (US FTC TSR, the same ratio): choose the interval accordingly.",
    numerator: 'outbound connects with an abandoned queue visit and no agent segment',
    denominator: 'outbound connects',
    facts: ['quality.outboundAbandoned', 'quality.outboundConnects'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'attemptsPerNumber',
    label: 'Attempts per number',
    unit: 'count',
    kind: 'distinct',
    scope: 'tenant',
    definition:
      "Outbound attempts / distinct numbers dialled, in the period: how hard each number is worked. The number is the events' `caller` of an outbound call (the number dialled), kept as its salted hash; attempts without one cannot be matched and are in neither count. Distinct numbers do not add across periods (a number dialled on Monday and Tuesday is one number in the week), so it is computed from the interactions table for each period asked, not from cell facts; a period's value is not the sum of its parts.",
    numerator: 'outbound attempts with a known number',
    denominator: 'distinct numbers among them',
    facts: [],
    policy: [],
    higherIsBetter: null,
    source: 'calls',
  }),
  def({
    id: 'contactsPerHour',
    label: 'Contacts per hour',
    unit: 'perHour',
    kind: 'mean',
    scope: 'agent',
    definition:
      "Right-party contacts per logged-in hour, per agent: outbound connects an agent spoke with (an agent segment) dispositioned with a category that is one of the tenant's `rightPartyCategories` (applied when the KPI is asked for, like rightPartyContacts) / the agent's logged-in hours (loggedInTime in hours). A contact is the agent's who handled it — the call's last agent segment, as dispositions are attributed — and counts where that segment connected, not where the attempt started (rightPartyContacts): that is when the agent was logged in and working it, so the contact and the hours it is divided by are the same agent's in the same interval, and the count moves with the agent's team and site. Summed over agents (a team, a site), it is the contacts over the hours. A contact queued by the dialer and never taken by an agent is nobody's and in no agent's count.",
    numerator: 'right-party contacts the agent handled (outbound connects of a right-party category, last agent segment)',
    denominator: 'logged-in time (hours)',
    facts: ['quality.agentOutboundByCategory', 'states.ms'],
    policy: ['rightPartyCategories'],
    higherIsBetter: true,
  }),
  def({
    id: 'handled',
    label: 'Handled',
    unit: 'count',
    kind: 'count',
    scope: 'agent',
    definition:
      'Segments the agent handled to the end (connected in the interval and disconnected): any participation in a call, transfers received included (Genesys "Handle", as opposed to the queue\'s "Answered").',
    numerator: 'handled segments',
    denominator: null,
    facts: ['segments.handled'],
    policy: [],
    higherIsBetter: true,
  }),
  def({
    id: 'agentAht',
    label: 'Agent average handle time',
    unit: 'ms',
    kind: 'mean',
    scope: 'agent',
    definition: "The agent's (talk + hold + ACW) / handled segments, over all queues (or one, when grouped by queue).",
    numerator: 'talk + hold + ACW (ms)',
    denominator: 'handled segments',
    facts: ['segments.talkMs', 'segments.holdMs', 'segments.acwMs', 'segments.handled'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'loggedInTime',
    label: 'Logged-in time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition: 'Time in any state but offline (available, busy, wrap-up, away), split across intervals by overlap.',
    numerator: 'available + busy + wrap-up + away time (ms)',
    denominator: null,
    facts: ['states.ms'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'availableTime',
    label: 'Available time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition: 'Time in the available state (ready and idle), split by overlap.',
    numerator: 'available time (ms)',
    denominator: null,
    facts: ['states.ms.available'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'busyTime',
    label: 'Busy time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition: 'Time in the busy state (on a call), split by overlap. Wrap-up is apart (wrapupTime).',
    numerator: 'busy time (ms)',
    denominator: null,
    facts: ['states.ms.busy'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'wrapupTime',
    label: 'Wrap-up time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition: 'Time in the wrap-up state, split by overlap.',
    numerator: 'wrap-up time (ms)',
    denominator: null,
    facts: ['states.ms.wrapup'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'awayTime',
    label: 'Away time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition: 'Time in the away (not ready) state, split by overlap; also given per reason code.',
    numerator: 'away time (ms)',
    denominator: null,
    facts: ['states.ms.away', 'states.awayMsByReason'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'breaks',
    label: 'Breaks',
    unit: 'count',
    kind: 'count',
    scope: 'agent',
    definition:
      'Away periods that started in the interval (each away state interval is one break, so a change of reason starts another); also given per reason code.',
    numerator: 'away periods started',
    denominator: null,
    facts: ['states.breaksByReason'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'breakTime',
    label: 'Break time',
    unit: 'ms',
    kind: 'total',
    scope: 'agent',
    definition:
      'Whole duration of the breaks that started in the interval, counted where they started (an open break up to now); awayTime is the same time split by overlap instead. Also given per reason code.',
    numerator: 'duration of breaks started (ms)',
    denominator: null,
    facts: ['states.breaksByReason'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'avgBreakTime',
    label: 'Average break',
    unit: 'ms',
    kind: 'mean',
    scope: 'agent',
    definition: 'breakTime / breaks: the mean length of a break.',
    numerator: 'duration of breaks started (ms)',
    denominator: 'breaks started',
    facts: ['states.breaksByReason'],
    policy: [],
    higherIsBetter: false,
  }),
  def({
    id: 'occupancy',
    label: 'Occupancy',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'agent',
    definition:
      'Handling time / (handling + available idle time), handling being busy + wrap-up state time (Genesys and Amazon Connect occupancy). Taken from the agent states, so it splits by overlap like the idle time it is compared with. Neither direction is better: too low wastes staff, too high burns agents out.',
    numerator: 'busy + wrap-up time (ms)',
    denominator: 'busy + wrap-up + available time (ms)',
    facts: ['states.ms.busy', 'states.ms.wrapup', 'states.ms.available'],
    policy: [],
    higherIsBetter: null,
  }),
  def({
    id: 'utilization',
    label: 'Utilization',
    unit: 'ratio',
    kind: 'ratio',
    scope: 'agent',
    definition:
      '(Handling + available idle time) / logged-in time (员工利用率): the share of logged-in time spent ready or working, i.e. not away.',
    numerator: 'busy + wrap-up + available time (ms)',
    denominator: 'logged-in time (ms)',
    facts: ['states.ms'],
    policy: [],
    higherIsBetter: true,
  }),
  person({
    id: 'attendanceRate',
    label: 'Attendance rate',
    unit: 'ratio',
    kind: 'ratio',
    source: 'shifts',
    definition:
      "出勤率: scheduled shifts attended / scheduled shifts ended, a shift counting where it starts. Attended: present (in a state the tenant's `attendance.presentStates` counts) at some time of the shift, from `leadMinutes` before its start (docs/attendance.md). Shifts not yet ended are in neither count.",
    numerator: 'shifts attended',
    denominator: 'shifts ended',
    higherIsBetter: true,
  }),
  person({
    id: 'lateArrivals',
    label: 'Late arrivals',
    unit: 'count',
    kind: 'count',
    source: 'shifts',
    definition:
      "Shifts whose first presence came more than the tenant's `attendance.lateGraceMinutes` after the shift's start (a shift counting where it starts).",
    numerator: 'shifts started late',
    denominator: null,
    higherIsBetter: false,
  }),
  person({
    id: 'earlyLeaves',
    label: 'Early leaves',
    unit: 'count',
    kind: 'count',
    source: 'shifts',
    definition:
      "Shifts whose last presence ended more than the tenant's `attendance.earlyLeaveGraceMinutes` before the shift's end.",
    numerator: 'shifts left early',
    denominator: null,
    higherIsBetter: false,
  }),
  person({
    id: 'absences',
    label: 'Absences',
    unit: 'count',
    kind: 'count',
    source: 'shifts',
    definition: 'Scheduled shifts that ended with no presence of the agent at any time of them.',
    numerator: 'shifts absent',
    denominator: null,
    higherIsBetter: false,
  }),
  person({
    id: 'adherence',
    label: 'Schedule adherence',
    unit: 'ratio',
    kind: 'ratio',
    source: 'shifts',
    definition:
      'Time in a state the scheduled activity allows (on queue: available, busy, wrap-up; break and lunch: away or offline; training, meeting, offline work: away) / scheduled time so far (Genesys adherence). GET /v1/attendance lists the exceptions.',
    numerator: 'scheduled time in adherence (ms)',
    denominator: 'scheduled time elapsed (ms)',
    higherIsBetter: true,
  }),
  person({
    id: 'conformance',
    label: 'Schedule conformance',
    unit: 'ratio',
    kind: 'ratio',
    source: 'shifts',
    definition:
      '实际工作率: on-queue time worked (available, busy, wrap-up) around the shift, from `leadMinutes` before to after it / on-queue time scheduled. Overtime takes it above 1.',
    numerator: 'on-queue time worked (ms)',
    denominator: 'on-queue time scheduled (ms)',
    higherIsBetter: true,
  }),
  person({
    id: 'qaScore',
    label: 'QA score',
    unit: 'ratio',
    kind: 'ratio',
    source: 'evaluations',
    definition:
      'Quality (监听分值): points earned / points possible over the submitted review evaluations of the agent (acknowledged, disputed and resolved ones included; calibration and drafts not), each where it was submitted. N/A answers drop out of the points possible; a failed critical item makes the evaluation earn 0 (docs/qa.md).',
    numerator: 'points earned',
    denominator: 'points possible',
    higherIsBetter: true,
  }),
  person({
    id: 'qaEvaluations',
    label: 'QA evaluations',
    unit: 'count',
    kind: 'count',
    source: 'evaluations',
    definition: 'Submitted review evaluations of the agent, counted where they were submitted (the sample behind qaScore).',
    numerator: 'evaluations submitted',
    denominator: null,
    higherIsBetter: null,
  }),
  person({
    id: 'trainingHours',
    label: 'Training hours',
    unit: 'hours',
    kind: 'total',
    source: 'training',
    definition: 'Hours of the training records of the agent, each counted on the day it was completed (docs/training.md).',
    numerator: 'training hours',
    denominator: null,
    higherIsBetter: true,
  }),
  person({
    id: 'examScore',
    label: 'Exam score',
    unit: 'ratio',
    kind: 'mean',
    source: 'training',
    definition: 'Mean of the exam results of the training records (score / the exam’s maximum), on the day each was completed.',
    numerator: 'sum of exam results (score / maximum)',
    denominator: 'exams taken',
    higherIsBetter: true,
  }),
  person({
    id: 'headcount',
    label: 'Headcount',
    unit: 'count',
    kind: 'snapshot',
    source: 'employment',
    definition:
      "Agents employed at the period's end — on the day that starts there: hired on or before it and `leftOn` after it (`leftOn` is the first day no longer employed; an agent deleted without one left the day it was deleted) — in the team and site of their last day in the period. A level: it adds across teams, not across periods (GET /v1/people/headcount's headcountEnd).",
    numerator: "agents employed at the period's end",
    denominator: null,
    higherIsBetter: null,
  }),
  person({
    id: 'attritionRate',
    label: 'Attrition rate',
    unit: 'ratio',
    kind: 'ratio',
    source: 'employment',
    definition:
      "员工流失率: agents who left in the period / the average headcount ((employed on the period's first day + employed on the day after it) / 2). A leaver counts in the team of their last day.",
    numerator: 'leavers',
    denominator: 'average headcount',
    higherIsBetter: false,
  }),
] as const satisfies readonly MetricDefinition[];

export type MetricId = (typeof METRICS)[number]['id'];
/** The metrics of outbound attempts computed from cell facts (docs/outbound.md); `attemptsPerNumber` is judged per call. */
export const OUTBOUND_FACT_METRICS = [
  'outboundAttempts',
  'outboundConnects',
  'connectRate',
  'rightPartyContacts',
  'rightPartyRate',
  'predictiveAbandonRate',
] as const satisfies readonly MetricId[];

/** The metrics computed from people records, per agent (`source` shifts, evaluations, training, employment). */
export const PERSON_METRICS = [
  'attendanceRate',
  'lateArrivals',
  'earlyLeaves',
  'absences',
  'adherence',
  'conformance',
  'qaScore',
  'qaEvaluations',
  'trainingHours',
  'examScore',
  'headcount',
  'attritionRate',
] as const satisfies readonly MetricId[];
export type PersonMetricId = (typeof PERSON_METRICS)[number];

/** The metrics judged per call at query time (`source: 'calls'`): they read across calls, so cells cannot hold them. */
export type CallsMetricId = 'fcrRepeatCaller' | 'attemptsPerNumber';

/** The metrics computed from cell facts (`source: 'facts'`). */
export type FactMetricId = Exclude<MetricId, CallsMetricId | PersonMetricId>;

export const METRIC_IDS: readonly MetricId[] = METRICS.map((m) => m.id);
const BY_ID = new Map<string, MetricDefinition>(METRICS.map((m) => [m.id, m]));

export function isMetricId(id: string): id is MetricId {
  return BY_ID.has(id);
}

export function isPersonMetric(id: string): id is PersonMetricId {
  return (PERSON_METRICS as readonly string[]).includes(id);
}

export function metricDefinition(id: MetricId): MetricDefinition {
  const m = BY_ID.get(id);
  if (!m) throw new RangeError(`unknown metric ${id}`);
  return m;
}

/** Metrics whose value can be broken down by the agent's reason code. */
export const BY_REASON_METRICS = ['awayTime', 'breaks', 'breakTime', 'avgBreakTime'] as const;
export type ByReasonMetricId = (typeof BY_REASON_METRICS)[number];

/** Metrics whose value can be broken down by complaint category (`byCategory`). */
export const BY_CATEGORY_METRICS = ['complaints', 'complaintRate'] as const;
export type ByCategoryMetricId = (typeof BY_CATEGORY_METRICS)[number];
