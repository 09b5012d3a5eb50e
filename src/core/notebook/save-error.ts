import {statfs, unlink} from 'node:fs/promises'
import path from 'node:path'
import {DaggerExploreError} from '../errors.js'

/**
A note or log could not be written (disk full, read-only, quota). The message names the path and the
free space, and says that nothing on disk was lost: writes go to a temporary file renamed over the
old one, so a failed write leaves the previous complete document in place.
*/
export class NoteSaveError extends DaggerExploreError {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
    readonly freeBytes: number | undefined,
    reason: string,
  ) {
    super(
      `Could not save ${file}: ${reason}${freeBytes === undefined ? '' : ` (${formatBytes(freeBytes)} free on that filesystem)`}. What was saved before is unchanged; the results are kept in memory and saved again with the next save once the write can succeed.`,
    )
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the filesystem is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'an input/output error',
}

/** Free bytes for unprivileged users on the filesystem holding `dir`; undefined when it cannot be asked. */
export async function freeSpace(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    return undefined
  }
}

/** Turns a failed write into a NoteSaveError, removing the temporary file it left (a full disk must not stay full). */
export async function saveFailure(file: string, tmp: string | undefined, error: unknown): Promise<NoteSaveError> {
  if (tmp !== undefined) await unlink(tmp).catch(() => undefined)
  if (error instanceof NoteSaveError) return error
  const code = (error as NodeJS.ErrnoException).code
  const reason = (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error))
  return new NoteSaveError(file, code, await freeSpace(path.dirname(file)), reason)
}
