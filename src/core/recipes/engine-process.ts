import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import type Docker from 'dockerode'
import {withTimeout} from '../docker/client.js'
import {DEV_ENGINE_NAME as DEV_ENGINE_CONTAINER} from '../engine/names.js'

/** The dev engine's default name, from the one place the names live. */
export {DEV_ENGINE_CONTAINER}
export const ENGINE_BINARY = '/usr/local/bin/dagger-engine'

export interface EngineContainer {
  readonly id: string
  readonly name: string
  readonly image: string
  readonly running: boolean
  readonly status: string
  /** Host PID of the container's init process (`State.Pid`), 0 when not running. */
  readonly initHostPid: number
  /** Host ports published for container port 6060 (the engine's debug HTTP server). */
  readonly debugPort?: {readonly hostIp: string; readonly hostPort: number}
}

/** Inspects a container by name; undefined when no such container exists. */
export async function inspectEngine(docker: Docker, name: string, timeoutMs: number): Promise<EngineContainer | undefined> {
  let info: Docker.ContainerInspectInfo
  try {
    info = await withTimeout(docker.getContainer(name).inspect(), timeoutMs, `Inspecting ${name}`)
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) return undefined
    throw error
  }
  const binding = info.NetworkSettings?.Ports?.['6060/tcp']?.[0]
  const hostPort = binding ? Number(binding.HostPort) : NaN
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    running: info.State.Running,
    status: info.State.Status,
    initHostPid: info.State.Pid,
    ...(binding && Number.isInteger(hostPort) ? {debugPort: {hostIp: binding.HostIp ?? '', hostPort}} : {}),
  }
}

/**
The dev engine container: `dagger-engine.dev` when it exists, otherwise the first running
`dagger-engine-*` (a bootstrap or released engine) so that the user sees what there is. A name the
user chose is looked up as given.
*/
export async function findEngineContainer(docker: Docker, timeoutMs: number, preferred = DEV_ENGINE_CONTAINER): Promise<EngineContainer | undefined> {
  const dev = await inspectEngine(docker, preferred, timeoutMs)
  if (dev) return dev
  // A container the user named explicitly is not swapped for another one.
  if (preferred !== DEV_ENGINE_CONTAINER) return undefined
  const list = await withTimeout(docker.listContainers({all: false, filters: {name: ['dagger-engine']}}), timeoutMs, 'Listing containers')
  for (const c of list) {
    const name = (c.Names[0] ?? '').replace(/^\//, '')
    if (/^dagger-engine[.-]/.test(name)) return inspectEngine(docker, name, timeoutMs)
  }
  return undefined
}

export interface ProcessRow {
  readonly hostPid: number
  readonly hostPpid: number
  readonly command: string
}

export interface EnginePid {
  /** The PID inside the container's PID namespace: what `dlv attach` needs from `--pid=container:`. */
  readonly pid: number
  readonly hostPid: number
  readonly command: string
  /** The engine is not the container's init: something (tini) runs as PID 1. */
  readonly underInit: boolean
  /** The command of PID 1 when it is not the engine. */
  readonly initCommand?: string
  /** How the in-container PID was found. */
  readonly how: string
}

/** Parses `GET /containers/{id}/top`: the titles vary by platform (`CMD` on Linux, `COMMAND` elsewhere). */
export function parseTop(top: {Titles?: string[]; Processes?: string[][]}): ProcessRow[] {
  const titles = top.Titles ?? []
  const pidAt = titles.indexOf('PID')
  const ppidAt = titles.indexOf('PPID')
  const cmdAt = titles.findIndex((t) => t === 'CMD' || t === 'COMMAND')
  if (pidAt === -1 || cmdAt === -1) return []
  return (top.Processes ?? []).map((row) => ({
    hostPid: Number(row[pidAt]),
    hostPpid: ppidAt === -1 ? 0 : Number(row[ppidAt]),
    command: row[cmdAt] ?? '',
  }))
}

function isEngineCommand(command: string): boolean {
  const program = command.trim().split(/\s+/)[0] ?? ''
  return path.posix.basename(program) === 'dagger-engine'
}

/** The engine among the container's processes: the one whose program is `dagger-engine` (tini's command line only mentions it). */
export function pickEngineProcess(rows: readonly ProcessRow[], initHostPid: number): ProcessRow | undefined {
  const engines = rows.filter((r) => isEngineCommand(r.command))
  return engines.find((r) => r.hostPid === initHostPid) ?? engines.find((r) => r.hostPpid === initHostPid) ?? engines.sort((a, b) => a.hostPid - b.hostPid)[0]
}

/** Reads the innermost PID from `/proc/<pid>/status` (`NSpid:` lists it per namespace level, outermost first). */
export async function nsPidFromProc(hostPid: number, expectedCommand: string, procRoot = '/proc'): Promise<number | undefined> {
  try {
    // Docker may run in a VM (Docker Desktop): the host PID is then not ours, so check it is the same process.
    const cmdline = (await readFile(path.join(procRoot, String(hostPid), 'cmdline'), 'utf8')).split('\0').filter(Boolean).join(' ')
    if (cmdline.trim() !== expectedCommand.trim()) return undefined
    const status = await readFile(path.join(procRoot, String(hostPid), 'status'), 'utf8')
    const line = /^NSpid:\s*(.+)$/m.exec(status)?.[1]
    const last = line?.trim().split(/\s+/).at(-1)
    const pid = Number(last)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

// Fixed script run inside the container (no outside values in it): one line per process, "PID argv...".
const SCAN = 'for p in /proc/[0-9]*; do printf "%s %s\\n" "${p#/proc/}" "$(tr "\\0" " " < "$p/cmdline" 2>/dev/null)"; done'

/** Runs a fixed command in the container and returns its stdout (`POST /containers/{id}/exec`). */
export async function execInContainer(docker: Docker, id: string, cmd: string[], timeoutMs: number): Promise<{exitCode: number | null; stdout: string; bytes: Buffer}> {
  const exec = await withTimeout(docker.getContainer(id).exec({Cmd: cmd, AttachStdout: true, AttachStderr: true}), timeoutMs, 'Creating an exec')
  const stream = await withTimeout(exec.start({hijack: true, stdin: false}), timeoutMs, 'Starting an exec')
  const out = new PassThrough()
  const err = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  err.resume()
  docker.modem.demuxStream(stream, out, err)
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        stream.on('end', resolve)
        stream.on('close', resolve)
        stream.on('error', reject)
      }),
      timeoutMs,
      'Running an exec',
    )
  } catch (error) {
    // An exec that hangs must not hold its socket (and so the process) open after we give up on it.
    stream.destroy()
    throw error
  }
  const info = await withTimeout(exec.inspect(), timeoutMs, 'Inspecting an exec')
  const bytes = Buffer.concat(chunks)
  return {exitCode: info.ExitCode ?? null, stdout: bytes.toString('utf8'), bytes}
}

