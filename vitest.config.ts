import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // e2e suites start servers and external clients; keep the 2-core CI machine from thrashing.
    maxWorkers: 2,
  },
});
