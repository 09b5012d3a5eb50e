import type Docker from 'dockerode'
import {withTimeout} from '../docker/client.js'
import {copyFileFromContainer, withCreatedContainer} from './container-files.js'
import {findDlvImage, type DlvImage} from './dlv-image.js'
import {ElfError, readElf, readElfFile, type ByteSource, type ElfInfo} from './elf.js'
import {ENGINE_BINARY, execInContainer, findEngineContainer, findEnginePid, type EngineContainer, type EnginePid} from './engine-process.js'
import {DEV_IMAGE_REPO as DEV_ENGINE_IMAGE} from '../engine/names.js'

/** Everything the debugger recipe needs to know, each part with its own failure so one gap does not hide the rest. */
export interface DebuggerReport {
  readonly engine?: EngineContainer
  readonly pid?: EnginePid
  readonly pidError?: string
  readonly binaryPath?: string
  /** Set when the binary was read from this image because no engine container exists. */
  readonly binaryImage?: string
  readonly elf?: ElfInfo & {readonly readBy: 'exec' | 'copy'}
  readonly elfError?: string
  readonly dlv?: DlvImage
  readonly dlvNote: string
  /** `http://127.0.0.1:<port>` when the engine publishes its debug server (container port 6060). */
  readonly pprofUrl?: string
  /** The debug server answered `/debug/pprof/`. */
  readonly pprofAnswers?: boolean
}

export interface ProbeOptions {
  readonly timeoutMs: number
  readonly container?: string
  /** The dev engine image, read when no container exists (default localhost/dagger-engine.dev). */
  readonly image?: string
  /** For tests: a different /proc. */
  readonly procRoot?: string
  /** The Docker endpoint is this machine, so published ports are reachable on loopback. */
  readonly localDaemon?: boolean
  /** Called before each part, to show progress or record what is done. */
  readonly step?: <T>(what: string, run: () => Promise<T>) => Promise<T>
}

export {DEV_ENGINE_IMAGE}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

// Fixed scripts run in the engine container; the path and numbers arrive as arguments, never in the
// script text. stat, not wc -c (busybox wc reads the whole file); dd seeks to the offset (busybox
// tail -c +N reads its way there). Reads are whole 4 KB blocks: dd with bs=1 costs a syscall a byte.
const BLOCK = 4096
const SIZE_AND_HEAD = 'stat -c %s "$1" && dd if="$1" bs=4096 count=1 2>/dev/null'
const RANGE = 'dd if="$1" bs=4096 skip="$2" count="$3" 2>/dev/null'
/** Linkers put the section name table just before the section headers: fetch this much before a read. */
const LOOK_BEHIND = 64 * 1024

/**
Random access to a file inside a running container through `docker exec` (sh, stat and dd, which
every engine image has): the ELF check needs a few kilobytes, so this avoids copying a 100 MB
binary. Usually two execs: the size with the first 4 KB, then the section headers with the names.
*/
export async function execRangeSource(docker: Docker, containerId: string, filePath: string, timeoutMs: number): Promise<ByteSource> {
  const first = await execInContainer(docker, containerId, ['sh', '-c', SIZE_AND_HEAD, 'sh', filePath], timeoutMs)
  const newline = first.bytes.indexOf(0x0a)
  const size = Number(first.bytes.subarray(0, Math.max(0, newline)).toString('latin1').trim())
  if (first.exitCode !== 0 || newline === -1 || !Number.isInteger(size)) throw new Error(`Could not read ${filePath} in the container.`)
  const fetched: {offset: number; bytes: Buffer}[] = [{offset: 0, bytes: first.bytes.subarray(newline + 1)}]
  return {
    size,
    read: async (offset, length) => {
      const hit = fetched.find((f) => offset >= f.offset && offset + length <= f.offset + f.bytes.length)
      if (hit) return hit.bytes.subarray(offset - hit.offset, offset - hit.offset + length)
      const from = Math.floor(Math.max(0, offset - LOOK_BEHIND) / BLOCK) * BLOCK
      const end = Math.min(Math.ceil((offset + length) / BLOCK) * BLOCK, Math.ceil(size / BLOCK) * BLOCK)
      const part = await execInContainer(docker, containerId, ['sh', '-c', RANGE, 'sh', filePath, String(from / BLOCK), String((end - from) / BLOCK)], timeoutMs)
      if (part.exitCode !== 0) throw new Error(`Reading ${filePath} in the container failed (exit ${part.exitCode ?? 'none'}).`)
      fetched.push({offset: from, bytes: part.bytes})
      return part.bytes.subarray(offset - from, offset - from + length)
    },
  }
}

