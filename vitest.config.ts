import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Under CI the files run one at a time: the browser suite's timings must not depend on how many
    // database suites happen to share the machine's two cores with it.
    fileParallelism: !process.env.CI,
    maxWorkers: process.env.CI ? 1 : 2,
  },
});
