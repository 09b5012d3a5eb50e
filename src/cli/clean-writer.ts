import {isUtf8} from 'node:buffer'
import {cleanOutput} from '../core/present/clean-output.js'

/**
A stream that writes everything through `cleanOutput`, whatever the command wrote and whichever route
the text took, and is otherwise the stream itself (isTTY, columns, 'drain', 'error'), so backpressure,
EPIPE handling and colour detection behave as before. Installed once, where CliIO is made.
*/
export function cleanWriter<T extends NodeJS.WritableStream>(stream: T, options: {keepSgr: boolean}): T {
  const clean = (chunk: unknown): unknown => {
    if (typeof chunk === 'string') return cleanOutput(chunk, options)
    // Text as bytes is cleaned like a string; bytes that are not UTF-8 are decoded (lossily) and cleaned too,
    // so no write can smuggle an escape past this.
    if (chunk instanceof Uint8Array) return cleanOutput(Buffer.from(chunk).toString(isUtf8(chunk) ? 'utf8' : 'latin1'), options)
    return chunk
  }
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  const end = stream.end.bind(stream) as (...args: unknown[]) => T
  const guarded = {
    write: (chunk: unknown, ...rest: unknown[]): boolean => write(clean(chunk), ...rest),
    end: (...args: unknown[]): T => end(...(typeof args[0] === 'function' || args.length === 0 ? args : [clean(args[0]), ...args.slice(1)])),
  }
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write' || prop === 'end') return guarded[prop]
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
