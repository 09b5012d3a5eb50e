import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'
import type Docker from 'dockerode'
import {findDlvImage} from './dlv-image.js'
import {asWords, readRunLike} from './engine-run.js'
import {DEV_ENGINE_CONTAINER, findEngineContainer, findEnginePid, type EngineContainer} from './engine-process.js'
import type {Detector} from './fill.js'

export interface DetectorContext {
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  readonly timeoutMs: number
  /** Connects on first use; a detector that needs Docker says so when this fails. */
  readonly docker: () => Promise<Docker>
  readonly procRoot?: string
  /** The engine container the user named (--var engine_container=…): PID and image come from it. */
  readonly engineContainer?: string
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined
  return () => (promise ??= fn())
}

/** The folder holding `hack/dev`: the given one or any parent of it. */
export function findDaggerSrc(start: string): string | undefined {
  let dir = path.resolve(start)
  for (;;) {
    if (existsSync(path.join(dir, 'hack', 'dev')) && existsSync(path.join(dir, 'cmd', 'engine'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The detectors recipes name in `detect:`, sharing one Docker connection and one engine lookup. */
export function createDetectors(ctx: DetectorContext): Record<string, Detector> {
  const engine = once(async (): Promise<EngineContainer | undefined> => findEngineContainer(await ctx.docker(), ctx.timeoutMs, ctx.engineContainer))
  const pid = once(async () => {
    const e = await engine()
    if (!e) throw new Error(`no ${ctx.engineContainer ?? DEV_ENGINE_CONTAINER} container`)
    return findEnginePid(await ctx.docker(), e, ctx.timeoutMs, ctx.procRoot)
  })
  const dlv = once(async () => findDlvImage(await ctx.docker(), ctx.timeoutMs))
  const run = once(async () => {
    const e = await engine()
    if (!e) throw new Error(`no ${ctx.engineContainer ?? DEV_ENGINE_CONTAINER} container to copy the run options from`)
    return {name: e.name, ...(await readRunLike(await ctx.docker(), e.id, ctx.timeoutMs))}
  })
  return {
    'engine-container': async () => {
      const e = await engine()
      if (!e) return {note: `no ${DEV_ENGINE_CONTAINER} or dagger-engine-* container exists`}
      return {value: e.name, note: `${e.name} is ${e.status}`}
    },
    'engine-image': async () => {
      const e = await engine()
      return e ? {value: e.image, note: `the image ${e.name} runs`} : {note: 'no engine container to read the image from'}
    },
    'engine-pid': async () => {
      const p = await pid()
      return {value: String(p.pid), note: p.underInit ? `PID 1 is ${p.initCommand?.split(' ')[0] ?? 'an init process'}; ${p.how}` : p.how}
    },
    'dlv-image': async () => {
      const d = await dlv()
      return d.found ? {value: d.found.image, note: d.found.how} : {note: d.note}
    },
    'dlv-path': async () => {
      const d = await dlv()
      return d.found ? {value: d.found.path, note: d.found.how} : {note: d.note}
    },
    'engine-run-options': async () => {
      const r = await run()
      const notes = r.notes.length > 0 ? `; ${r.notes.join('; ')}` : ''
      return {value: asWords(r.options), note: `the options ${r.name} was started with (docker inspect)${notes}`}
    },
    'engine-args': async () => {
      const r = await run()
      return {value: asWords(r.args), note: `the engine flags ${r.name} runs with (docker inspect)`}
    },
    'pprof-url': async () => {
      const e = await engine()
      if (!e?.debugPort) return {note: 'the engine container publishes no port 6060'}
      return {value: `http://127.0.0.1:${e.debugPort.hostPort}`, note: `container port 6060 is published on ${e.debugPort.hostIp || '0.0.0.0'}:${e.debugPort.hostPort}`}
    },
    'dagger-src': async () => {
      const fromEnv = ctx.env.DAGGER_SRC_ROOT
      const found = findDaggerSrc(fromEnv ?? ctx.cwd)
      return found ? {value: found, note: `${found} has hack/dev`} : {note: 'not inside a dagger checkout (no hack/dev above the current folder); pass --var dagger_src=DIR'}
    },
    shell: async () => (ctx.env.SHELL ? {value: ctx.env.SHELL, note: 'from $SHELL'} : {note: '$SHELL is not set'}),
    'daemon-config': async () => {
      const xdg = ctx.env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config')
      const rootless = path.join(xdg, 'docker', 'daemon.json')
      const desktop = path.join(homedir(), '.docker', 'daemon.json')
      for (const candidate of ['/etc/docker/daemon.json', rootless, desktop]) if (existsSync(candidate)) return {value: candidate, note: `${candidate} exists`}
      return {note: 'no daemon.json in the usual places (the daemon runs on defaults)'}
    },
    platform: async () => {
      const arch = process.arch === 'x64' ? 'amd64' : process.arch
      return {value: `linux/${arch}`, note: 'the engine runs Linux containers on this machine\'s architecture'}
    },
  }
}
