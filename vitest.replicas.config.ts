import { defineConfig } from 'vitest/config';

/**
 * The replicas proof: three real `aibridge server` processes on one PostgreSQL database behind
 * a round-robin balancer. Kept out of `npm test` (it spawns processes); CI runs it after the
 * fault suite with `npm run test:replicas`.
 */
export default defineConfig({
  test: {
    include: ['test/replicas/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts'],
  },
});
