import type {Options, Result} from 'execa'

/** After SIGTERM to the group, what is still there gets SIGKILL this much later. */
const KILL_AFTER_MS = 1000

/**
Runs a process in its own process group and, on timeout or abort, signals the whole group: killing
only the direct child leaves a wrapper script's children (`sleep`, a hung engine call) running and
holding the output pipes open, so the caller waited for them anyway (31 s for a 1 s limit).
*/
export async function execGroup(file: string, args: readonly string[], options: Options & {timeoutMs: number; signal?: AbortSignal}): Promise<{result: Result; timedOut: boolean}> {
  const {execa} = await import('execa')
  const {timeoutMs, signal, ...rest} = options
  const sub = execa(file, [...args], {...rest, reject: false, detached: true, ...(signal === undefined ? {} : {cancelSignal: signal}), forceKillAfterDelay: KILL_AFTER_MS})
  let timedOut = false
  const timers: NodeJS.Timeout[] = []
  const group = (sig: NodeJS.Signals): void => {
    if (sub.pid === undefined) return
    try {
      process.kill(-sub.pid, sig)
    } catch {
      // the group is gone already
    }
  }
  const stop = (): void => {
    group('SIGTERM')
    timers.push(setTimeout(() => group('SIGKILL'), KILL_AFTER_MS))
  }
  timers.push(
    setTimeout(() => {
      timedOut = true
      stop()
    }, timeoutMs),
  )
  signal?.addEventListener('abort', stop, {once: true})
  try {
    const result = (await sub) as Result
    return {result, timedOut}
  } finally {
    for (const t of timers) clearTimeout(t)
    signal?.removeEventListener('abort', stop)
  }
}
