import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {makeEngineImage, removeImage, saveImage} from './fixtures/engine-image.js'

/** Names, folders and images one engine test file uses, all under a unique prefix, and their cleanup. */
export interface EngineLab {
  readonly id: string
  readonly dir: string
  readonly imageRef: string
  readonly imageId: string
  readonly engineTar: string
  /** Dev engine container (and volume) name for this file. */
  readonly devName: string
  readonly devImageRepo: string
  /** Environment for core calls and fixture builds. */
  env(pathDirs: readonly string[]): NodeJS.ProcessEnv
  docker(args: string[]): string
  cleanup(): void
}

export function docker(args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe']}).trim()
}

export function makeLab(): EngineLab {
  const id = `dxeng${process.pid}${Math.floor(Math.random() * 1e6)}`
  const dir = mkdtempSync(path.join(os.tmpdir(), `${id}-`))
  const imageRef = `${id}/engine:fixture`
  const imageId = makeEngineImage(imageRef)
  const engineTar = path.join(dir, 'engine.tar')
  saveImage(imageId, engineTar)
  const devName = `${id}.dev`
  const devImageRepo = `localhost/${id}-dev`
  const extra: string[] = []
  return {
    id,
    dir,
    imageRef,
    imageId,
    engineTar,
    devName,
    devImageRepo,
    env: (pathDirs) => ({
      PATH: [...pathDirs, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':'),
      HOME: dir,
      DAGGER_EXPLORE_STATE_DIR: path.join(dir, 'state'),
      _EXPERIMENTAL_DAGGER_DEV_CONTAINER: devName,
      _EXPERIMENTAL_DAGGER_DEV_IMAGE: devImageRepo,
      FIXTURE_STEP_DELAY: '0',
      // The engine this run targets (vitest.config.ts sets it per lab engine).
      ...(process.env.DOCKER_HOST === undefined ? {} : {DOCKER_HOST: process.env.DOCKER_HOST}),
    }),
    docker: (args) => {
      const out = docker(args)
      if (args[0] === 'run' || args[0] === 'create') extra.push(out)
      return out
    },
    cleanup: () => {
      const containers = docker(['ps', '-aq', '--filter', `name=${id}`]).split('\n').filter(Boolean)
      for (const c of [...containers, ...extra]) {
        try {
          docker(['rm', '-fv', c])
        } catch {
          // gone already
        }
      }
      try {
        docker(['volume', 'rm', '-f', devName])
      } catch {
        // not created
      }
      for (const ref of docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((r) => r.includes(id))) removeImage(ref)
      removeImage(imageId)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
