import { parseJsonBody } from '../kit/body';
import { verifyGeneratedSecret } from '../kit/standard-webhooks';
import type { ProviderAdapter } from '../types';
import { normalizeFreeswitch } from './callcenter';
import { redactFreeswitch } from './freeswitch.redact';

/**
 * FreeSWITCH mod_callcenter, through a forwarder (docs/providers/freeswitch.md): it subscribes over ESL
 * (`event json CUSTOM callcenter::info CHANNEL_HOLD CHANNEL_UNHOLD`) and posts the events as JSON,
 * signed per Standard Webhooks with the connector's generated `whsec_` secret.
 */
export const freeswitchAdapter: ProviderAdapter = {
  provider: 'freeswitch',
  redact: redactFreeswitch,
  verify: verifyGeneratedSecret,
  normalize: (req, ctx) => normalizeFreeswitch(parseJsonBody(req), ctx.nowMs),
};
