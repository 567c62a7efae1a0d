import { createApp } from './app';
import type { Env } from './env';

export { QueueDO } from './durable-objects/queue/queue.do';
export { TenantDO } from './durable-objects/tenant/tenant.do';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
