import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // The fault suite runs on its own (`npm run test:faults`, vitest.faults.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'test/faults/**'],
    // Bounds on a hang, not expectations: a loaded 2-core machine runs everything several
    // times slower, and tests wait for events rather than for time (DEVELOPERS.md).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for a condition (a page's text, a recorded row) this long: 1 s by default.
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
