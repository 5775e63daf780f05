import { defineConfig } from 'vitest/config';

/**
 * Three layers, one run:
 * - unit: pure code, no Temporal.
 * - integration (and e2e): one real Temporal CLI dev server for the whole run.
 * - workflow: the Java time-skipping test server. Its clock is global to the
 *   server, so these files run one at a time, after the others.
 * The global setup (root only, so it runs once) obtains the servers, starts
 * the dev server and bundles the workflows once per run.
 */
const shared = {
  pool: 'forks' as const,
  setupFiles: ['test/setup/runtime.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global.ts'],
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'examples/**/*.test.ts'], exclude: ['examples/nightly-report/**'], sequence: { groupOrder: 1 } } },
      { test: { ...shared, name: 'workflow', include: ['test/workflow/**/*.test.ts', 'examples/nightly-report/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 2 } } },
    ],
  },
});
