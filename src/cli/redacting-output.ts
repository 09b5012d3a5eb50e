import {isUtf8} from 'node:buffer'
import {redact} from '../core/notebook/sanitize.js'
import {cleanWriter} from './clean-writer.js'

/**
The last line of defence for what is written to the process stream directly, past CliIO (Ink's frames,
a stray console.error): every string goes through the redaction table. Cells and reports are redacted
where they are made; this catches what slipped past. Binary chunks are left alone.
*/
function redactStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  const guarded = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') return write(redact(chunk), ...rest)
    if (chunk instanceof Uint8Array && isUtf8(chunk)) return write(redact(Buffer.from(chunk).toString('utf8')), ...rest)
    return write(chunk, ...rest)
  }
  stream.write = guarded as typeof stream.write
}

/**
One output stream of the program, each byte redacted once: the writer the commands get (CliIO) cleans and
redacts its text in `cleanOutput` and writes through the stream's own write, taken before `redactStream`
wraps it; only what bypasses the writer (Ink) goes through `redactStream`.
*/
export function guardOutput<T extends NodeJS.WriteStream>(stream: T, options: {keepSgr: boolean}): T {
  const writer = cleanWriter(stream, options)
  redactStream(stream)
  return writer
}
