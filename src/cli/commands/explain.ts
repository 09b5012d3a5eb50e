import {open, stat} from 'node:fs/promises'
import path from 'node:path'
import {CATEGORY_ADVICE, type ExplainCategory} from '../../core/explain/categories.js'
import {explainFile, explainStream, refsFrom} from '../../core/explain/explain.js'
import type {ExplainFailure, ExplainReport} from '../../core/explain/report.js'
import {writeFailure} from '../report.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {parseCommandArgs, type GlobalSettings} from '../settings.js'

const HELP = `Usage: dagger-explore explain [FILE|-] [--json]

Reads a build log (dagger or buildkit progress output, docker CLI errors, JSON logs; wrapped lines
and colour codes are fine) and lists each distinct failure once, by its innermost cause: registry
faults (manifest HEAD, blob GET, token GET, DNS lookup, dial...), the engine (unreachable, dying at
start), Docker, proxies, git, full disks, version skew, rate limits, CPU platform, the Go toolchain
and plain usage mistakes; with the host, the image, how often it repeats, where it first shows, what
to do and which notebook cell or recipe checks it.
Then it offers to diagnose the registry references it found. With no FILE, or with -, it reads
standard input. Logs of any size are read as a stream.

Options
  --json        print {"failures":[{"category","op","url","host","ref","count","line","text","why","fix","next"}]}
  -h, --help    this help

Examples
  ./hack/dev 2>&1 | tee build.log; dagger-explore explain build.log
  docker pull golang:1.21.3-alpine3.18 2>&1 | dagger-explore explain -
  dagger-explore explain build.log --json | jq -r '.failures[].ref'

Exit codes: 0 no failure found, 1 failures found, 2 bad usage or unreadable input.
`

function fail(io: CliIO, message: string, fix?: string, json = false): number {
  writeFailure(io, {message, fix}, {command: 'explain', json})
  return EXIT.usage
}

/** Why a log file cannot be read, and what to do about it. */
async function unreadable(file: string, shown: string): Promise<{message: string; fix?: string} | null> {
  try {
    const info = await stat(file)
    if (info.isDirectory()) return {message: `${shown} is a directory.`, fix: 'Give the path of a log file (for example build.log) or - to read standard input.'}
    if (info.isFile() && (await looksBinary(file))) {
      return {message: `${shown} looks like a binary file (it holds NUL bytes), not a build log.`, fix: 'Give the saved output of the build, for example ./hack/dev 2>&1 | tee build.log.'}
    }
    return null
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {message: `there is no file ${shown}.`, fix: 'Save the build output first (./hack/dev 2>&1 | tee build.log) and give its path, or pipe the log in with -.'}
    if (code === 'EACCES') return {message: `${shown} cannot be read: permission denied.`, fix: `Check the file's permissions, or pipe it in: cat ${shown} | dagger-explore explain -`}
    return {message: `${shown} cannot be read (${code ?? (error as Error).message}).`}
  }
}

