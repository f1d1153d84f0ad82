import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files start real processes on disjoint port blocks; two cores, so keep it modest.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
