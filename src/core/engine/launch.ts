import {DaggerExploreError, type ErrorAdvice} from '../errors.js'
import {createReadStream, statSync} from 'node:fs'
import path from 'node:path'
import type Docker from 'dockerode'
import type {Recorder} from '../notebook/recorder.js'
import {sanitize} from '../notebook/sanitize.js'
import {killExec} from '../docker/exec-kill.js'
import {inspectImage} from '../docker/find-image.js'
import {type Approval, approve, demuxDockerStream, dockerMessage, statusCode, withTimeout} from './docker-api.js'
import {ERAS, type EraId, type EraRunFlags} from './era.js'
import {applyExports, type ExportLine} from './exports.js'
import {DEV_IMAGE_TAG, devNames, ENGINE_STATE_DIR} from './names.js'
import {throttledProgress, type WaitProgress} from './wait-progress.js'

/** Loading a multi-hundred-MB tarball takes a while on a slow disk; bounded all the same. */
export const LOAD_TIMEOUT_MS = 5 * 60_000
export const READY_TIMEOUT_MS = 60_000
/** `bin/dagger version` against the new engine. */
export const VERIFY_TIMEOUT_MS = 60_000

/** What to do when bin/engine.tar is missing. */
export const NO_TARBALL_FIX = 'Run the build first: `dagger-explore engine build`.'

export class LaunchError extends DaggerExploreError {
  override readonly name = 'LaunchError'
  constructor(
    message: string,
    /** The container's last log lines, when it got that far. */
    readonly logs: readonly string[] = [],
    advice: ErrorAdvice = {},
  ) {
    super(message, advice)
  }
}

export interface LoadResult {
  readonly imageId: string
  /** What the daemon said it loaded (`Loaded image ID: …` or `Loaded image: name:tag`). */
  readonly messages: readonly string[]
}

/** Reads the newline-delimited JSON the daemon streams back from `/images/load`. */
export function parseLoadResponse(body: string): {messages: string[]; error?: string; ids: string[]; refs: string[]} {
  const messages: string[] = []
  const ids: string[] = []
  const refs: string[] = []
  let error: string | undefined
  for (const raw of body.split('\n')) {
    const line = raw.trim()
    if (!line) continue
    let text = line
    try {
      const obj = JSON.parse(line) as {stream?: string; error?: string; errorDetail?: {message?: string}}
      if (obj.error || obj.errorDetail?.message) {
        error = obj.errorDetail?.message ?? obj.error
        continue
      }
      text = (obj.stream ?? '').trim()
    } catch {
      // an older daemon answers plain text; use it as it is
    }
    if (!text) continue
    messages.push(text)
    const id = /Loaded image ID: (sha256:[0-9a-f]{64})/.exec(text)?.[1] ?? /Loaded image: (sha256:[0-9a-f]{64})/.exec(text)?.[1]
    if (id) ids.push(id)
    else {
      const ref = /Loaded image: (\S+)/.exec(text)?.[1]
      if (ref) refs.push(ref)
    }
  }
  return {messages, ids, refs, ...(error === undefined ? {} : {error})}
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)))
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.on('error', reject)
  })
}

/** `POST /images/load` with the tarball, returning the loaded image's ID. */
export async function loadEngineImage(docker: Docker, tarPath: string, rec: Recorder, timeoutMs = LOAD_TIMEOUT_MS): Promise<LoadResult> {
  try {
    statSync(tarPath)
  } catch {
    throw new LaunchError(`${tarPath} does not exist: the build did not produce an engine tarball.`, [], {fix: NO_TARBALL_FIX})
  }
  const body = await rec.call('api', ['POST', '/images/load', `< ${tarPath}`], async () => {
    const response = await withTimeout(docker.loadImage(createReadStream(tarPath)), timeoutMs, 'POST /images/load')
    return withTimeout(readAll(response), timeoutMs, 'reading the /images/load answer')
  }, (text) => text)
  const parsed = parseLoadResponse(body)
  if (parsed.error !== undefined) throw new LaunchError(`The daemon could not load ${path.basename(tarPath)}: ${sanitize(parsed.error)}`)
  let imageId = parsed.ids.at(-1)
  const ref = parsed.refs.at(-1)
  if (imageId === undefined && ref !== undefined) {
    // A tagged tarball reports the name, not the ID: ask the daemon which ID the name now has.
    const info = await rec.call('api', ['GET', `/images/${ref}/json`], () => inspectImage(docker, ref, 15_000), (i) => i.Id)
    imageId = info.Id
  }
  if (imageId === undefined) throw new LaunchError(`The daemon loaded ${path.basename(tarPath)} but did not say which image it was: ${sanitize(parsed.messages.join(' / ')) || 'no message'}`)
  return {imageId, messages: parsed.messages}
}

