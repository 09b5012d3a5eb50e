import {closeSync, mkdirSync, openSync} from 'node:fs'
import {open, rm} from 'node:fs/promises'
import path from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import {sanitize} from '../notebook/sanitize.js'
import {mayHoldSecret} from '../notebook/secret-patterns.js'
import {BuildOutput} from './build-output.js'
import type {ExportLine} from './exports.js'
import type {ProgressSummary} from './progress.js'

export interface BuildRunOptions {
  readonly file: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  /** Every line of output, sanitised, goes here. */
  readonly sidecarPath: string
  /** The whole build is stopped (its process group) after this long. */
  readonly timeoutMs: number
  readonly signal?: AbortSignal
  /** Where the lines go; a new one is made when absent. */
  readonly output?: BuildOutput
}

export interface BuildRunResult {
  readonly exitCode: number | null
  readonly notFound: boolean
  readonly timedOut: boolean
  readonly canceled: boolean
  readonly durationMs: number
  readonly lines: number
  readonly bytes: number
  readonly exports: readonly ExportLine[]
  readonly progress: ProgressSummary
  readonly failedSteps: readonly string[]
  /** The last lines, for a failure message. */
  readonly tail: readonly string[]
  readonly sidecarPath: string
  /** One sentence when the process could not start or was stopped. */
  readonly problem?: string
}

/** A partial line longer than this is emitted as it stands, so one endless line can't grow memory. */
const MAX_PARTIAL = 1024 * 1024
/** Bytes read from the raw file per step: big enough to be cheap, small enough to keep keys answered. */
const READ_BLOCK = 64 * 1024
/** How often the raw file is checked for more output when the last read found none. */
const POLL_MS = 25

/**
Splits bytes into lines, handing each block's complete lines over in one go (one sanitise and one
sidecar write per block, not per line, keeps a 200,000-line flood cheap).
*/
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8')
  private rest = ''
  constructor(private readonly emit: (text: string) => void) {}

  chunk(buf: Buffer): void {
    const text = this.rest + this.decoder.write(buf)
    const nl = text.lastIndexOf('\n')
    if (nl < 0) {
      this.rest = text
      if (this.rest.length > MAX_PARTIAL) this.flush()
      return
    }
    this.rest = text.slice(nl + 1)
    this.emit(text.slice(0, nl))
  }

  flush(): void {
    const text = this.rest + this.decoder.end()
    this.rest = ''
    if (text.length > 0) this.emit(text)
  }
}

const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

/** `sanitize` for a block of build output, skipped when the block holds nothing it would change. */
export function cleanBlock(text: string): string {
  return CONTROL_CHARS.test(text) || mayHoldSecret(text) ? sanitize(text) : text
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}


/**
Runs a build command (argument array, its own process group so that a stop reaches `go run` and
its children), streaming its output into `output`, the sidecar file and step counts. Never throws
for a failing, missing or stopped build: the result says what happened.

The child writes straight into a raw file (stdout and stderr on one append-mode descriptor, so they
interleave as in a terminal) and this side reads it back in large blocks. A pipe would wake Node once
per line for builds that write line by line, which costs seconds on a 200,000-line build; a file also
means no line is lost whatever this process does. The raw file is removed once its sanitised copy,
the sidecar, is complete.
*/
export async function runBuild(options: BuildRunOptions): Promise<BuildRunResult> {
  const {execa} = await import('execa')
  const output = options.output ?? new BuildOutput()
  output.startedAt = Date.now()
  mkdirSync(path.dirname(options.sidecarPath), {recursive: true})
  const rawPath = path.join(path.dirname(options.sidecarPath), `.${path.basename(options.sidecarPath)}.raw`)
  // Private (0600) before the build writes anything into it; append mode so both streams interleave.
  const rawFd = openSync(rawPath, 'a', 0o600)
  const sidecar = await open(options.sidecarPath, 'w', 0o600)
  // One buffer reused for every sidecar write: a Buffer per block would pile up as external memory
  // faster than the collector frees it during a flood.
  let scratch = Buffer.allocUnsafe(READ_BLOCK * 2)
  let bytes = 0

  // The descriptor goes to the child as it is (execa's `{file}` form would pipe through this process
  // again); execa's types list only small descriptor numbers, its runtime takes any.
  const fd = rawFd as unknown as 3
  let child
  try {
    child = execa(options.file, [...options.args], {cwd: options.cwd, env: options.env, extendEnv: false, stdin: 'ignore', stdout: fd, stderr: fd, reject: false, detached: true})
  } finally {
    closeSync(rawFd)
  }
  const pid = child.pid

  let exited = false
  const splitter = new LineSplitter((text) => {
    const clean = cleanBlock(text)
    pending.push(`${clean}\n`)
    output.pushLines(clean.split('\n'))
  })
  let pending: string[] = []
  const flushSidecar = async (): Promise<void> => {
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    const size = Buffer.byteLength(text)
    if (size > scratch.length) scratch = Buffer.allocUnsafe(size * 2)
    const length = scratch.write(text)
    // The sidecar is the record of every line: the next block waits for the disk, memory never grows.
    let written = 0
    while (written < length) written += (await sidecar.write(scratch, written, length - written)).bytesWritten
  }

  const tail = (async () => {
    const handle = await open(rawPath, 'r')
    const buffer = Buffer.allocUnsafe(READ_BLOCK)
    let offset = 0
    try {
      for (;;) {
        const finalPass = exited
        const {bytesRead} = await handle.read(buffer, 0, READ_BLOCK, offset)
        if (bytesRead > 0) {
          offset += bytesRead
          bytes += bytesRead
          splitter.chunk(buffer.subarray(0, bytesRead))
          await flushSidecar()
          // Let timers and key presses in between blocks.
          await new Promise((resolve) => setImmediate(resolve))
          continue
        }
        if (finalPass) break
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      splitter.flush()
      await flushSidecar()
    } finally {
      await handle.close()
    }
  })()

  let timedOut = false
  let canceled = false
  const stop = (): void => {
    killGroup(pid, 'SIGTERM')
    setTimeout(() => killGroup(pid, 'SIGKILL'), 2000).unref()
  }
  const timer = setTimeout(() => {
    timedOut = true
    stop()
  }, options.timeoutMs)
  const onAbort = (): void => {
    canceled = true
    stop()
  }
  options.signal?.addEventListener('abort', onAbort, {once: true})
  if (options.signal?.aborted) onAbort()

  const result = await child
  exited = true
  clearTimeout(timer)
  options.signal?.removeEventListener('abort', onAbort)
  await tail
  await sidecar.close()
  await rm(rawPath, {force: true})

  const code = (result as {code?: string}).code
  const notFound = code === 'ENOENT' || code === 'EACCES'
  const exitCode = notFound ? 127 : (result.exitCode ?? null)
  const ok = exitCode === 0 && !timedOut && !canceled
  output.finish(ok ? 'passed' : 'failed')
  let problem: string | undefined
  if (notFound) problem = `${options.file} could not be started (${code}): is it there and executable?`
  else if (timedOut) problem = `The build was stopped after ${Math.round(options.timeoutMs / 1000)} s without finishing.`
  else if (canceled) problem = 'The build was interrupted.'
  return {
    exitCode,
    notFound,
    timedOut,
    canceled,
    durationMs: output.elapsedMs(),
    lines: output.ring.total,
    bytes,
    exports: [...output.exports],
    progress: output.summary(),
    failedSteps: [...output.progress.failedSteps],
    tail: output.ring.tail(40),
    sidecarPath: options.sidecarPath,
    ...(problem === undefined ? {} : {problem}),
  }
}
