import type Docker from 'dockerode'
import {copyFileFromContainer} from './container-files.js'
import {findDlvImage, type DlvImage} from './dlv-image.js'
import {readElfFile, type ElfInfo} from './elf.js'
import {ENGINE_BINARY, findEngineContainer, findEnginePid, type EngineContainer, type EnginePid} from './engine-process.js'

/** Everything the debugger recipe needs to know, each part with its own failure so one gap does not hide the rest. */
export interface DebuggerReport {
  readonly engine?: EngineContainer
  readonly pid?: EnginePid
  readonly pidError?: string
  readonly binaryPath?: string
  readonly elf?: ElfInfo
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
  /** For tests: a different /proc. */
  readonly procRoot?: string
  /** The Docker endpoint is this machine, so published ports are reachable on loopback. */
  readonly localDaemon?: boolean
  /** Called before each part, to show progress or record what is done. */
  readonly step?: <T>(what: string, run: () => Promise<T>) => Promise<T>
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Copies the engine binary out of the container and reads its section table. */
export async function readEngineElf(docker: Docker, engine: EngineContainer, binaryPath: string, timeoutMs: number): Promise<ElfInfo> {
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
  if (!engine || !engine.running) return {...(engine ? {engine} : {}), ...dlv}

  let pid: EnginePid | undefined
  let pidError: string | undefined
  try {
    pid = await step('engine PID', () => findEnginePid(docker, engine, timeoutMs, options.procRoot))
  } catch (error) {
    pidError = errorText(error)
  }
  const program = pid?.command.trim().split(/\s+/)[0]
  const binaryPath = program?.startsWith('/') ? program : ENGINE_BINARY
  let elf: ElfInfo | undefined
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
