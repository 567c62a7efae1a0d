import type { MiddlewareHandler } from 'hono';
import type { Provider } from '../domain/providers';
import type { ConnectorLookup } from '../durable-objects/tenant/tenant.types';
import { verifyStandardWebhook } from '../lib/standard-webhooks';
import { tenantOfConnector } from '../services/connectors/connector-id';
import { connectorLookup, openConnectorSecrets } from '../services/ingest/hot-config';
import type { AppEnv } from './context';
import { ProblemError } from './problem';

/**
 * Standard Webhooks verification of a connector's delivery, on the raw body and before anything is
 * parsed: the connector id names the tenant, the TenantDO (cached briefly) has its sealed secrets,
 * WebCrypto checks every `v1` signature against every live secret in constant time, ±5 minutes.
 */
export function requireWebhookSignature(provider: Provider): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('guard', 'webhook');
    const connectorId = c.req.param('connectorId') ?? '';
    const tenantId = tenantOfConnector(connectorId);
    let lookup = tenantId ? await connectorLookup(c.env, tenantId, connectorId) : null;
    if (!tenantId || !lookup || lookup.connector.provider !== provider) {
      throw new ProblemError('NOT_FOUND', `No ${provider} connector with id '${connectorId}' exists.`);
    }
    const tenant = tenantId;
    const rawBody = await c.req.text();
    const verify = async (l: ConnectorLookup) =>
      verifyStandardWebhook({
        secrets: await openConnectorSecrets(c.env, l),
        headers: c.req.raw.headers,
        rawBody,
        nowSeconds: Date.now() / 1000,
      });
    let verified = await verify(lookup);
    if (!verified.ok && verified.reason === 'no_matching_signature') {
      // The cached copy may predate a secret rotation: ask the TenantDO once more.
      const fresh = await connectorLookup(c.env, tenant, connectorId, true);
      if (fresh) {
        lookup = fresh;
        verified = await verify(fresh);
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
    c.set('webhook', {
      tenantId: tenant,
      connector: lookup.connector,
      configVersion: lookup.configVersion,
      webhookId: verified.id,
    });
    await next();
  };
}