/** NUL bytes in the first 8 KiB: what grep and git take as the sign of a binary file. */
async function looksBinary(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(8192), 0, 8192, 0)
    return buffer.subarray(0, bytesRead).includes(0)
  } finally {
    await handle.close()
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function describe(failure: ExplainFailure): string {
  const parts = [failure.op]
  if (failure.host !== null) parts.push(failure.host)
  if (failure.ref !== null) parts.push(failure.ref)
  const seen = failure.count === 1 ? `line ${failure.line}` : `${failure.count} times, first at line ${failure.line}`
  return `${parts.join('  ')}  (${seen})`
}

const SHOWN_TEXT = 300
// Past this many, the plain list stops (a log full of distinct errors helps nobody as a wall of text).
const SHOWN_FAILURES = 40

function renderPlain(report: ExplainReport, source: string): string {
  const out: string[] = []
  const lines = plural(report.lines, 'line')
  if (report.failures.length === 0) return `No failures found in ${source} (${lines}).\n`
  out.push(`${plural(report.failures.length, 'failure')} in ${source} (${lines}):`)
  const byCategory = new Map<ExplainCategory, ExplainFailure[]>()
  for (const failure of report.failures.slice(0, SHOWN_FAILURES)) {
    const group = byCategory.get(failure.category) ?? []
    group.push(failure)
    byCategory.set(failure.category, group)
  }
  for (const [category, failures] of byCategory) {
    const advice = CATEGORY_ADVICE[category]
    out.push('', `${category}: ${advice.meaning}`, `  Fix: ${advice.fix}`, `  Check with: ${advice.next}`)
    const hints = new Set<string>()
    for (const failure of failures) {
      const text = failure.text.length > SHOWN_TEXT ? `${failure.text.slice(0, SHOWN_TEXT - 1)}…` : failure.text
      out.push(`  - ${describe(failure)}`, `      ${text}`)
      // A rule's hint once per category: several messages of one kind share it.
      if (failure.hint !== null && !hints.has(failure.hint)) {
        hints.add(failure.hint)
        out.push(`      Why: ${failure.hint}`)
      }
    }
  }
  const unshown = report.failures.length - Math.min(report.failures.length, SHOWN_FAILURES) + report.omitted
  if (unshown > 0) out.push('', `${unshown} more distinct failures are not shown here; --json lists ${report.failures.length} of them.`)
  const refs = refsFrom(report)
  if (refs.length > 0) out.push('', `Diagnose these references with: dagger-explore diagnose ${refs.join(' ')}`)
  return `${out.join('\n')}\n`
}

export const main: CommandMain = async (argv, io, before) => {
  let values: {help?: boolean}
  let positionals: string[]
  let settings: GlobalSettings
  try {
    ;({values, positionals, settings} = parseCommandArgs(argv, {}, before, io))
  } catch (error) {
    return fail(io, (error as Error).message.replace(/\.?$/, '.'), (error instanceof UsageError ? error.fix : undefined) ?? 'Run `dagger-explore explain --help` for the options.', argv.includes('--json'))
  }
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  if (positionals.length > 1) {
    return fail(io, `explain reads one log file (or - for standard input), not ${positionals.length}: ${positionals.join(' ')}.`, 'To read several, join them: cat a.log b.log | dagger-explore explain -', settings.json === true)
  }
  const target = positionals[0] ?? '-'
  let report: ExplainReport
  let source: string
  try {
    if (target === '-') {
      if (io.stdin.isTTY === true) {
        return fail(io, 'no log given and standard input is a terminal.', 'Give a log file (dagger-explore explain build.log) or pipe one in (./hack/dev 2>&1 | dagger-explore explain -).', settings.json === true)
      }
      source = 'standard input'
      report = await explainStream(io.stdin as AsyncIterable<Uint8Array | string>)
    } else {
      const file = path.resolve(io.cwd, target)
      const problem = await unreadable(file, target)
      if (problem !== null) return fail(io, problem.message, problem.fix, settings.json === true)
      source = target
      report = await explainFile(file)
    }
  } catch (error) {
    if (error instanceof UsageError) return fail(io, error.message, error.fix, settings.json === true)
    const err = error as NodeJS.ErrnoException
    return fail(io, `reading ${target === '-' ? 'standard input' : target} failed (${err.code ?? err.message}); nothing was explained.`, undefined, settings.json === true)
  }
  if (settings.json) {
    const failures = report.failures.map((f) => {
      const advice = CATEGORY_ADVICE[f.category]
      return {category: f.category, op: f.op, url: f.url, host: f.host, ref: f.ref, count: f.count, line: f.line, text: f.text, why: f.hint ?? advice.meaning, fix: advice.fix, next: advice.next}
    })
    io.stdout.write(`${JSON.stringify({failures})}\n`)
  } else {
    io.stdout.write(renderPlain(report, source))
  }
  return report.failures.length > 0 ? EXIT.problem : EXIT.ok
}
