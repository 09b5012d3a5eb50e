import {releaseDockerConnections} from '../core/docker/open-connections.js'
import {writesSettled} from '../core/system/in-flight-writes.js'
import {EXIT, type CliIO} from './io.js'
import {main, reportError} from './main.js'
import {guardOutput} from './redacting-output.js'

/** `CI` or `CONTINUOUS_INTEGRATION` set to anything but 0/false, as is-in-ci reads it. */
export function inCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI ?? env.CONTINUOUS_INTEGRATION
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

const argv = process.argv.slice(2)
const env = process.env
const wantsNoColor =
  (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || argv.includes('--no-color') || env.TERM === 'dumb' || argv.includes('--json')
// chalk (under Ink) ignores NO_COLOR: FORCE_COLOR=0 must be set before it loads.
if (wantsNoColor) env.FORCE_COLOR = '0'

const color = !wantsNoColor && (process.stdout.isTTY === true || argv.includes('--color'))
// Every command's text leaves through these: no escape from a session file, a container name or a
// daemon.json key reaches the terminal; the colour the program adds itself (SGR only) survives.
// No secret leaves by either stream, whichever route the text took (Ink writes to the streams directly).
const io: CliIO = {
  stdout: guardOutput(process.stdout, {keepSgr: color}),
  stderr: guardOutput(process.stderr, {keepSgr: color && process.stderr.isTTY === true}),
  stdin: process.stdin,
  env,
  cwd: process.cwd(),
  color,
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true && !inCI(env),
  terminal: {stdout: process.stdout, stderr: process.stderr},
}

// A closed pipe (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
})

/**
Once the command has its answer (or was interrupted) nothing it started may keep the process alive: a
Docker socket that answers one byte a second, a keep-alive agent or a request whose deadline passed
would otherwise hold it for a minute or more. It ends by process.exit, once both streams have taken
their last write, and not by letting the event loop drain: a drained loop closes Node's signal watchers
before the process is gone, and a stop signal in that window killed it by the signal (exit 129/143)
instead of the documented 130. The timer is the backstop for a stream that never drains.
*/
function finish(code: number): void {
  process.exitCode = code
  releaseDockerConnections()
  setTimeout(() => process.exit(code), 1000).unref()
  // A note write still under way (a cell that ended as the command did) lands before the exit.
  let pending = 3
  const done = (): void => {
    pending -= 1
    if (pending === 0) process.exit(code)
  }
  void writesSettled(800).then(done)
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || !stream.writable) done()
    else stream.write('', done)
  }
}

main(argv, io).then(
  (code) => finish(code),
  (error: unknown) => finish(reportError(error, io) || EXIT.problem),
)