/** Copies the engine binary out of the container (following symlinks) and reads its section table. */
async function readCopiedElf(docker: Docker, engine: EngineContainer, binaryPath: string, timeoutMs: number): Promise<ElfInfo> {
  let target = binaryPath
  for (let hops = 0; hops < 3; hops++) {
    const copied = await copyFileFromContainer(docker, engine.id, target, timeoutMs)
    try {
      if (copied.linkTarget !== undefined) {
        target = copied.linkTarget.startsWith('/') ? copied.linkTarget : `${target.replace(/[^/]*$/, '')}${copied.linkTarget}`
        continue
      }
      return await readElfFile(copied.file as string)
    } finally {
      await copied.cleanup()
    }
  }
  throw new Error(`${binaryPath} is a chain of symlinks too long to follow.`)
}

/**
Reads the engine binary's section table: in a running container through exec range reads (a few
kilobytes), otherwise, or when the image lacks a shell, by copying the file out through the archive API.
*/
export async function readEngineElf(docker: Docker, engine: EngineContainer, binaryPath: string, timeoutMs: number): Promise<ElfInfo & {readBy: 'exec' | 'copy'}> {
  if (engine.running) {
    try {
      return {...(await readElf(await execRangeSource(docker, engine.id, binaryPath, timeoutMs))), readBy: 'exec'}
    } catch (error) {
      // Not ELF is an answer; anything else (no sh, no dd) falls back to the copy.
      if (error instanceof ElfError) throw error
    }
  }
  return {...(await readCopiedElf(docker, engine, binaryPath, timeoutMs)), readBy: 'copy'}
}

async function pprofAnswers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/debug/pprof/`, {signal: AbortSignal.timeout(timeoutMs), redirect: 'manual'})
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

export async function probeDebugger(docker: Docker, options: ProbeOptions): Promise<DebuggerReport> {
  const step = options.step ?? (<T>(_what: string, run: () => Promise<T>) => run())
  const {timeoutMs} = options
  const engine = await step('engine container', () => findEngineContainer(docker, timeoutMs, options.container))
  const dlvSearch = await step('dlv image', () => findDlvImage(docker, timeoutMs)).catch((error: unknown) => ({found: undefined, looked: 0, note: `could not list images: ${errorText(error)}`}))
  const dlv = {...(dlvSearch.found ? {dlv: dlvSearch.found} : {}), dlvNote: dlvSearch.note}
  if (!engine || !engine.running) {
    // No process to attach to, but whether the binary has symbols is still worth knowing before
    // starting it: read it from the stopped container, or from the dev image through a created one.
    const image = options.image ?? DEV_ENGINE_IMAGE
    let elf: (ElfInfo & {readBy: 'exec' | 'copy'}) | undefined
    let elfError: string | undefined
    try {
      elf = engine
        ? await step('engine binary sections', () => readEngineElf(docker, engine, ENGINE_BINARY, timeoutMs))
        : await step('engine binary sections', async () => {
            await withTimeout(docker.getImage(image).inspect(), timeoutMs, `Inspecting ${image}`)
            return withCreatedContainer(docker, image, timeoutMs, (id) => readEngineElf(docker, {id, name: id, image, running: false, status: 'created', initHostPid: 0}, ENGINE_BINARY, timeoutMs))
          })
    } catch (error) {
      // No engine and no dev image either: nothing to read, which the missing engine already says.
      const missingImage = !engine && (error as {statusCode?: number}).statusCode === 404
      if (!missingImage) elfError = errorText(error)
    }
    return {
      ...(engine ? {engine} : {}),
      ...dlv,
      ...(elf || elfError !== undefined ? {binaryPath: ENGINE_BINARY, ...(engine ? {} : {binaryImage: image})} : {}),
      ...(elf ? {elf} : {}),
      ...(elfError === undefined ? {} : {elfError}),
    }
  }

  let pid: EnginePid | undefined
  let pidError: string | undefined
  try {
    pid = await step('engine PID', () => findEnginePid(docker, engine, timeoutMs, options.procRoot))
  } catch (error) {
    pidError = errorText(error)
  }
  const program = pid?.command.trim().split(/\s+/)[0]
  const binaryPath = program?.startsWith('/') ? program : ENGINE_BINARY
  let elf: (ElfInfo & {readBy: 'exec' | 'copy'}) | undefined
  let elfError: string | undefined
  try {
    elf = await step('engine binary sections', () => readEngineElf(docker, engine, binaryPath, timeoutMs))
  } catch (error) {
    elfError = errorText(error)
  }
  let pprof: {pprofUrl?: string; pprofAnswers?: boolean} = {}
  const port = engine.debugPort
  if (port && options.localDaemon !== false && ['', '0.0.0.0', '127.0.0.1', '::'].includes(port.hostIp)) {
    const url = `http://127.0.0.1:${port.hostPort}`
    pprof = {pprofUrl: url, pprofAnswers: await step('pprof endpoint', () => pprofAnswers(url, Math.min(timeoutMs, 3000)))}
  }
  return {
    engine,
    ...(pid ? {pid} : {}),
    ...(pidError === undefined ? {} : {pidError}),
    binaryPath,
    ...(elf ? {elf} : {}),
    ...(elfError === undefined ? {} : {elfError}),
    ...dlv,
    ...pprof,
  }
}
