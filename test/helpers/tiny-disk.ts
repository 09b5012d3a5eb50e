import {execFileSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

/** A tmpfs of `size` (e.g. 64k) mounted for one test, so a full disk is real; unmounted by `done`. */
export async function tinyDisk(size = '64k'): Promise<{dir: string; fill: () => Promise<void>; free: () => Promise<void>; done: () => Promise<void>}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-tinydisk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
  const filler = path.join(dir, 'filler')
  return {
    dir,
    // Writes until ENOSPC: the disk is then truly full.
    fill: async () => {
      try {
        await writeFile(filler, Buffer.alloc(1024 * 1024))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      }
    },
    free: () => rm(filler, {force: true}),
    done: async () => {
      execFileSync('umount', ['-l', dir])
      await rm(dir, {recursive: true, force: true})
    },
  }
}
