// Benchmarks: not part of npm test. `npm run bench` starts the test cluster and runs bench/*.bench.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
