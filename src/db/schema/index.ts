export * from './agents';
export * from './api-keys';
export * from './queues';
export * from './sites';
export * from './teams';
export * from './tenants';
