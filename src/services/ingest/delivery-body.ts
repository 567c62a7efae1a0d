import type { Env } from '../../env';
import { decryptSecret, encryptSecret, parsePlatformKeys } from '../../lib/secret-box';

/**
 * The exact body of a logged delivery, sealed with the platform key (AES-GCM, bound to the tenant and
 * the delivery id): the delivery log shows the body with phone numbers masked, normalizing again
 * reads this one.
 */
export function sealDeliveryBody(env: Env, tenantId: string, deliveryId: string, rawBody: string): Promise<string> {
  return encryptSecret(parsePlatformKeys(env.PLATFORM_KEYS), rawBody, aad(tenantId, deliveryId));
}

/** Opens a sealed body; null when it cannot be (its platform key was dropped since). */
export async function openDeliveryBody(env: Env, tenantId: string, deliveryId: string, sealed: string): Promise<string | null> {
  try {
    return await decryptSecret(parsePlatformKeys(env.PLATFORM_KEYS), sealed, aad(tenantId, deliveryId));
  } catch {
    return null;
  }
}

/** The same body sealed under the current platform key (after a rotation); null when it cannot be opened. */
export async function resealDeliveryBody(env: Env, tenantId: string, deliveryId: string, sealed: string): Promise<string | null> {
  const body = await openDeliveryBody(env, tenantId, deliveryId, sealed);
  return body === null ? null : sealDeliveryBody(env, tenantId, deliveryId, body);
}

const aad = (tenantId: string, deliveryId: string) => `delivery:${tenantId}:${deliveryId}`;
