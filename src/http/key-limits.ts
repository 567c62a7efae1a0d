import type { Context } from 'hono';
import type { ApiKeyLimit } from '../domain/api-keys';
import { beyondLimit } from '../domain/key-limits';
import type { AppEnv } from './context';

/**
 * The limit of the request's key (or live token): a team, an agent, or null for the whole tenant. Only routes
 * declared with `keyLimits` (defineRoute) ever see a limited principal: the guard refuses it everywhere else.
 */
export function keyLimit(c: Context<AppEnv>): ApiKeyLimit | null {
  return c.get('principal')?.limit ?? null;
}

/** A team's route (its briefing, its headcount): a team key's own team only, never an agent key. */
export function teamKeyOnly(limit: ApiKeyLimit | null, what: string): { teamId: string } | null {
  if (!limit) return null;
  if ('agentId' in limit) throw beyondLimit(limit, `${what} is a team's, not an agent's`);
  return limit;
}
