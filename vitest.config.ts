import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@plinth/source'] },
  ssr: { resolve: { conditions: ['@plinth/source'] } },
  test: {
    include: ['sdk/test/**/*.test.ts', 'core/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    globalSetup: ['core/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files wait on PostgreSQL, Redis and Chromium as much as they compute: two at a time even on two cores
    // (vitest's default there is one), which took the suite from about 11 to 9 minutes with more tests in it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
