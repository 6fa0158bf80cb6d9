import { defineConfig } from 'vitest/config';

/**
 * The fault suite: real gateway processes over a private PostgreSQL cluster it stops, freezes
 * and restarts. One file at a time (the cluster and the machine's two cores are shared).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
