/**
 * Every problem `code` the API answers with. The code is the stable contract; `type` is derived
 * from it and resolves to this entry at `/problems/{slug}`.
 */
export const PROBLEM_CATALOG = {
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON', description: 'The body is not valid JSON.' },
  MALFORMED_PAYLOAD: {
    status: 400,
    title: 'Malformed payload',
    description: "The body cannot be read as this provider's webhook payload (not JSON, form or text of the expected shape).",
  },
  BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    description: 'The request cannot be read (a header or parameter is malformed).',
  },
  CURSOR_MISMATCH: {
    status: 400,
    title: 'Cursor mismatch',
    description:
      'The cursor continues a listing in another sort or order; send the same `sort` and `order` with it, or start again without one.',
  },
  UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    description: 'No `Authorization: Bearer …` credentials were sent.',
  },
  INVALID_CREDENTIALS: {
    status: 401,
    title: 'Invalid credentials',
    description: 'The API key or platform token is not one we issued.',
  },
  API_KEY_REVOKED: { status: 401, title: 'API key revoked', description: 'The API key was revoked by an admin of the tenant.' },
  API_KEY_EXPIRED: { status: 401, title: 'API key expired', description: 'The API key is past its expiry.' },
  LIVE_TOKEN_INVALID: {
    status: 401,
    title: 'Live token invalid',
    description: 'The `token` is not a live token Callboard signed, or the API key that asked for it was revoked or expired.',
  },
  LIVE_TOKEN_EXPIRED: {
    status: 401,
    title: 'Live token expired',
    description: 'The live token is past its expiry; ask `POST /v1/live/tokens` for a new one.',
  },
  SIGNATURE_MISSING: {
    status: 401,
    title: 'Signature missing',
    description:
      "The webhook lacks the provider's signature headers (for Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).",
  },
  SIGNATURE_INVALID: {
    status: 401,
    title: 'Signature invalid',
    description: "The signature does not match this exact body (and URL) under the connector's credentials.",
  },
  SIGNATURE_EXPIRED: {
    status: 401,
    title: 'Signature out of tolerance',
    description: "The signed timestamp is outside the provider's tolerance (stale or in the future): a replay or a wrong clock.",
  },
  INSUFFICIENT_SCOPE: { status: 403, title: 'Insufficient scope', description: 'The API key lacks the scope this route needs.' },
  KEY_LIMITED: {
    status: 403,
    title: 'Key limited',
    description:
      'The API key (or the live token it issued) is limited to a team or an agent, and the route does not apply such limits or the request asks for what lies outside it (another team, another agent, a metric counted before a call reaches an agent). docs/roles.md lists what each route does.',
  },
  QUEUE_NOT_ALLOWED: {
    status: 403,
    title: 'Queue not allowed',
    description: 'The live token was issued for other queues; `errors[]` names each queue it does not cover.',
  },
  NOT_FOUND: { status: 404, title: 'Not found', description: 'No such resource exists in your tenant.' },
  UNKNOWN_REFERENCE: {
    status: 404,
    title: 'Unknown reference',
    description:
      'An event names a queue or agent id that is not one of this tenant; `errors[]` points at each. Nothing was written.',
  },
  CONNECTOR_DISABLED: {
    status: 404,
    title: 'Connector disabled',
    description: 'The connector exists but an admin disabled it; deliveries are refused.',
  },
  ROUTE_NOT_FOUND: { status: 404, title: 'Route not found', description: 'No route matches this path.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists but not with this method; see the `Allow` header.',
  },
  ALERT_RESOLVED: {
    status: 409,
    title: 'Alert resolved',
    description: 'The alert has resolved; only an open alert can be acknowledged.',
  },
  TOO_MANY_ALERT_RULES: {
    status: 409,
    title: 'Too many alert rules',
    description: 'The tenant has as many alert rules as it may; delete one first.',
  },
  TOO_MANY_APPRAISAL_RULES: {
    status: 409,
    title: 'Too many appraisal rules',
    description: 'The tenant has as many appraisal rules as it may; delete one first.',
  },
  TOO_MANY_VERSIONS: {
    status: 409,
    title: 'Too many versions',
    description: 'The appraisal rule has as many versions as it may; create a new rule.',
  },
  TARGET_OVERLAPS: {
    status: 409,
    title: 'Target overlaps another',
    description:
      'Another target sets the same metric for the same centre, team or agent over some of the same days; end it first.',
  },
  TOO_MANY_TARGETS: {
    status: 409,
    title: 'Too many targets',
    description: 'The tenant has as many targets as it may; delete old ones first.',
  },
  TOO_MANY_QA_FORMS: {
    status: 409,
    title: 'Too many QA forms',
    description: 'The tenant has as many QA forms as it may; delete one first.',
  },
  EVALUATION_STATUS: {
    status: 409,
    title: 'Not in that state',
    description:
      'The evaluation is not in a state that allows this (a submitted one cannot be edited; only a disputed one can be resolved).',
  },
  APPRAISAL_OPEN: {
    status: 409,
    title: 'Appraisal open already',
    description: 'Only a closed appraisal can be re-opened.',
  },
  DATABASE_OPERATION_IN_PROGRESS: {
    status: 409,
    title: 'Database operation in progress',
    description: "A move or migration of the tenant's database is under way; `GET /v1/tenants/{id}/database` shows its progress.",
  },
  DATABASE_ALREADY_ASSIGNED: {
    status: 409,
    title: 'Database already assigned',
    description: "The tenant's data already lives in this database.",
  },
  NO_DEDICATED_DATABASE: {
    status: 409,
    title: 'No dedicated database',
    description: 'The tenant lives in the shared database: there is no database of its own to release or migrate.',
  },
  CONFLICT: { status: 409, title: 'Conflict', description: 'A unique value (name, email, external key) is already taken.' },
  RESOURCE_ARCHIVED: {
    status: 409,
    title: 'Resource archived',
    description: 'The resource was archived and can no longer be changed or referenced.',
  },
  LIMIT_REACHED: {
    status: 409,
    title: 'Limit reached',
    description: 'The tenant has as many of this resource as it may have (the detail names the limit); delete one first.',
  },
  WEBHOOK_ENDPOINT_DISABLED: {
    status: 409,
    title: 'Webhook endpoint disabled',
    description: 'The webhook endpoint is disabled (by an admin, or by Callboard after 5 days of failures); enable it first.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    title: 'Idempotency key reused',
    description: 'The Idempotency-Key was used within 24 h for a different request.',
  },
  IDEMPOTENCY_REQUEST_IN_PROGRESS: {
    status: 409,
    title: 'Request in progress',
    description: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  },
  UPGRADE_REQUIRED: {
    status: 426,
    title: 'Upgrade required',
    description: "The live stream is a WebSocket: send `Upgrade: websocket` (a browser's `new WebSocket(url)` does).",
  },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', description: 'The body exceeds the size this route accepts.' },
  URI_TOO_LONG: { status: 414, title: 'URI too long', description: 'The URL is longer than a webhook URL can be.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The body is not of a content type this route takes (JSON for the API; per provider for webhooks).',
  },
  VALIDATION_FAILED: {
    status: 422,
    title: 'Validation failed',
    description: 'The body or parameters break the schema; `errors[]` points at each field.',
  },
  RESULT_TOO_LARGE: {
    status: 422,
    title: 'Result too large',
    description: 'A KPI answer would hold more rows (periods × groups) than one response returns; the detail names the limit.',
  },
  TOO_MANY_RECORDS: {
    status: 422,
    title: 'Too many records',
    description:
      'A KPI answer computed from the history records (source=records, by call direction, an explanation) would read more visits and segments than one request holds (`KPI_MAX_RANGE_RECORDS`); the detail names the limit.',
  },
  KPI_ROLLUPS_REBUILDING: {
    status: 503,
    title: 'KPI rollups being rebuilt',
    description:
      'Part of the range is not in rollups yet (after a migration or history written straight into Postgres) and holds more records than one request reads: retry after Retry-After, or recompute it with POST /v1/kpis/rollups/rebuild.',
  },
  TOO_MANY_ROWS: {
    status: 422,
    title: 'Too many rows',
    description: 'An import holds more rows than one import takes; the detail names the limit and where reading stopped.',
  },
  TOO_MANY_CONNECTIONS: {
    status: 429,
    title: 'Too many live connections',
    description:
      'The tenant has as many live stream connections open as it may; close one, or retry after `Retry-After` seconds.',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Rate limited',
    description:
      "The API key's token bucket is empty, or a source sent a connector too many deliveries whose signature failed; retry after `Retry-After` seconds.",
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
    description: 'The request headers together are larger than a webhook delivery can carry.',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal error',
    description: 'An unexpected error; the request id identifies it in our logs.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    description: 'A dependency (Postgres or a Durable Object) failed transiently; the request is safe to retry.',
  },
  TENANT_MOVING: {
    status: 503,
    title: 'Tenant moving',
    description:
      "The tenant's data is being copied to another database (docs/dedicated-databases.md): reads work, writes are refused until the switch, in moments. Retry after `Retry-After`.",
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOG;

export function problemSlug(code: string): string {
  return code.toLowerCase().replaceAll('_', '-');
}

export function problemType(code: string): string {
  return `/problems/${problemSlug(code)}`;
}