/** Tags the loaded image as `localhost/dagger-engine.dev:latest`, as the build scripts do. */
export async function tagDevImage(docker: Docker, imageId: string, rec: Recorder, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const {imageRepo, image: ref} = devNames(env)
  await rec.call('api', ['POST', `/images/${imageId}/tag?repo=${imageRepo}&tag=${DEV_IMAGE_TAG}`], () =>
    withTimeout(docker.getImage(imageId).tag({repo: imageRepo, tag: DEV_IMAGE_TAG}), 15_000, 'image tag'),
    () => `tagged ${ref}`,
  )
  return ref
}

/** Variables the era's `docker run` passes through with `-e NAME` when they are set. */
export function passthroughEnv(era: EraId): readonly string[] {
  return ERAS[era].passthroughEnv
}

export interface RunPlan {
  readonly name: string
  readonly volume: string
  readonly image: string
  readonly cmd: readonly string[]
  readonly env: readonly string[]
  readonly debugPort?: number
  /** Network mode; undefined leaves the daemon's default, as the build scripts do. */
  readonly network?: string
  /** The equivalent `docker run` argument vector (values of `-e` left out, as docker does with `-e NAME`). */
  readonly argv: readonly string[]
}

export function planRun(era: EraId, flags: EraRunFlags, env: NodeJS.ProcessEnv, network?: string): RunPlan {
  const {container, volume, image} = devNames(env)
  const names = passthroughEnv(era).filter((n) => env[n] !== undefined)
  const argv = ['docker', 'run', '-d']
  for (const n of names) argv.push('-e', n)
  // The pprof endpoint is for this machine only; binding it to loopback keeps it off the network.
  if (flags.debugPort !== undefined) argv.push('-p', `127.0.0.1:${flags.debugPort}:${flags.debugPort}`)
  if (network !== undefined) argv.push('--network', network)
  argv.push('-v', `${volume}:${ENGINE_STATE_DIR}`, '--name', container, '--privileged', image, ...flags.cmd)
  return {
    name: container,
    volume,
    image,
    cmd: flags.cmd,
    env: names,
    ...(flags.debugPort === undefined ? {} : {debugPort: flags.debugPort}),
    ...(network === undefined ? {} : {network}),
    argv,
  }
}

export async function inspectContainer(docker: Docker, name: string, rec: Recorder): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await rec.call('api', ['GET', `/containers/${name}/json`], () => withTimeout(docker.getContainer(name).inspect(), 15_000, 'container inspect'), (i) => `${i.Name} ${i.State.Status} ${i.Image}`)
  } catch (error) {
    if (statusCode(error) === 404) return undefined
    throw new LaunchError(`Could not inspect ${name}: ${sanitize(dockerMessage(error))}`)
  }
}

export interface StartOptions extends Approval {
  readonly plan: RunPlan
  readonly env: NodeJS.ProcessEnv
  readonly rec: Recorder
  /**
  Keep a running container that already runs this image ID instead of replacing it: the mage-era
  build starts dagger-engine.dev itself, so right after it there is nothing to replace.
  */
  readonly reuseImageId?: string
}

export type StartOutcome = {readonly started: true; readonly id: string; readonly replaced: boolean; readonly reused?: boolean} | {readonly started: false; readonly reason: string}

