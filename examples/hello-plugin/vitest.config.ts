import { defineConfig } from 'vitest/config';

// Each test file boots a real Plinth kernel on a database of its own. The global setup uses the
// PostgreSQL server of DATABASE_URL, or starts an embedded one when it is unset.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@plinth/core/testing/global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
