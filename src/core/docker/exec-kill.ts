import {readFileSync} from 'node:fs'
import type Docker from 'dockerode'
import {withDeadline} from '../deadline.js'

/**
Kills the process tree rooted at container PID $1 (the exec's process and what it started: a wrapper
script's `sleep` would outlive its shell otherwise). Parents come from /proc/PID/stat, so it needs only
a POSIX sh with `kill` built in (busybox's is enough).
*/
const KILL_TREE = `
all=$1; level=$1
while [ -n "$level" ]; do
  next=
  for s in /proc/[0-9]*/stat; do
    read -r line < "$s" 2>/dev/null || continue
    rest=\${line##*) }
    set -- $rest
    for p in $level; do
      if [ "$2" = "$p" ]; then c=\${s#/proc/}; next="$next \${c%/stat}"; fi
    done
  done
  all="$all $next"; level=$next
done
kill -9 $all 2>/dev/null
exit 0`

/**
Finds the container-side PID of a process whose argv is $@ when the host's /proc is not the daemon's
(a remote daemon): command substitution drops the NUL separators of /proc/PID/cmdline, so both sides
are compared joined without them, the command line ending with the argv (a script runs as `sh SCRIPT`).
*/
const FIND_BY_ARGV = `want=$(printf '%s' "$@")
for d in /proc/[0-9]*; do
  p=\${d#/proc/}
  [ "$p" = "$$" ] && continue
  case "$(cat "$d/cmdline" 2>/dev/null)" in *"$want") echo "$p" ;; esac
done
exit 0`

export interface KillOutcome {
  /** The exec is no longer running. */
  readonly stopped: boolean
  /** How it was found and killed, for the record. */
  readonly how: string
}

function hostView(hostPid: number, argv: readonly string[]): number | undefined {
  // The daemon reports the host PID; on this machine /proc has it, with its PID inside the container's
  // namespace last on the NSpid line. The argv check makes sure it is the same process (the daemon may
  // be remote, where that PID means something else here).
  try {
    // A script runs as `sh SCRIPT ARGS`: its command line ends with the exec's argv.
    const cmdline = readFileSync(`/proc/${hostPid}/cmdline`, 'utf8').replace(/\0$/, '')
    if (!cmdline.endsWith(argv.join('\0'))) return undefined
    const ns = /^NSpid:\s*(.+)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/)
    const inner = Number(ns?.at(-1))
    return Number.isInteger(inner) && inner > 0 ? inner : undefined
  } catch {
    return undefined
  }
}

async function run(docker: Docker, containerId: string, cmd: readonly string[], ms: number): Promise<string> {
  const exec = await withDeadline(docker.getContainer(containerId).exec({Cmd: [...cmd], AttachStdout: true, AttachStderr: true, Tty: false}), ms, () => new Error('exec create got no answer'))
  const stream = (await withDeadline(exec.start({hijack: true, stdin: false}), ms, () => new Error('exec start got no answer'))) as NodeJS.ReadableStream & {destroy(): void}
  const chunks: Buffer[] = []
  await withDeadline(
    new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', resolve)
      stream.on('close', resolve)
      stream.on('error', () => resolve())
    }),
    ms,
    () => new Error('exec got no answer'),
  ).catch(() => stream.destroy())
  // Frames of 8-byte headers: keep the payload text only.
  const buf = Buffer.concat(chunks)
  const out: Buffer[] = []
  for (let at = 0; at + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(at + 4)
    out.push(buf.subarray(at + 8, at + 8 + size))
    at += 8 + size
  }
  return Buffer.concat(out).toString('utf8')
}

async function stillRunning(exec: Docker.Exec, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    const info = await withDeadline(exec.inspect(), 5000, () => new Error('exec inspect got no answer')).catch(() => undefined)
    if (info !== undefined && !info.Running) return false
    if (Date.now() >= until) return true
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
Kills an exec that ran out of time, inside its container: Docker has no API to stop an exec, and
closing the attach stream leaves the process running (a hung `dagger-engine --version` stays for good).
Its PID comes from exec inspect; a further exec kills it and its children.
*/
export async function killExec(docker: Docker, containerId: string, exec: Docker.Exec, argv: readonly string[], ms = 5000, options: {hostProc?: boolean} = {}): Promise<KillOutcome> {
  const info = await withDeadline(exec.inspect(), ms, () => new Error('exec inspect got no answer')).catch(() => undefined)
  if (info === undefined) return {stopped: false, how: 'exec inspect got no answer, so its process could not be found'}
  if (!info.Running) return {stopped: true, how: 'it had ended by itself'}
  const hostPid = (info as {Pid?: number}).Pid ?? 0
  let pids = (() => {
    // `hostProc: false` is what a remote daemon amounts to: this machine's /proc does not have the exec.
    const inner = hostPid > 0 && options.hostProc !== false ? hostView(hostPid, argv) : undefined
    return inner === undefined ? [] : [inner]
  })()
  let found = `PID ${hostPid} on the host`
  if (pids.length === 0) {
    const listed = await run(docker, containerId, ['sh', '-c', FIND_BY_ARGV, 'sh', ...argv], ms).catch(() => '')
    pids = listed.split(/\s+/).map(Number).filter((n) => Number.isInteger(n) && n > 1)
    found = `matched by its command line in the container`
  }
  if (pids.length === 0) return {stopped: !(await stillRunning(exec, 0)), how: 'its process could not be found in the container'}
  for (const pid of pids) {
    await run(docker, containerId, ['sh', '-c', KILL_TREE, 'sh', String(pid)], ms).catch(() => run(docker, containerId, ['kill', '-9', String(pid)], ms).catch(() => ''))
  }
  const alive = await stillRunning(exec, 2000)
  return {stopped: !alive, how: `${found}, PID ${pids.join(' ')} in the container, killed with its children (kill -9)${alive ? ', but it still runs' : ''}`}
}
