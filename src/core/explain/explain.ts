/**
The build-log explainer: reads a log as it streams and reports each distinct failure with its
category, the request that failed, the image involved and how often it repeats. Memory stays flat
whatever the size of the log; only lines near something that looks like an error are decoded.
*/
import {readSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {REGISTRY_CATEGORIES} from './categories.js'
import {classifyStatement} from './classify.js'
import {FailureCollector} from './collector.js'
import {DATA_SIZE, kernels} from './kernels.js'
import {imageRefsInLine, repositoryOf} from './image-ref.js'
import type {ExplainReport} from './report.js'
import {LineScanner} from './scanner.js'
import {StatementBuilder} from './statement.js'

export interface Explainer {
  push(chunk: Uint8Array | string): void
  end(): ExplainReport
}

// Cheap tests before the image-name regex runs on a line.
const MENTIONS_IMAGE = /image config for|metadata for|pull|FROM|from /

/** A push-style explainer: feed it chunks in order, then `end()`. */
export function createExplainer(): Explainer {
  const collector = new FailureCollector()
  const builder = new StatementBuilder((statement) => {
    const c = classifyStatement(statement.body)
    if (c !== null) collector.add(c, statement.text, statement.line)
  })
  const scanner = new LineScanner({
    line(text, no, trigger) {
      if (MENTIONS_IMAGE.test(text)) for (const ref of imageRefsInLine(text)) collector.addImage(ref)
      builder.line(text, no, trigger)
    },
    gap() {
      builder.gap()
    },
  })
  return {
    push(chunk) {
      scanner.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
    },
    end() {
      scanner.end()
      builder.end()
      return collector.report(scanner.lines, scanner.bytes)
    },
  }
}

/** Explains a whole log held in memory. */
export function explainText(text: string): ExplainReport {
  const explainer = createExplainer()
  explainer.push(text)
  return explainer.end()
}

export interface ExplainOptions {
  readonly signal?: AbortSignal
}

/** Explains a log read from a stream (stdin, a child's output, a file stream), chunk by chunk. */
export async function explainStream(readable: AsyncIterable<Uint8Array | string>, options: ExplainOptions = {}): Promise<ExplainReport> {
  const explainer = createExplainer()
  for await (const chunk of readable) {
    options.signal?.throwIfAborted()
    explainer.push(chunk)
  }
  return explainer.end()
}

const READ_SIZE = DATA_SIZE
// Regular files are read with synchronous calls into one reused buffer (several times faster than a
// stream on a warm cache), handing the event loop back every few megabytes so a UI stays live.
const READS_PER_TURN = 16

/** Explains a log file. Regular files take a fast path; pipes and devices are streamed. */
export async function explainFile(path: string, options: ExplainOptions = {}): Promise<ExplainReport> {
  const handle = await open(path, 'r')
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return await explainStream(handle.createReadStream({autoClose: false, highWaterMark: READ_SIZE}), options)
    const explainer = createExplainer()
    // Read straight into the WebAssembly scan area when there is one: no copy at all.
    const buffer = kernels()?.data ?? Buffer.allocUnsafeSlow(READ_SIZE)
    for (;;) {
      let done = false
      for (let i = 0; i < READS_PER_TURN; i++) {
        const n = readSync(handle.fd, buffer, 0, READ_SIZE, null)
        if (n === 0) {
          done = true
          break
        }
        explainer.push(n === READ_SIZE ? buffer : buffer.subarray(0, n))
      }
      if (done) break
      options.signal?.throwIfAborted()
      await yieldToLoop()
    }
    return explainer.end()
  } finally {
    await handle.close()
  }
}

/**
References worth giving to `diagnose`, in order of first failure: registry failures only. A blob
failure names a repository and a layer digest (not something `diagnose` can pull), so it becomes the
tagged image the log shows for that repository, or the bare repository.
*/
export function refsFrom(report: ExplainReport): string[] {
  const refs: string[] = []
  for (const failure of report.failures) {
    if (failure.ref === null || !REGISTRY_CATEGORIES.has(failure.category)) continue
    let ref = failure.ref
    const repository = repositoryOf(ref)
    if (ref.includes('@') || ref === repository) {
      ref = report.images.find((image) => repositoryOf(image) === repository && !image.includes('@')) ?? repository
    }
    if (!refs.includes(ref)) refs.push(ref)
  }
  return refs
}
