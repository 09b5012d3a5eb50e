import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import type {Readable} from 'node:stream'
import type Docker from 'dockerode'
import tar from 'tar-stream'
import {withTimeout} from '../docker/client.js'

const BATCH = 4 << 20

/**
Writes a stream to a file in 4 MB writes. The tar entry arrives in small chunks, and writing each one
as it comes made copying a 127 MB engine binary about three times slower than `docker cp`.
*/
async function writeBatched(chunks: AsyncIterable<Buffer>, file: string): Promise<void> {
  const handle = await open(file, 'w', 0o600)
  try {
    const buffer = Buffer.allocUnsafe(BATCH)
    let used = 0
    for await (const chunk of chunks) {
      if (used + chunk.length > BATCH) {
        await handle.write(buffer, 0, used)
        used = 0
      }
      if (chunk.length > BATCH) await handle.write(chunk)
      else {
        chunk.copy(buffer, used)
        used += chunk.length
      }
    }
    if (used > 0) await handle.write(buffer, 0, used)
  } finally {
    await handle.close()
  }
}

export interface CopiedFile {
  /** Where the file now is on this machine; absent for a symlink. */
  readonly file?: string
  readonly size: number
  /** Set when the path in the container is a symlink. */
  readonly linkTarget?: string
  /** Removes the temporary folder. */
  cleanup(): Promise<void>
}

/**
Copies one file out of a container (`GET /containers/{id}/archive?path=`), streaming it to a temp file
so that a large binary never sits in memory. Works on created and stopped containers too.
*/
export async function copyFileFromContainer(docker: Docker, containerId: string, filePath: string, timeoutMs: number): Promise<CopiedFile> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dagger-explore-file-'))
  const cleanup = () => rm(dir, {recursive: true, force: true})
  try {
    const container = docker.getContainer(containerId)
    const archive = (await withTimeout(container.getArchive({path: filePath}), timeoutMs, `Reading ${filePath} from the container`)) as unknown as Readable
    const target = path.join(dir, path.basename(filePath) || 'file')
    let result: {size: number; linkTarget?: string; file?: string} | undefined
    const extract = tar.extract()
    extract.on('entry', (header, stream, next) => {
      if (result !== undefined || (header.type !== 'file' && header.type !== 'symlink' && header.type !== 'link')) {
        stream.on('end', next)
        stream.resume()
        return
      }
      if (header.type === 'file') {
        result = {size: header.size ?? 0, file: target}
        writeBatched(stream as unknown as AsyncIterable<Buffer>, target).then(() => next(), (error: unknown) => next(error as Error))
        return
      }
      result = {size: 0, linkTarget: header.linkname ?? ''}
      stream.on('end', next)
      stream.resume()
    })
    try {
      await withTimeout(pipeline(archive, extract), timeoutMs * 10, `Copying ${filePath} out of the container`)
    } catch (error) {
      archive.destroy()
      throw error
    }
    if (!result) throw new Error(`${filePath} in the container is not a regular file.`)
    return {...result, cleanup}
  } catch (error) {
    await cleanup()
    throw error
  }
}

/**
Whether a path exists in a container, without copying it: the archive request is answered 404 for a
missing path, and for an existing one the stream is closed at once. (HEAD on the same endpoint would
do, but docker-modem never finishes a HEAD response, which keeps the process alive until its timeout.)
*/
export async function pathExists(docker: Docker, containerId: string, filePath: string, timeoutMs: number): Promise<boolean> {
  try {
    const stream = (await withTimeout(docker.getContainer(containerId).getArchive({path: filePath}), timeoutMs, `Looking for ${filePath}`)) as unknown as Readable
    stream.destroy()
    return true
  } catch {
    return false
  }
}

/**
Creates a container from an image without starting it, for reading its files, and removes it after.
Nothing runs, so this is safe on any image.
*/
export async function withCreatedContainer<T>(docker: Docker, image: string, timeoutMs: number, use: (id: string) => Promise<T>): Promise<T> {
  const created = await withTimeout(
    docker.createContainer({
      Image: image,
      Entrypoint: ['/dagger-explore-never-started'],
      Cmd: [],
      name: `dagger-explore-peek-${process.pid}-${Date.now().toString(36)}`,
      Labels: {'dagger-explore.purpose': 'read files from an image'},
      HostConfig: {NetworkMode: 'none'},
    }),
    timeoutMs,
    `Creating a container from ${image}`,
  )
  try {
    return await use(created.id)
  } finally {
    await withTimeout(created.remove({force: true, v: true}), timeoutMs, 'Removing the temporary container').catch(() => undefined)
  }
}
