import { Webhook } from 'standardwebhooks';
import { type ApiResponse, call } from './api';

export interface SignedDelivery {
  id?: string;
  timestamp?: Date;
  secret?: string;
  /** Sent instead of the computed signature; null sends none. */
  signature?: string | null;
  contentType?: string;
  provider?: string;
}

/**
 * Posts a body to a connector's webhook signed per Standard Webhooks by the `standardwebhooks`
 * library (the oracle): how the generic connector and the Asterisk/FreeSWITCH forwarders deliver.
 */
export async function deliverSigned(
  connector: { id: string; secret: string },
  body: string,
  d: SignedDelivery = {},
): Promise<ApiResponse> {
  const id = d.id ?? `msg_${crypto.randomUUID()}`;
  const timestamp = d.timestamp ?? new Date();
  const signature = d.signature === undefined ? new Webhook(d.secret ?? connector.secret).sign(id, timestamp, body) : d.signature;
  const headers: Record<string, string> = {
    'Content-Type': d.contentType ?? 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
  };
  if (signature !== null) headers['webhook-signature'] = signature;
  return call('POST', `/v1/webhooks/${d.provider ?? 'generic'}/${connector.id}`, { rawBody: body, headers });
}
