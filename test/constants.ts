/** The platform token the test Worker is configured with (tests only; imported by vitest.config.ts too). */
export const TEST_PLATFORM_TOKEN = 'cbp_test_platform_token_0123456789abcdef';

/** Platform keys sealing connector secrets in tests: version 2 current, version 1 still readable. */
export const TEST_PLATFORM_KEYS = '2:RwKw52qR8Pdwh/OKF+nW6J8wjLByCUmXrOG1YemkvA8=,1:/SKkWTCrDGw/BL8PzgX6sTWQ8up/Kmscwr3JA+/zuTw=';
