import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start their own embedded engines per file; two cores are all CI has.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The handlers' logger reads its level when first imported, which in a test file can be before the
    // local host sets it: tests log warnings and errors only (POWERTOOLS_LOG_LEVEL=INFO to see all).
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
  },
});
