import type { Context, MiddlewareHandler } from 'hono';
import type { Provider } from '../domain/providers';
import type { ConnectorLookup } from '../durable-objects/tenant/tenant.types';
import { verifyStandardWebhook } from '../lib/standard-webhooks';
import { tenantOfConnector } from '../services/connectors/connector-id';
import { connectorLookup, openConnectorSecrets } from '../services/ingest/hot-config';
import type { AppEnv, WebhookSender } from './context';
import { ProblemError } from './problem';

/**
 * Standard Webhooks verification of a connector's delivery, on the raw body and before anything is
 * parsed: the connector id names the tenant, the TenantDO (cached briefly) has its sealed secrets,
 * WebCrypto checks every `v1` signature against every live secret in constant time, ±5 minutes.
 */
export function requireWebhookSignature(provider: Provider): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('guard', 'webhook');
    c.set('webhook', await verifyDelivery(c, provider, false));
    await next();
  };
}

/**
 * Verifies again against a fresh copy of the connector: for when the TenantDO says the secret that
 * matched is no longer live (the Worker's copy predates a rotation or a re-encryption).
 */
export function reverifyDelivery(c: Context<AppEnv>, provider: Provider): Promise<WebhookSender> {
  return verifyDelivery(c, provider, true);
}

async function verifyDelivery(c: Context<AppEnv>, provider: Provider, fresh: boolean): Promise<WebhookSender> {
  const connectorId = c.req.param('connectorId') ?? '';
  const tenantId = tenantOfConnector(connectorId);
  let lookup = tenantId ? await connectorLookup(c.env, tenantId, connectorId, fresh) : null;
  if (!tenantId || !lookup || lookup.connector.provider !== provider) {
    throw new ProblemError('NOT_FOUND', `No ${provider} connector with id '${connectorId}' exists.`);
  }
  const rawBody = await c.req.text();
  let opened: { sealed: string; secret: string }[] = [];
  const verify = async (l: ConnectorLookup) => {
    opened = await openConnectorSecrets(c.env, l);
    return verifyStandardWebhook({
      secrets: opened.map((o) => o.secret),
      headers: c.req.raw.headers,
      rawBody,
      nowSeconds: Date.now() / 1000,
    });
  };
  let verified = await verify(lookup);
  if (!verified.ok && verified.reason === 'no_matching_signature' && !fresh) {
    // The cached copy may predate a secret rotation: ask the TenantDO once more.
    const latest = await connectorLookup(c.env, tenantId, connectorId, true);
    if (latest) {
      lookup = latest;
      verified = await verify(latest);
    }
  }
  if (!verified.ok) {
    switch (verified.reason) {
      case 'missing_headers':
        throw new ProblemError(
          'SIGNATURE_MISSING',
          'Send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).',
        );
      case 'timestamp_too_old':
      case 'timestamp_in_future':
      case 'invalid_timestamp':
        throw new ProblemError('SIGNATURE_EXPIRED', 'webhook-timestamp must be unix seconds within 5 minutes of now.');
      default:
        throw new ProblemError('SIGNATURE_INVALID', "No webhook-signature matches this body under the connector's secret.");
    }
  }
  if (!lookup.connector.enabled) throw new ProblemError('CONNECTOR_DISABLED', `The connector '${connectorId}' is disabled.`);
  return {
    tenantId,
    connector: lookup.connector,
    configVersion: lookup.configVersion,
    webhookId: verified.id,
    sealedSecret: opened[verified.secretIndex]?.sealed ?? '',
    fresh,
  };
}
