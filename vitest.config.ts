import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A stray `.only` must fail CI, not silently skip the rest of the suite.
    allowOnly: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn servers and share one PostgreSQL; two cores, so two files at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
