import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_PLATFORM_KEYS, TEST_PLATFORM_TOKEN } from './test/constants.ts';

type Inject = <
  K extends
    | 'databaseUrl'
    | 'neonWsProxy'
    | 'ownerDatabaseUrl'
    | 'faultsNeonWsProxy'
    | 'faultsProxyControl'
    | 'webhookReceiverUrl'
    | 'webhookReceiverControl'
    | 'superDatabaseUrl'
    | 'dedicatedOwnerUrlA'
    | 'dedicatedAppUrlA'
    | 'dedicatedOwnerUrlB'
    | 'dedicatedAppUrlB',
>(
  key: K,
) => string;

/** The Worker's bindings in tests; `faults` points Postgres traffic at a proxy the tests can switch off. */
const bindings = (inject: Inject, faults: boolean, extra: Record<string, string> = {}) => ({
  DATABASE_URL: inject('databaseUrl'),
  NEON_WS_PROXY: inject(faults ? 'faultsNeonWsProxy' : 'neonWsProxy'),
  PLATFORM_TOKEN: TEST_PLATFORM_TOKEN,
  PLATFORM_KEYS: TEST_PLATFORM_KEYS,
  TEST_OWNER_DATABASE_URL: inject('ownerDatabaseUrl'),
  TEST_PROXY_CONTROL: faults ? inject('faultsProxyControl') : '',
  TEST_WEBHOOK_RECEIVER: inject('webhookReceiverUrl'),
  TEST_WEBHOOK_RECEIVER_CONTROL: inject('webhookReceiverControl'),
  // The shared server's superuser, for tests that make databases of their own (test/migrator.test.ts), and the
  // second server standing for tenants' dedicated databases: unmigrated `tenant_a` and `tenant_b` (issue 12 §3).
  TEST_SUPER_DATABASE_URL: inject('superDatabaseUrl'),
  TEST_DEDICATED_OWNER_URL_A: inject('dedicatedOwnerUrlA'),
  TEST_DEDICATED_APP_URL_A: inject('dedicatedAppUrlA'),
  TEST_DEDICATED_OWNER_URL_B: inject('dedicatedOwnerUrlB'),
  TEST_DEDICATED_APP_URL_B: inject('dedicatedAppUrlB'),
  // Webhook endpoints on the loopback receiver; a hanging one is given up on after 2 s, not 10.
  ALLOW_HTTP_WEBHOOKS: '1',
  WEBHOOK_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'error',
  // Short in the faults project, so a test of a frozen Postgres does not wait long.
  ...(faults ? { DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1500' } : {}),
  ...extra,
});

// Tests run inside workerd (real Durable Objects, real runtime) against a real Postgres that
// test/global-setup.ts starts, migrates and tears down once per run. Fault tests (Postgres made
// unreachable) run as their own project with their own proxy, so they disturb no other test.
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/reporters/summary-line.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: bindings(inject as Inject, false) },
          })),
        ],
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [
            'test/faults/**',
            'test/limits/**',
            'test/node/**',
            'test/browser/**',
            'src/**/*.oracle.test.ts',
            'test/**/*.oracle.test.ts',
          ],
          isolate: false,
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: bindings(inject as Inject, true) },
          })),
        ],
        test: { name: 'faults', include: ['test/faults/**/*.test.ts'] },
      },
      {
        // Limits set low enough to reach with a few calls (src/env.ts), in a Worker of their own.
        extends: true,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: bindings(inject as Inject, false, { KPI_MAX_RANGE_RECORDS: '40', LIVE_MAX_CONNECTIONS: '2' }),
            },
          })),
        ],
        test: { name: 'limits', include: ['test/limits/**/*.test.ts'] },
      },
      {
        // The vendors' own libraries (twilio, telnyx, @vonage/jwt, plivo) sign the fixtures our
        // WebCrypto verifiers must accept; some need Node, so these run in Node, not workerd.
        test: { name: 'oracles', include: ['src/**/*.oracle.test.ts', 'test/**/*.oracle.test.ts'], environment: 'node' },
      },
      {
        // The launchers in scripts/ (what `npm start` and the benchmark run), tested in Node.
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node' },
      },
      {
        // The wallboard page in headless Chromium (playwright-core, Debian's /usr/bin/chromium or CHROMIUM_PATH)
        // against a whole local stack of its own (scripts/lib/stack.mjs: Postgres, wrangler dev).
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
