import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite compiles .ts/.mts only by default; the engine has CommonJS sources too (.cts: main, the bundle
  // digest, util/crypto), which tests import through the engine's modules.
  esbuild: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/retry-cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files start real processes on disjoint port blocks; two cores, so keep it modest.
    maxWorkers: 2,
    // CI retries a failed test once: a few multi-process tests (Sentinel/replication timing on a busy
    // 2-core box) still flake about once per full run; the issue notes list them to be fixed.
    retry: process.env.CI ? 1 : 0,
    minWorkers: 1,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
