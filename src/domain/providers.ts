/** The sources Callboard takes events from; also the namespaces of external keys. */
export const PROVIDERS = ['twilio', 'telnyx', 'vonage', 'plivo', 'amazon-connect', 'asterisk', 'freeswitch', 'generic'] as const;
export type Provider = (typeof PROVIDERS)[number];
