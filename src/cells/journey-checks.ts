/**
The checks a person would otherwise only find by reading dagger's issue tracker, run by the Build
and Launch cells. The decisions are pure functions in src/core/detect; this file only gathers the
facts (processes, versions, docker info and inspect, files) and records what it did. A check that
cannot get its facts says so and never stops the cell.
*/
import {accessSync, constants, existsSync, readFileSync, statSync, statfsSync} from 'node:fs'
import {homedir, release} from 'node:os'
import path from 'node:path'
import type Docker from 'dockerode'
import {concurrentBuildFinding, readProcesses} from '../core/detect/concurrent-builds.js'
import {parseDaggerVersion, versionSkewFindings} from '../core/detect/cli-versions.js'
import {dataRootFinding} from '../core/detect/data-root-disk.js'
import {engineConfigFindings, parseEngineConfig, type EngineConfigFacts} from '../core/detect/engine-config.js'
import {quotaFinding, quotaHost, readHubQuota} from '../core/detect/hub-quota.js'
import {natFinding, readNatFacts} from '../core/detect/iptables.js'
import {platformFindings} from '../core/detect/platform.js'
import {engineProxyFinding, envRecord} from '../core/detect/proxy-env.js'
import {bootTimeFrom, restartFinding} from '../core/detect/restart.js'
import type {DaggerCheckout} from '../core/engine/checkout.js'
import type {DockerEndpoint} from '../core/docker/endpoint.js'
import {DOCKER_CALL_TIMEOUT_MS, withTimeout} from '../core/engine/docker-api.js'
import {versionText} from '../core/engine/checkout.js'
import {BOOTSTRAP_PREFIX, devNames} from '../core/engine/names.js'
import type {CellContext} from './cell.js'

const CALL_MS = 10_000

