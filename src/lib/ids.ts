const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

export const ID_PREFIXES = {
  tenant: 'tnt',
  apiKey: 'key',
  site: 'sit',
  team: 'tem',
  queue: 'que',
  agent: 'agt',
  request: 'req',
  delivery: 'dlv',
  import: 'imp',
  alertRule: 'arl',
  alert: 'alr',
  appraisalRule: 'apr',
  auditEntry: 'aud',
  target: 'tgt',
  qaForm: 'qaf',
  qaEvaluation: 'qae',
  appraisal: 'apl',
  shift: 'shf',
  trainingRecord: 'trn',
  webhookEndpoint: 'whe',
  webhookAttempt: 'wha',
  webhookMessage: 'msg',
  campaign: 'cmp',
  databaseOperation: 'dbo',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

/**
 * A prefixed ULID in lowercase Crockford base32: 10 characters of millisecond time then 16 random.
 * Ids sort by creation time, which is what cursor pagination orders by.
 */
export function newId(kind: IdKind, nowMs = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${ulid(nowMs)}`;
}

export function ulid(nowMs: number): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = '';
  for (const b of bytes) rand += CROCKFORD[b % 32];
  return time + rand;
}
