import { ADAPTERS } from '../../adapters/telephony/registry';
import type { ProviderAdapter } from '../../adapters/telephony/types';
import { PROVIDERS, type Provider } from '../../domain/providers';

/** Whether a `{provider}` path segment names a provider Callboard takes webhooks from. */
export const isProvider = (name: string): name is Provider => (PROVIDERS as readonly string[]).includes(name);

/** The adapter that verifies and normalizes a provider's deliveries (the routes never reach adapters themselves). */
export const providerAdapter = (provider: Provider): ProviderAdapter => ADAPTERS[provider];
