/**
Finds dockerd processes on this machine from /proc: their command line (for --config-file and the
flags that conflict with the file), working directory and start time (to tell "edited after the
daemon started").
*/
import {readdir, readFile, readlink} from 'node:fs/promises'
import path from 'node:path'
import type {DaemonProcess} from './locate.js'
import {parseDockerdArgs} from './flags.js'

/** Kernel clock ticks per second; 100 on every Linux build Docker supports. */
const CLOCK_TICKS = 100

export async function findDockerdProcesses(procRoot = '/proc'): Promise<DaemonProcess[]> {
  let entries: string[]
  try {
    entries = await readdir(procRoot)
  } catch {
    return []
  }
  const bootMs = await bootTimeMs(procRoot)
  const out: DaemonProcess[] = []
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue
    const dir = path.join(procRoot, name)
    try {
      const comm = (await readFile(path.join(dir, 'comm'), 'utf8')).trim()
      if (comm !== 'dockerd') continue
      const argv = (await readFile(path.join(dir, 'cmdline'), 'utf8')).split('\0').filter((a, i, all) => a !== '' || i < all.length - 1)
      const cwd = await readlink(path.join(dir, 'cwd')).catch(() => undefined)
      const started = await startTimeMs(dir, bootMs)
      out.push({pid: Number(name), argv, ...(cwd === undefined ? {} : {cwd}), ...(started === undefined ? {} : {startedAtMs: started})})
    } catch {
      // The process exited while we looked, or is not ours to read.
    }
  }
  return out.sort((a, b) => a.pid - b.pid)
}

/**
Boot time from /proc/uptime and the clock now: /proc/stat's btime is whole seconds (up to a second
early), which is too coarse to tell "edited just before the restart" from "just after".
*/
async function bootTimeMs(procRoot: string): Promise<number | undefined> {
  try {
    const uptime = Number((await readFile(path.join(procRoot, 'uptime'), 'utf8')).split(' ')[0])
    return Number.isFinite(uptime) ? Date.now() - uptime * 1000 : undefined
  } catch {
    return undefined
  }
}

async function startTimeMs(dir: string, bootMs: number | undefined): Promise<number | undefined> {
  if (bootMs === undefined) return undefined
  try {
    const stat = await readFile(path.join(dir, 'stat'), 'utf8')
    // Field 22 (starttime) counts from after the parenthesised command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19])
    return Number.isFinite(ticks) ? bootMs + (ticks / CLOCK_TICKS) * 1000 : undefined
  } catch {
    return undefined
  }
}

/** Socket paths a dockerd listens on, from its -H flags (the default when none). */
export function listenSockets(argv: readonly string[]): string[] {
  const hosts = parseDockerdArgs(argv).settings.filter((s) => s.name === 'host').map((s) => s.value)
  if (hosts.length === 0) return ['/var/run/docker.sock']
  return hosts.flatMap((h) => {
    if (h.startsWith('unix://')) return [h.slice('unix://'.length)]
    if (h.startsWith('fd://')) return ['/var/run/docker.sock', '/run/docker.sock']
    if (h.startsWith('/')) return [h]
    return []
  })
}

/** The dockerd among `processes` that serves the unix socket `socketPath`. */
export function daemonForSocket(processes: readonly DaemonProcess[], socketPath: string): DaemonProcess | undefined {
  const norm = (p: string) => p.replace(/^\/run\//, '/var/run/')
  return processes.find((p) => listenSockets(p.argv).some((s) => norm(s) === norm(socketPath)))
}
