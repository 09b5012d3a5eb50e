import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'
import {dockerTestFiles, LAB_ENGINE_ENV, labEngines} from './test/lab/engines.js'

const root = fileURLToPath(new URL('.', import.meta.url))
const include = ['test/**/*.test.ts', 'test/**/*.test.tsx']
// Every test file that touches Docker runs once per lab engine (20.10, 26.1 classic,
// 26.1 containerd store) with DOCKER_HOST pointing at that engine; the rest run once.
const dockerFiles = dockerTestFiles(root)
const [system, ...others] = labEngines()

export default defineConfig({
  test: {
    globalSetup: ['test/lab/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Several suites start dockerd, registries or tmux sessions; two cores cannot run them all at once.
    maxWorkers: 2,
    fileParallelism: true,
    // Tests never probe the internet: the Registry cell's default images (Docker Hub, gcr.io) are
    // redirected to a refused loopback port, and child processes inherit this too.
    env: {DAGGER_EXPLORE_REGISTRY_HOST: '127.0.0.1:9', DAGGER_EXPLORE_REGISTRY_CONTROL: 'none'},
    projects: [
      {extends: true, test: {name: system!.id, include, env: {[LAB_ENGINE_ENV]: system!.id}}},
      ...others.map((engine) => ({
        extends: true as const,
        test: {name: engine.id, include: dockerFiles, env: {[LAB_ENGINE_ENV]: engine.id, DOCKER_HOST: engine.host!, DOCKER_CONTEXT: ''}},
      })),
    ],
  },
})
