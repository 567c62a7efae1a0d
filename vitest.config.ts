import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_PLATFORM_KEYS, TEST_PLATFORM_TOKEN } from './test/constants.ts';

// Tests run inside workerd (real Durable Objects, real runtime) against a real Postgres that
// test/global-setup.ts starts, migrates and tears down once per run.
export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          DATABASE_URL: inject('databaseUrl'),
          NEON_WS_PROXY: inject('neonWsProxy'),
          PLATFORM_TOKEN: TEST_PLATFORM_TOKEN,
          PLATFORM_KEYS: TEST_PLATFORM_KEYS,
          TEST_OWNER_DATABASE_URL: inject('ownerDatabaseUrl'),
          LOG_LEVEL: 'error',
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/reporters/summary-line.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