/**
Replaces `dagger-engine.dev` (after approval, with `rm -fv` semantics: the named state volume stays,
anonymous ones go) and starts the new one from the plan.
*/
export async function startDevEngine(docker: Docker, options: StartOptions): Promise<StartOutcome> {
  const {plan, rec} = options
  const existing = await inspectContainer(docker, plan.name, rec)
  if (existing !== undefined && options.reuseImageId !== undefined && existing.Image === options.reuseImageId && existing.State.Running) {
    return {started: true, id: existing.Id, replaced: false, reused: true}
  }
  if (existing !== undefined) {
    const ok = await approve(options, {
      action: `Replace the existing ${plan.name} (${existing.State.Status}, image ${existing.Config.Image})`,
      commands: [`docker rm -fv ${plan.name}`, plan.argv.join(' ')],
      why: `Only one container can be named ${plan.name}. Removing it stops whatever runs on it; the named volume ${plan.volume} (the engine's cache) is kept.`,
    })
    if (!ok) return {started: false, reason: `${plan.name} already exists and replacing it was not approved (non-interactive use needs --yes).`}
    await removeDevContainer(docker, plan.name, rec)
  } else {
    // A privileged container is a destructive step too: it gets the host's devices and kernel.
    const ok = await approve(options, {
      action: `Start ${plan.name} as a privileged container`,
      commands: [plan.argv.join(' ')],
      why: `The Dagger engine runs its own containers (cgroups, mounts, networking), so it needs --privileged: full access to this host's devices and kernel. Its cache lives in the volume ${plan.volume}.`,
    })
    if (!ok) return {started: false, reason: `Starting the privileged ${plan.name} was not approved (non-interactive use needs --yes).`}
  }
  return createAndStart(docker, plan, options.env, rec, existing !== undefined)
}

/** Removes a container with `docker rm -fv` semantics (the named volume stays, anonymous ones go). */
export async function removeDevContainer(docker: Docker, name: string, rec: Recorder): Promise<void> {
  await rec.call('api', ['DELETE', `/containers/${name}?force=1&v=1`], () => withTimeout(docker.getContainer(name).remove({force: true, v: true}), 30_000, 'container remove'), () => 'removed')
}

/** Creates and starts the container of the plan (what `docker run -d` does); approval is the caller's. */
export async function createAndStart(docker: Docker, plan: RunPlan, envIn: NodeJS.ProcessEnv, rec: Recorder, replaced: boolean): Promise<StartOutcome> {
  const env = plan.env.map((n) => `${n}=${envIn[n] ?? ''}`)
  const port = plan.debugPort
  const createOptions: Docker.ContainerCreateOptions = {
    name: plan.name,
    Image: plan.image,
    Cmd: [...plan.cmd],
    Env: env,
    ...(port === undefined ? {} : {ExposedPorts: {[`${port}/tcp`]: {}}}),
    HostConfig: {
      Privileged: true,
      Binds: [`${plan.volume}:${ENGINE_STATE_DIR}`],
      ...(port === undefined ? {} : {PortBindings: {[`${port}/tcp`]: [{HostIp: '127.0.0.1', HostPort: String(port)}]}}),
      ...(plan.network === undefined ? {} : {NetworkMode: plan.network}),
    },
  }
  try {
    const container = await rec.call('api', ['POST', `/containers/create?name=${plan.name}`], () => withTimeout(docker.createContainer(createOptions), 30_000, 'container create'), (c) => c.id)
    await rec.call('api', ['POST', `/containers/${plan.name}/start`], () => withTimeout(container.start(), 30_000, 'container start'), () => 'started')
    return {started: true, id: container.id, replaced}
  } catch (error) {
    const message = sanitize(dockerMessage(error))
    const caps = /unable to apply caps|operation not permitted/i.test(message)
    throw new LaunchError(
      caps
        ? `The daemon could not start a privileged container: ${message}. The engine needs --privileged; in a rootless or restricted Docker this fails (rootless is not supported by dagger).`
        : `Could not start ${plan.name}: ${message}`,
    )
  }
}

