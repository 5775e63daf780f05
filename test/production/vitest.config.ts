import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The production layer (`npm run test:production`): Weft on a real Temporal
 * cluster (four services, PostgreSQL) started once by the global setup.
 * Files run one at a time: the fault suite kills shared services.
 * WEFT_PRODUCTION=ci runs the smaller subset CI runs (see docs/production-cluster.md).
 * It lives under test/ so the project's typecheck and lint cover it.
 */
export default defineConfig({
  root: join(__dirname, '..', '..'),
  test: {
    name: 'production',
    include: ['test/production/**/*.test.ts'],
    globalSetup: ['test/production/global-setup.ts'],
    setupFiles: ['test/setup/runtime.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
