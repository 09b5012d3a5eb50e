import {DaggerExploreError} from '../errors.js'
import {constants} from 'node:fs'
import {open} from 'node:fs/promises'
import type {Stats} from 'node:fs'

/** The path exists but is not a regular file: reading it could block forever (a FIFO) or never end (a device). */
export class NotRegularFileError extends DaggerExploreError {
  override readonly name = 'NotRegularFileError'
  readonly code = 'ENOTREG'
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(`${file} is ${kind}, not a regular file, so it was not read.`)
  }
}

/** What a non-regular path is, in words. */
export function fileKind(s: Stats): string {
  if (s.isDirectory()) return 'a directory'
  if (s.isFIFO()) return 'a named pipe (FIFO)'
  if (s.isSocket()) return 'a socket'
  if (s.isCharacterDevice()) return 'a character device'
  if (s.isBlockDevice()) return 'a block device'
  return 'not a regular file'
}

/**
Reads a file only if it is a regular one. It is opened with O_NONBLOCK, so opening a FIFO that no one
writes returns at once instead of waiting for a writer, and fstat on the open descriptor decides (no
race between a check and the read).
*/
export async function readRegularFile(file: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new NotRegularFileError(file, fileKind(info))
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}