/** The last `tail` log lines of a container, sanitised. */
export async function containerLogs(docker: Docker, name: string, tail = 30): Promise<string[]> {
  try {
    const raw = (await withTimeout(docker.getContainer(name).logs({stdout: true, stderr: true, tail, follow: false}), 15_000, 'container logs')) as unknown as Buffer
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))
    const {stdout, stderr} = demuxDockerStream(buf)
    const text = stdout.length + stderr.length > 0 ? `${stdout.toString('utf8')}${stderr.toString('utf8')}` : buf.toString('utf8')
    return sanitize(text).split('\n').filter((l) => l.trim() !== '').slice(-tail)
  } catch {
    return []
  }
}

// HTTP/2 client preface and an empty SETTINGS frame: what a gRPC client sends first through dial-stdio.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])])

/** True when `bytes` starts with an HTTP/2 SETTINGS frame on stream 0: the engine's gRPC server answered. */
export function isH2Settings(bytes: Buffer): boolean {
  return bytes.length >= 9 && bytes[3] === 0x04 && bytes.readUInt32BE(5) === 0
}

/**
Runs `buildctl dial-stdio` in the container (what `docker-container://` does) and sends an HTTP/2
preface; the engine is ready when its gRPC server answers with SETTINGS.
*/
export async function probeDialStdio(docker: Docker, name: string, timeoutMs = 5000): Promise<boolean> {
  const container = docker.getContainer(name)
  const exec = await withTimeout(container.exec({Cmd: ['buildctl', 'dial-stdio'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false}), timeoutMs, 'exec create')
  const stream = (await withTimeout(exec.start({hijack: true, stdin: true}), timeoutMs, 'exec start')) as NodeJS.ReadWriteStream & {destroy?: () => void}
  let timedOut = false
  const answered = await new Promise<boolean>((resolve) => {
    let buf: Buffer = Buffer.alloc(0)
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      stream.removeAllListeners('data')
      try {
        stream.end()
        stream.destroy?.()
      } catch {
        // closing a dead stream
      }
      resolve(ok)
    }
    const timer = setTimeout(() => {
      timedOut = true
      done(false)
    }, timeoutMs)
    stream.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const {stdout} = demuxDockerStream(buf)
      if (stdout.length >= 9) done(isH2Settings(stdout))
    })
    stream.on('end', () => done(false))
    stream.on('error', () => done(false))
    stream.write(H2_PREFACE)
  })
  // Closing the attach stream does not end a dial-stdio that hangs: kill it in the container.
  if (timedOut) await killExec(docker, name, exec, ['buildctl', 'dial-stdio'], timeoutMs).catch(() => undefined)
  return answered
}

/** The line the engine logs once its gRPC server listens (buildkitd's, kept by dagger-engine). */
export const READY_LOG = /running server on /

export interface ReadyResult {
  readonly via: 'dial-stdio' | 'log'
  readonly waitedMs: number
}

/** The container's state without a record: the poller records its inspections once, with a count. */
async function pollInspect(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await withTimeout(docker.getContainer(name).inspect(), 15_000, 'container inspect')
  } catch (error) {
    if (statusCode(error) === 404) return undefined
    throw new LaunchError(`Could not inspect ${name}: ${sanitize(dockerMessage(error))}`)
  }
}

