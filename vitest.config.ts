import { defineConfig } from 'vitest/config';

/**
 * Three layers, one run:
 * - unit: pure code, no Temporal.
 * - integration: one real Temporal CLI dev server for the whole run (global setup).
 * - workflow: the Java time-skipping test server. Its clock is global to the
 *   server, so these files run one at a time, after the others.
 * Workflows are bundled once per run, in the global setup.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
