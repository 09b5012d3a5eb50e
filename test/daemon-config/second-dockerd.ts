/**
A second, throw-away dockerd for tests: its own data-root, exec-root, pidfile and unix socket under a
temp folder, no bridge and no iptables, and the config file under test. Debian's docker.io 20.10
starts its own containerd under --exec-root when no system containerd socket exists (the case
here); when /run/containerd/containerd.sock exists it would attach to it, so the test daemon then
gets its own containerd namespaces to keep clear of the main daemon's containers.
*/
import {execa, type ResultPromise} from 'execa'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {request} from 'node:http'
import os from 'node:os'
import path from 'node:path'

export const PREFIX = 'dx-daemoncfg-'

export interface Attempt {
  readonly outcome: 'started' | 'refused' | 'timeout'
  readonly ms: number
  /** The last lines dockerd printed (its reason when refused). */
  readonly message: string
}

export interface SecondDockerd {
  readonly dir: string
  readonly socket: string
  readonly host: string
  readonly configFile: string
  /** Flags the test daemon runs with, as its argv (for conflict checks). */
  readonly argv: readonly string[]
  /** Starts dockerd on the current config file and waits for it to answer or give up. */
  start(timeoutMs?: number): Promise<Attempt>
  stop(): Promise<number>
  info(): Promise<Record<string, unknown>>
  /** What dockerd has printed so far (the last 20 kB). */
  log(): string
  pid(): number | undefined
  cleanup(): Promise<void>
}

function getJson(socket: string, urlPath: string, timeoutMs: number): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request({socketPath: socket, path: urlPath, method: 'GET', timeout: timeoutMs, headers: {host: 'docker'}}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const points = mounts
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length)
  for (const p of points) await execa('umount', ['-l', p], {reject: false, timeout: 10_000})
}

/** Which dockerd to start: the one on PATH (the system's), or the lab's 26.1 binary with its containerd folders first on PATH. */
export interface DockerdBinary {
  readonly dockerd: string
  readonly binDirs: readonly string[]
}

export async function createSecondDockerd(configFile: string, extraArgs: readonly string[] = [], binary: DockerdBinary = {dockerd: 'dockerd', binDirs: []}): Promise<SecondDockerd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), PREFIX))
  const socket = path.join(dir, 'd.sock')
  const ns = path.basename(dir)
  const argv = [
    binary.dockerd,
    '--data-root', path.join(dir, 'data'),
    '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`,
    '--bridge=none',
    '--iptables=false',
    '--ip-forward=false',
    '--config-file', configFile,
    ...(existsSync('/run/containerd/containerd.sock') ? ['--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-plugins`] : []),
    ...extraArgs,
  ]
  let proc: ResultPromise | undefined
  let running = false
  let output = ''

  async function stop(): Promise<number> {
    const started = Date.now()
    if (proc !== undefined && running) {
      proc.kill('SIGTERM')
      const done = await Promise.race([proc.then(() => true, () => true), sleep(15_000).then(() => false)])
      if (!done) {
        proc.kill('SIGKILL')
        await proc.then(() => undefined, () => undefined)
      }
    }
    proc = undefined
    await unmountUnder(dir)
    await rm(path.join(dir, 'exec'), {recursive: true, force: true}).catch(() => undefined)
    return Date.now() - started
  }

  return {
    dir,
    socket,
    host: `unix://${socket}`,
    configFile,
    argv,
    pid: () => proc?.pid,
    async start(timeoutMs = 20_000): Promise<Attempt> {
      await stop()
      output = ''
      const startedAt = Date.now()
      const env = binary.binDirs.length === 0 ? {} : {env: {PATH: [...binary.binDirs, process.env.PATH ?? ''].join(':')}}
      const child = execa(argv[0] ?? 'dockerd', argv.slice(1), {reject: false, all: true, buffer: false, stdin: 'ignore', cleanup: true, ...env})
      proc = child
      child.all?.on('data', (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-20_000)
      })
      let exited = false
      running = true
      void child.then(() => {
        exited = true
        running = false
      })
      const lastLines = () =>
        output
          .split('\n')
          .filter((l) => l.trim() !== '' && !/module=grpc/.test(l))
          .slice(-2)
          .join(' | ')
      while (Date.now() - startedAt < timeoutMs) {
        if (exited) return {outcome: 'refused', ms: Date.now() - startedAt, message: lastLines()}
        const answer = await getJson(socket, '/info', 1000).catch(() => undefined)
        if (answer?.status === 200 && !exited) return {outcome: 'started', ms: Date.now() - startedAt, message: ''}
        await sleep(25)
      }
      return {outcome: 'timeout', ms: Date.now() - startedAt, message: lastLines()}
    },
    stop,
    log: () => output,
    async info() {
      const answer = await getJson(socket, '/info', 5000)
      return JSON.parse(answer.body) as Record<string, unknown>
    },
    async cleanup() {
      await stop()
      await unmountUnder(dir)
      await rm(dir, {recursive: true, force: true})
    },
  }
}
