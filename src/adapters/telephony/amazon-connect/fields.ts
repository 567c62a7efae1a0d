/**
 * Reading Amazon Connect JSON. AWS's own samples spell the same field `agentInfo` and `AgentInfo`,
 * `agentArn` and `AgentARN` (the contact-events and agent-event-stream data models), and new fields appear "backward compatibly":
 * keys are matched without regard to case, and anything unknown is left alone.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value under `key`, matched exactly first, then without regard to case. */
export function field(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** The first of `keys` that holds a non-empty string. */
export function text(obj: unknown, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = field(obj, key);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

export function object(obj: unknown, key: string): Json | undefined {
  const value = field(obj, key);
  return isObject(value) ? value : undefined;
}

export function list(obj: unknown, key: string): unknown[] {
  const value = field(obj, key);
  return Array.isArray(value) ? value : [];
}

export function num(obj: unknown, key: string): number | undefined {
  const value = field(obj, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO-8601 instant (AWS writes UTC with a `Z`), as epoch ms; undefined when absent or not one. */
export function instant(obj: unknown, key: string): number | undefined {
  const value = text(obj, key);
  if (value === undefined || !ISO.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** The last path segment of an ARN (`…/agent/<uuid>` → `<uuid>`): short and unique, for event ids. */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

const PRINTABLE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * `amazon-connect:<parts…>`: printable, at most 200 characters; when the provider's ids make it
 * longer or unprintable, the SHA-256 of it instead (still deterministic).
 */
export async function eventId(...parts: string[]): Promise<string> {
  const id = ['amazon-connect', ...parts].join(':');
  if (PRINTABLE_ID.test(id)) return id;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id));
  return `amazon-connect:sha256:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
