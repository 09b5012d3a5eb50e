import {createWriteStream, mkdirSync} from 'node:fs'
import path from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import type {Readable} from 'node:stream'
import {sanitize} from '../notebook/sanitize.js'
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
/** After the process exits, how long grandchildren holding the pipes may keep them open. */
const DRAIN_GRACE_MS = 3000

/**
Splits a byte stream into lines, writing each complete batch to the sidecar and the build output
in one go per chunk (one write per chunk, not per line, keeps a 200,000-line flood cheap).
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

function ended(stream: Readable | null | undefined): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('end', resolve)
    stream.once('close', resolve)
    stream.once('error', () => resolve())
  })
}

/**
Runs a build command (argument array, its own process group so that a stop reaches `go run` and
its children), streaming its output into `output`, the sidecar file and step counts. Never throws
for a failing, missing or stopped build: the result says what happened.
*/
export async function runBuild(options: BuildRunOptions): Promise<BuildRunResult> {
  const {execa} = await import('execa')
  const output = options.output ?? new BuildOutput()
  output.startedAt = Date.now()
  mkdirSync(path.dirname(options.sidecarPath), {recursive: true})
  const sidecar = createWriteStream(options.sidecarPath, {flags: 'w'})
  let bytes = 0

  const child = execa(options.file, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    buffer: false,
    stdin: 'ignore',
    reject: false,
    detached: true,
    stripFinalNewline: false,
  })
  const pid = child.pid
  const sources = [child.stdout, child.stderr].filter((s): s is NonNullable<typeof s> => s !== null && s !== undefined) as Readable[]

  let paused = false
  const onDrain = (): void => {
    paused = false
    for (const s of sources) s.resume()
  }
  sidecar.on('drain', onDrain)
  const emit = (text: string): void => {
    const clean = sanitize(text)
    if (!sidecar.write(`${clean}\n`) && !paused) {
      // Backpressure: the sidecar is the record of every line, so the child waits rather than memory growing.
      paused = true
      for (const s of sources) s.pause()
    }
    output.pushLines(clean.split('\n'))
  }
  const splitters = sources.map((s) => {
    const splitter = new LineSplitter(emit)
    s.on('data', (buf: Buffer) => {
      bytes += buf.length
      splitter.chunk(buf)
    })
    return {s, splitter}
  })

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
  clearTimeout(timer)
  options.signal?.removeEventListener('abort', onAbort)
  // A grandchild may still hold the pipes after the script exited; give it a moment, then let go.
  await Promise.race([Promise.all(sources.map(ended)), new Promise((r) => setTimeout(r, DRAIN_GRACE_MS).unref())])
  for (const {s, splitter} of splitters) {
    s.destroy()
    splitter.flush()
  }
  await new Promise<void>((resolve) => sidecar.end(resolve))

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
