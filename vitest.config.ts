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
    // Tests never probe the internet: the Registry cell's default images (Docker Hub, gcr.io) are
    // redirected to a refused loopback port, and child processes inherit this too.
    env: {DAGGER_EXPLORE_REGISTRY_HOST: '127.0.0.1:9', DAGGER_EXPLORE_REGISTRY_CONTROL: 'none'},
  },
})
