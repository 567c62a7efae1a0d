import { env as workerEnv } from 'cloudflare:workers';
import type { Env } from '../../src/env';

/** The test-only bindings (vitest.config.ts) beside the Worker's. */
export interface TestBindings {
  /** The shared database as its owner role (the owner is subject to FORCE RLS too). */
  TEST_OWNER_DATABASE_URL: string;
  /** The shared server's superuser (database `postgres`), for tests that make databases of their own. */
  TEST_SUPER_DATABASE_URL: string;
  /** A second server standing for tenants' own databases: `tenant_a` and `tenant_b`, empty and unmigrated (issue 12 §3). */
  TEST_DEDICATED_OWNER_URL_A: string;
  TEST_DEDICATED_APP_URL_A: string;
  TEST_DEDICATED_OWNER_URL_B: string;
  TEST_DEDICATED_APP_URL_B: string;
}

/** The Worker's bindings plus the test-only ones. */
export const env = workerEnv as unknown as Env & TestBindings;
