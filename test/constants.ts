/** The platform token the test Worker is configured with (tests only; imported by vitest.config.ts too). */
export const TEST_PLATFORM_TOKEN = 'cbp_test_platform_token_0123456789abcdef';
