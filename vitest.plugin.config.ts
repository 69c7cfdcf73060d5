import { defineConfig } from 'vitest/config';

// The test config of every first-party plugin (run from its folder: `npx vitest run`). Each test file boots a real
// Plinth kernel on a database of its own (DATABASE_URL's server, or an embedded one); sources are used unbuilt.
export default defineConfig({
  resolve: { conditions: ['@plinth/source'] },
  ssr: { resolve: { conditions: ['@plinth/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@plinth/core/testing/global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