/** Parses the in-container scan: "PID argv..." per line. */
export function parseScan(text: string): {pid: number; command: string}[] {
  return text
    .split('\n')
    .map((line) => /^(\d+)\s+(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({pid: Number(m[1]), command: (m[2] ?? '').trim()}))
}

/**
Finds the engine's PID as the container sees it. `docker top` lists host PIDs; when the engine is the
container's init it is PID 1, otherwise the host's `/proc/<pid>/status` gives the namespaced PID, and
as a last resort a scan of `/proc` inside the container does.
*/
export async function findEnginePid(docker: Docker, engine: EngineContainer, timeoutMs: number, procRoot = '/proc'): Promise<EnginePid> {
  if (!engine.running) throw new Error(`The container ${engine.name} is ${engine.status}, not running, so it has no engine process.`)
  const top = await withTimeout(docker.getContainer(engine.id).top(), timeoutMs, `Listing the processes of ${engine.name}`)
  const rows = parseTop(top as {Titles?: string[]; Processes?: string[][]})
  const init = rows.find((r) => r.hostPid === engine.initHostPid)
  const engineRow = pickEngineProcess(rows, engine.initHostPid)
  if (!engineRow) {
    const seen = rows.map((r) => r.command).slice(0, 5).join('; ')
    throw new Error(`No process in ${engine.name} runs ${ENGINE_BINARY} (its processes: ${seen || 'none'}).`)
  }
  const underInit = engineRow.hostPid !== engine.initHostPid
  const base = {hostPid: engineRow.hostPid, command: engineRow.command, underInit, ...(underInit && init ? {initCommand: init.command} : {})}
  if (!underInit) return {...base, pid: 1, how: 'the engine is the container\'s init process (PID 1)'}
  const fromProc = await nsPidFromProc(engineRow.hostPid, engineRow.command, procRoot)
  if (fromProc !== undefined) return {...base, pid: fromProc, how: `host PID ${engineRow.hostPid} maps to ${fromProc} in the container (NSpid in /proc/${engineRow.hostPid}/status)`}
  const scan = await execInContainer(docker, engine.id, ['sh', '-c', SCAN], timeoutMs)
  const inside = parseScan(scan.stdout).filter((p) => isEngineCommand(p.command)).sort((a, b) => a.pid - b.pid)[0]
  if (!inside) throw new Error(`The engine runs as host PID ${engineRow.hostPid}, but a scan of /proc inside ${engine.name} did not find it.`)
  return {...base, pid: inside.pid, how: 'found by scanning /proc inside the container'}
}
