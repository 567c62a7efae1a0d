import { env as workerEnv } from 'cloudflare:workers';
import type { Env } from '../../src/env';

/** The Worker's bindings plus the test-only owner URL (the owner is subject to FORCE RLS too). */
export const env = workerEnv as unknown as Env & { TEST_OWNER_DATABASE_URL: string };