/** Runs one check; a check that fails to get its facts leaves a fact saying why, not a crash. */
async function attempt(ctx: CellContext, label: string, check: () => Promise<void>): Promise<void> {
  try {
    await check()
  } catch (error) {
    ctx.recorder.fact(label, `not checked: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
}

function ancestors(pid: number): Set<number> {
  const out = new Set<number>([pid])
  let current = pid
  for (let i = 0; i < 64; i++) {
    let parent: number
    try {
      parent = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${current}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      break
    }
    if (parent <= 1 || out.has(parent)) break
    out.add(parent)
    current = parent
  }
  return out
}

async function daggerVersion(ctx: CellContext, file: string) {
  const run = await ctx.recorder.exec(file, ['version'], {timeoutMs: 20_000, env: ctx.env})
  return run.exitCode === 0 ? parseDaggerVersion(run.stdout) : null
}

/** The file `name` runs as on this PATH, as the shell finds it. */
function onPath(name: string, env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const file = path.join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return file
    } catch {
      // not here
    }
  }
  return ''
}

async function versions(ctx: CellContext, checkout: DaggerCheckout): Promise<void> {
  const file = onPath('dagger', ctx.env)
  const bin = path.join(checkout.root, 'bin', 'dagger')
  const pathVersion = file === '' || path.resolve(file) === bin ? null : await daggerVersion(ctx, file)
  const built = existsSync(bin) ? await daggerVersion(ctx, bin) : null
  const version = versionText(checkout)
  for (const f of versionSkewFindings({onPath: pathVersion === null ? null : {version: pathVersion, file}, bin: built, checkout: version === 'unknown' ? null : version})) ctx.recorder.finding(f)
}

async function platform(ctx: CellContext, docker: Docker, info: {Architecture?: string}): Promise<void> {
  const image = devNames(ctx.env).image
  const inspected = await ctx.recorder
    .call('api', ['GET', `/images/${image}/json`], () => withTimeout(docker.getImage(image).inspect(), CALL_MS, `inspect ${image}`), (i) => `${i.Os}/${i.Architecture}`)
    .catch(() => null)
  const findings = platformFindings({
    ...(ctx.env.DOCKER_DEFAULT_PLATFORM === undefined ? {} : {defaultPlatform: ctx.env.DOCKER_DEFAULT_PLATFORM}),
    ...(info.Architecture === undefined ? {} : {daemonArch: info.Architecture}),
    engineImage: inspected === null ? null : {name: image, os: inspected.Os, architecture: inspected.Architecture},
  })
  for (const f of findings) ctx.recorder.finding(f)
}

/** The session's endpoint; a check that needs it fails (and says why) when none could be chosen. */
function endpointOf(ctx: CellContext): DockerEndpoint {
  if (ctx.docker.endpoint === undefined) throw ctx.docker.error ?? new Error('no Docker endpoint')
  return ctx.docker.endpoint
}

async function dataRoot(ctx: CellContext, info: {DockerRootDir?: string}): Promise<void> {
  const endpoint = endpointOf(ctx)
  const root = info.DockerRootDir
  if (!endpoint.local || root === undefined) {
    ctx.recorder.fact('Docker data-root disk', `not checked: the daemon is ${endpoint.local ? 'silent about its data-root' : 'on another machine'}`)
    return
  }
  const s = await ctx.recorder.call('file', ['stat', '-f', root], async () => statfsSync(root), (v) => `${v.bavail * v.bsize} bytes free of ${v.blocks * v.bsize}`)
  ctx.recorder.finding(dataRootFinding({path: root, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize}))
}

async function engineConfig(ctx: CellContext, docker: Docker, withDev: boolean): Promise<void> {
  const configHome = ctx.env.XDG_CONFIG_HOME || path.join(ctx.env.HOME || homedir(), '.config')
  const file = path.join(configHome, 'dagger', 'engine.json')
  const host = existsSync(file) ? {path: file, config: parseEngineConfig(readFileSync(file, 'utf8')), modified: statSync(file).mtime} : null
  const list = await ctx.recorder.call('api', ['GET', '/containers/json?all=1'], () => withTimeout(docker.listContainers({all: true}), CALL_MS, 'list containers'), (l) => l.map((c) => c.Names[0]).join('\n'))
  const provisioned: Array<EngineConfigFacts['provisioned'][number]> = []
  for (const c of list.filter((x) => x.Names.some((n) => n.replace(/^\//, '').startsWith(BOOTSTRAP_PREFIX)) && x.State === 'running')) {
    const i = await withTimeout(docker.getContainer(c.Id).inspect(), CALL_MS, 'inspect')
    provisioned.push({name: i.Name.replace(/^\//, ''), started: new Date(i.State.StartedAt), mountsHostConfig: i.Mounts.some((m) => m.Destination === '/etc/dagger/engine.json')})
  }
  let dev: EngineConfigFacts['dev'] = null
  const devName = devNames(ctx.env).container
  if (withDev && list.some((c) => c.Names.includes(`/${devName}`) && c.State === 'running')) {
    // Read with `docker exec cat` would change nothing either, but the archive endpoint needs no process in the engine.
    const text = await ctx.recorder.call('api', ['GET', `/containers/${devName}/archive?path=/etc/dagger/engine.json`], () => readFromContainer(docker, devName, '/etc/dagger/engine.json'))
    dev = {name: devName, config: parseEngineConfig(text)}
  }
  if (host === null && dev === null) return
  for (const f of engineConfigFindings({host, provisioned, dev})) ctx.recorder.finding(f)
}

/** One small file out of a container through the archive endpoint (a tar with one entry). */
async function readFromContainer(docker: Docker, container: string, file: string): Promise<string> {
  const stream = (await withTimeout(docker.getContainer(container).getArchive({path: file}), CALL_MS, `read ${file}`)) as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  await withTimeout(
    (async () => {
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
    })(),
    CALL_MS,
    `read ${file}`,
  )
  const tar = Buffer.concat(chunks)
  const size = Number.parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8)
  return tar.subarray(512, 512 + size).toString('utf8')
}

async function quota(ctx: CellContext): Promise<void> {
  const host = quotaHost({env: ctx.env})
  const q = await ctx.recorder.call('api', ['HEAD', `https://${host}/v2/ratelimitpreview/test/manifests/latest`], () => readHubQuota({env: ctx.env, timeoutMs: 5000}), (v) => `HTTP ${v.status} ratelimit-remaining ${v.remaining ?? 'none'} of ${v.limit ?? 'none'}`)
  ctx.recorder.finding(quotaFinding(q))
}

async function devEngineState(ctx: CellContext, docker: Docker): Promise<void> {
  const name = devNames(ctx.env).container
  const i = await ctx.recorder
    .call('api', ['GET', `/containers/${name}/json`], () => withTimeout(docker.getContainer(name).inspect(), CALL_MS, `inspect ${name}`), (v) => `${v.State.Status} restart=${v.HostConfig.RestartPolicy?.Name ?? ''}`)
    .catch(() => null)
  if (i === null) return
  const boot = bootTimeFrom(readFileSync('/proc/stat', 'utf8'))
  const finished = i.State.FinishedAt && !i.State.FinishedAt.startsWith('0001') ? new Date(i.State.FinishedAt) : null
  const f = restartFinding({name, status: i.State.Status, restartPolicy: i.HostConfig.RestartPolicy?.Name ?? '', exitCode: i.State.ExitCode, finishedAt: finished, oomKilled: i.State.OOMKilled}, boot)
  if (f !== null) ctx.recorder.finding(f)
  const proxy = engineProxyFinding(name, ctx.env, envRecord(i.Config.Env))
  if (proxy !== null) ctx.recorder.finding(proxy)
}

/** Before a build: another build running, CLI versions, platform, data-root disk, engine.json mirrors, Docker Hub quota. */
export async function beforeBuildChecks(ctx: CellContext, checkout: DaggerCheckout): Promise<void> {
  await attempt(ctx, 'Other dev builds', async () => {
    const f = concurrentBuildFinding(readProcesses(), ancestors(process.pid))
    if (f !== null) ctx.recorder.finding(f)
  })
  await attempt(ctx, 'dagger versions', () => versions(ctx, checkout))
  let docker: Docker
  let info: {Architecture?: string; DockerRootDir?: string}
  try {
    docker = await ctx.docker.client(DOCKER_CALL_TIMEOUT_MS)
    info = await ctx.recorder.call('api', ['GET', '/info'], () => withTimeout(docker.info() as Promise<{Architecture?: string; DockerRootDir?: string}>, CALL_MS, 'docker info'), (v) => `Architecture ${v.Architecture} DockerRootDir ${v.DockerRootDir}`)
  } catch (error) {
    ctx.recorder.fact('Docker checks', `not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    await attempt(ctx, 'Docker Hub pull quota', () => quota(ctx))
    return
  }
  await attempt(ctx, 'Engine platform', () => platform(ctx, docker, info))
  await attempt(ctx, 'Docker data-root disk', () => dataRoot(ctx, info))
  await attempt(ctx, 'engine.json mirrors', () => engineConfig(ctx, docker, false))
  await attempt(ctx, 'Docker Hub pull quota', () => quota(ctx))
}

/** Before and around a launch: the host's iptables nat table, the dev engine's state, restart policy and proxy environment, its baked engine.json. */
export async function launchChecks(ctx: CellContext): Promise<void> {
  await attempt(ctx, 'iptables nat table', async () => {
    const endpoint = endpointOf(ctx)
    if (!endpoint.local) {
      ctx.recorder.fact('iptables nat table', 'not checked: the daemon runs on another machine')
      return
    }
    const facts = await ctx.recorder.call('file', ['cat', '/proc/modules', '/proc/net/ip_tables_names'], async () => readNatFacts(release()), (f) => `kernel ${f.kernel}; nat table ${f.tables?.includes('nat') ? 'present' : 'absent'}; iptable_nat ${f.loaded.includes('iptable_nat') ? 'loaded' : f.builtin ? 'built in' : f.moduleFile ? 'installed, not loaded' : 'not installed'}`)
    ctx.recorder.finding(natFinding(facts))
  })
  let docker: Docker
  try {
    docker = await ctx.docker.client(DOCKER_CALL_TIMEOUT_MS)
  } catch {
    return
  }
  await attempt(ctx, 'Dev engine state', () => devEngineState(ctx, docker))
  await attempt(ctx, 'engine.json mirrors', () => engineConfig(ctx, docker, true))
}
