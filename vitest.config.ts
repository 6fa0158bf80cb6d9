import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // The dashboard's session, request-log and scale browser tests drive the management API's
    // list and detail endpoints, which land with that branch: until it is merged they run only
    // with AIBRIDGE_WEB_NEEDS_API=1; afterwards this exclusion goes.
    exclude: [
      '**/node_modules/**',
      '**/dist/**',
      ...(process.env.AIBRIDGE_WEB_NEEDS_API ? [] : ['test/web/needs-api.browser.test.ts']),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
