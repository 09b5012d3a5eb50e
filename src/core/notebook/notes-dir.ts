import {constants} from 'node:fs'
import {UsageError} from '../errors.js'
import {access, lstat, mkdir, readlink, stat} from 'node:fs/promises'

/** The notes folder cannot hold notes: a usage problem, told in one paragraph with what to do. */
export class NotesDirError extends UsageError {
  constructor(message: string, fix: string = FIX) {
    super(message, {fix})
  }
}

const FIX = 'Point --notes-dir at a folder you can write (it is created if missing), or leave it out to use the default.'

/**
Makes sure `dir` is a writable directory, creating it if missing. A file, a device (/dev/null), a
dangling symlink, a symlink loop, an unwritable folder or a pseudo-filesystem such as /proc each get
their own sentence instead of an internal error.
*/
export async function checkNotesDir(dir: string): Promise<void> {
  const link = await lstat(dir).catch(() => undefined)
  if (link?.isSymbolicLink()) {
    const target = await stat(dir).catch((error: NodeJS.ErrnoException) => error)
    if (target instanceof Error) {
      const to = await readlink(dir).catch(() => '?')
      throw new NotesDirError(
        target.code === 'ELOOP'
          ? `The notes folder ${dir} is a symlink loop.`
          : `The notes folder ${dir} is a symlink to ${to}, which does not exist.`,
        target.code === 'ELOOP' ? FIX : `Create that folder or ${FIX[0]?.toLowerCase()}${FIX.slice(1)}`,
      )
    }
  }
  try {
    await mkdir(dir, {recursive: true, mode: 0o700})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new NotesDirError(`The notes folder ${dir} is not a folder: it (or a folder above it) is a file or device.`)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new NotesDirError(`The notes folder ${dir} cannot be created here (${code === 'EROFS' ? 'read-only filesystem' : 'permission denied'}).`)
    throw new NotesDirError(`The notes folder ${dir} cannot be created (${code ?? String(error)}).`)
  }
  const info = await stat(dir)
  if (!info.isDirectory()) throw new NotesDirError(`The notes folder ${dir} is not a folder.`)
  if (dir === '/proc' || dir.startsWith('/proc/') || dir === '/sys' || dir.startsWith('/sys/')) {
    throw new NotesDirError(`The notes folder ${dir} is inside a kernel pseudo-filesystem, which cannot hold files.`)
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK)
  } catch {
    throw new NotesDirError(`The notes folder ${dir} is not writable by this user.`)
  }
}
