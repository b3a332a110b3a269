import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'machines/**/*.test.ts', 'src/**/*.test.ts'],
    // Property tests run whole simulations; generous per-test budget, never wall-clock assertions.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A larger young generation for the simulations' short-lived garbage (see bin/kubesim.mjs).
    execArgv: ['--max-semi-space-size=64'],
  },
});
