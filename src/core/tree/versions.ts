import {PassThrough} from 'node:stream'
import type Docker from 'dockerode'
import {killExec, type KillOutcome} from '../docker/exec-kill.js'
import {within} from './docker-source.js'

export interface ExecOutcome {
  readonly exitCode: number | null
  readonly output: string
  readonly timedOut: boolean
  /** For a timed-out exec: whether its process in the container was killed, and how. */
  readonly killed?: KillOutcome
}

const OUTPUT_LIMIT = 16 * 1024

/**
Runs a command in a running container through the exec API (what `docker exec` does), with a
deadline: a binary that hangs is cut off and reported as timed out, never waited on.
*/
export async function execInContainer(docker: Docker, containerId: string, argv: readonly string[], timeoutMs: number): Promise<ExecOutcome> {
  const exec = await within(
    docker.getContainer(containerId).exec({Cmd: [...argv], AttachStdout: true, AttachStderr: true, Tty: false}),
    timeoutMs,
    `docker exec ${argv.join(' ')}`,
  )
  const stream = (await within(exec.start({hijack: true, stdin: false}), timeoutMs, `docker exec ${argv.join(' ')}`)) as NodeJS.ReadableStream & {destroy(): void}
  let output = ''
  const sink = new PassThrough()
  sink.on('data', (chunk: Buffer) => {
    if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8')
  })
  docker.modem.demuxStream(stream, sink, sink)
  const finished = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      resolve(true)
    }
    stream.on('end', done)
    stream.on('close', done)
    stream.on('error', done)
  })
  if (!finished) {
    stream.destroy()
    // Closing the stream does not end the process: it is killed in the container, or it stays for good.
    const killed = await killExec(docker, containerId, exec, argv)
    return {exitCode: null, output: output.slice(0, OUTPUT_LIMIT), timedOut: true, killed}
  }
  const info = await within(exec.inspect(), timeoutMs, 'docker exec inspect').catch(() => undefined)
  return {exitCode: info?.ExitCode ?? null, output: output.slice(0, OUTPUT_LIMIT), timedOut: false}
}

/** The line that carries the version, e.g. `runc version 1.1.9` out of runc's three lines. */
export function versionLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean)
  return lines.find((l) => /\bv?\d+\.\d+/.test(l)) ?? lines[0] ?? ''
}
