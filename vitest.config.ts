import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/lab/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Several suites start dockerd, registries or tmux sessions; two cores cannot run them all at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
})
