import type { SurveyCreate, SurveyResult } from '../../contracts/surveys';
import { AppError, invalid } from '../../domain/errors';
import { type WireEvent, WireEventSchema } from '../../domain/events/wire';
import type { TenantConfig } from '../../durable-objects/tenant/tenant.types';
import type { ServiceContext } from '../context';
import { ingestEvents } from '../ingest/ingest-events';

const EVENT_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * A survey's default event id: `survey:{callId}` (one survey per call, so a retry is a duplicate), or, for a
 * call id that cannot be part of an event id (spaces, non-ASCII, too long), `survey:sha256:{hex of the call id}`.
 */
export async function defaultSurveyId(callId: string): Promise<string> {
  const plain = `survey:${callId}`;
  if (EVENT_ID.test(plain)) return plain;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(callId));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `survey:sha256:${hex}`;
}

/** The `survey.completed` event of a survey, checked by the wire schema as a `POST /v1/events` event is. */
export function surveyEvent(input: SurveyCreate, id: string, now: Date): WireEvent {
  return WireEventSchema.parse({
    id,
    type: 'survey.completed',
    occurredAt: input.at ?? now.toISOString(),
    interactionId: input.callId,
    attrs: {
      score: input.score,
      scaleMin: input.scaleMin,
      scaleMax: input.scaleMax,
      ...(input.satisfiedScore !== undefined ? { satisfiedScore: input.satisfiedScore } : {}),
      ...(input.comment ? { comment: input.comment } : {}),
    },
  });
}

/**
 * `POST /v1/surveys`: the survey becomes its call's `survey.completed` event and goes in through `ingestEvents`,
 * the path of `POST /v1/events` — so an id seen before is a duplicate with no effect, and a call not seen yet
 * is fine (the event waits for the call's queue, as any event of an unseen call does).
 */
export async function submitSurvey(
  ctx: ServiceContext,
  input: SurveyCreate,
  config: TenantConfig | Promise<TenantConfig>,
): Promise<SurveyResult> {
  const id = input.id ?? (await defaultSurveyId(input.callId));
  const result = await ingestEvents(ctx, {
    events: [surveyEvent(input, id, ctx.now)],
    provider: 'generic',
    connectorId: null,
    connectorSecret: null,
    unknownKeys: 'reject',
    config,
  });
  const r = result.results[0];
  if (r?.status === 'accepted' || r?.status === 'duplicate') return { id, callId: input.callId, status: r.status };
  if (r?.reason === 'occurred_in_future') {
    throw invalid([{ in: 'body', pointer: '/at', detail: 'The survey cannot be answered in the future.' }]);
  }
  throw new AppError('invalid', 'SURVEY_REJECTED', `The survey was not accepted (${r?.reason ?? 'no result'}).`);
}