/**
Waits until the container runs and answers (dial-stdio, or the readiness log line); on timeout throws
with its last logs. It polls twice a second; the recorder folds the polls into one record with a
count, which every output shows as one line ("GET …/json  ×118 over 60.0 s, the same answer each time"),
and tells `onProgress` every few seconds what it waits for and the engine's last log line.
*/
export async function waitForEngine(docker: Docker, name: string, rec: Recorder, timeoutMs = READY_TIMEOUT_MS, onProgress?: (p: WaitProgress) => void): Promise<ReadyResult> {
  const started = Date.now()
  const startedAt = new Date(started).toISOString()
  const argv = ['docker', 'exec', '-i', name, 'buildctl', 'dial-stdio']
  const report = throttledProgress(onProgress)
  let lastState = 'unknown'
  let probes = 0
  let lastLine: string | undefined
  while (Date.now() - started < timeoutMs) {
    const polledAt = Date.now()
    const info = await pollInspect(docker, name).catch(() => undefined)
    // Each inspection is recorded as the answer it gave; identical ones in a row become one record with a count.
    rec.record({kind: 'api', argv: ['GET', `/containers/${name}/json`], exitCode: info === undefined ? 1 : 0, output: info === undefined ? 'no such container' : `State.Status: ${info.State.Status}`, startedAt: new Date(polledAt).toISOString(), durationMs: Date.now() - polledAt})
    if (info === undefined) {
      throw new LaunchError(`${name} disappeared while starting.`, await containerLogs(docker, name))
    }
    lastState = info.State.Status
    if (!info.State.Running && (info.State.Status === 'exited' || info.State.Status === 'dead')) {
      const logs = await containerLogs(docker, name)
      throw new LaunchError(`${name} exited with code ${info.State.ExitCode} while starting${info.State.Error ? ` (${sanitize(info.State.Error)})` : ''}.`, logs)
    }
    if (info.State.Running) {
      probes++
      const answered = await probeDialStdio(docker, name, 3000).catch(() => false)
      if (answered) {
        rec.record({kind: 'api', argv, exitCode: 0, output: `HTTP/2 SETTINGS frame received: the engine answers${probes > 1 ? ` (attempt ${probes})` : ''}`, startedAt, durationMs: Date.now() - started})
        return {via: 'dial-stdio', waitedMs: Date.now() - started}
      }
      const logs = await containerLogs(docker, name, 200)
      lastLine = logs.at(-1) ?? lastLine
      if (logs.some((l) => READY_LOG.test(l))) {
        // The server logs that it listens just before it accepts: one more probe usually sees it answer, the stronger proof.
        if (await probeDialStdio(docker, name, 3000).catch(() => false)) {
          rec.record({kind: 'api', argv, exitCode: 0, output: `HTTP/2 SETTINGS frame received: the engine answers (attempt ${probes + 1})`, startedAt, durationMs: Date.now() - started})
          return {via: 'dial-stdio', waitedMs: Date.now() - started}
        }
        rec.record({kind: 'api', argv: ['docker', 'logs', name], exitCode: 0, output: logs.find((l) => READY_LOG.test(l)) ?? '', startedAt, durationMs: Date.now() - started})
        return {via: 'log', waitedMs: Date.now() - started}
      }
    }
    report({waitingFor: info.State.Running ? `waiting for ${name} to answer \`buildctl dial-stdio\`` : `waiting for ${name} to run (state ${lastState})`, elapsedMs: Date.now() - started, limitMs: timeoutMs, ...(lastLine === undefined ? {} : {lastLine: lastLine.length > 200 ? `${lastLine.slice(0, 200)}…` : lastLine})})
    await new Promise((r) => setTimeout(r, 500))
  }
  const logs = await containerLogs(docker, name)
  rec.record({kind: 'api', argv, exitCode: 1, output: `no answer within ${timeoutMs} ms (state ${lastState}, ${probes} attempts)\n${logs.join('\n')}`, startedAt, durationMs: Date.now() - started})
  throw new LaunchError(`${name} did not answer within ${Math.round(timeoutMs / 1000)} s (state: ${lastState}).`, logs)
}

/** Runs the checkout's `bin/dagger version` with the captured environment; the output is the verdict. */
export async function verifyDevCli(root: string, exports: readonly ExportLine[], env: NodeJS.ProcessEnv, rec: Recorder): Promise<{ok: boolean; output: string}> {
  const bin = path.join(root, 'bin', 'dagger')
  const run = await rec.exec(bin, ['version'], {timeoutMs: VERIFY_TIMEOUT_MS, env: applyExports(env, exports, root), cwd: root})
  const output = sanitize((run.stdout || run.stderr).trim())
  return {ok: run.exitCode === 0, output: run.notFound ? `${bin} not found` : output}
}
