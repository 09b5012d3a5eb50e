import {isUtf8} from 'node:buffer'
import {redact} from '../core/notebook/sanitize.js'

/**
The last line of defence: every string written to stdout or stderr goes through the redaction table,
whatever route it took (a message built from an outside error, a JSON report, Ink's frames). Cells and
reports are redacted where they are made; this catches what slipped past. Binary chunks are left alone.
*/
export function redactStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  const guarded = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') return write(redact(chunk), ...rest)
    if (chunk instanceof Uint8Array && isUtf8(chunk)) return write(redact(Buffer.from(chunk).toString('utf8')), ...rest)
    return write(chunk, ...rest)
  }
  stream.write = guarded as typeof stream.write
}
