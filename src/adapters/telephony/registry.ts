import type { Provider } from '../../domain/providers';
import { amazonConnectAdapter } from './amazon-connect/amazon-connect.adapter';
import { asteriskAdapter } from './asterisk/asterisk.adapter';
import { freeswitchAdapter } from './freeswitch/freeswitch.adapter';
import { genericAdapter } from './generic/generic.adapter';
import { plivoAdapter } from './plivo/plivo.adapter';
import { telnyxAdapter } from './telnyx/telnyx.adapter';
import { twilioAdapter } from './twilio/twilio.adapter';
import type { ProviderAdapter } from './types';
import { vonageAdapter } from './vonage/vonage.adapter';

/** Every provider's adapter, by the `{provider}` of `POST /v1/webhooks/{provider}/{connectorId}`. */
export const ADAPTERS: Record<Provider, ProviderAdapter> = {
  generic: genericAdapter,
  twilio: twilioAdapter,
  telnyx: telnyxAdapter,
  vonage: vonageAdapter,
  plivo: plivoAdapter,
  'amazon-connect': amazonConnectAdapter,
  asterisk: asteriskAdapter,
  freeswitch: freeswitchAdapter,
};
