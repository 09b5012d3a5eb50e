/**
Reaches an `ssh://` Docker endpoint the way the docker CLI does (cli/connhelper): it runs the system
`ssh` with `-- HOST docker system dial-stdio` and speaks HTTP over the child's stdin/stdout. Running
the real `ssh` is the point: ~/.ssh/config (host aliases, User, Port, IdentityFile, ProxyJump), the
agent and known_hosts all apply exactly as they do for `docker -H ssh://…`.
*/
import {spawn, type ChildProcessByStdio} from 'node:child_process'
import {Agent} from 'node:http'
import {Duplex} from 'node:stream'
import type {Readable, Writable} from 'node:stream'
import {SshTransportError, type SshFailure} from './ssh-error.js'


// Kept in its own module so that classifying a Docker error never loads the ssh transport (node:http).
export {SshTransportError, type SshFailure} from './ssh-error.js'

export interface SshTarget {
  readonly hostname: string
  /** Only when the endpoint names them: otherwise ~/.ssh/config (or ssh's defaults) decide. */
  readonly port?: number
  readonly username?: string
}

/**
The docker CLI's argv (connhelper/ssh): `-o ConnectTimeout=30 -T [-l user] [-p port] -- host docker
system dial-stdio`, plus BatchMode: the notebook owns the terminal, so ssh must fail instead of
prompting for a passphrase or a new host key on /dev/tty underneath the UI.
*/
export function sshArgv(target: SshTarget, connectTimeoutSeconds = 30): string[] {
  return [
    '-o',
    `ConnectTimeout=${connectTimeoutSeconds}`,
    '-o',
    'BatchMode=yes',
    '-T',
    ...(target.username === undefined ? [] : ['-l', target.username]),
    ...(target.port === undefined ? [] : ['-p', String(target.port)]),
    '--',
    target.hostname,
    'docker',
    'system',
    'dial-stdio',
  ]
}

/** Reads ssh's stderr (and the remote shell's) into a failure kind. */
export function classifySshStderr(stderr: string, exitCode: number | null): SshFailure {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) return 'host_key_changed'
  if (/No .*host key is known|Host key verification failed/i.test(stderr)) return 'host_key_unknown'
  if (/Connection refused/i.test(stderr)) return 'refused'
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(stderr)) return 'name_not_found'
  if (/Permission denied \(|Too many authentication failures|no more authentication methods/i.test(stderr)) return 'auth_failed'
  if (/Connection timed out|Operation timed out|timed out during banner exchange/i.test(stderr)) return 'timeout'
  if (exitCode === 127 || /docker: (command )?not found|docker: No such file/i.test(stderr)) return 'no_docker'
  return 'other'
}

type SshChild = ChildProcessByStdio<Writable, Readable, Readable>

/** The ssh child's stdio as the socket an http.Agent hands to a request; destroying it kills ssh. */
class SshStdioSocket extends Duplex {
  private stderr = ''
  private gotData = false
  private idleTimer: NodeJS.Timeout | undefined
  private idleMs = 0
  private exited = false

  constructor(
    private readonly child: SshChild,
    private readonly what: string,
  ) {
    super({allowHalfOpen: false})
    child.stdout.on('data', (chunk: Buffer) => {
      this.gotData = true
      this.touch()
      if (!this.push(chunk)) child.stdout.pause()
    })
    // The end of stdout is not the end of the story: ssh's exit status and stderr (read on 'close') say
    // whether the stream ended because the remote answered or because ssh failed.
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += chunk.toString('utf8')
    })
    child.stdin.on('error', () => undefined)
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.exited = true
      const missing = error.code === 'ENOENT'
      this.destroy(
        new SshTransportError(
          missing ? `No \`ssh\` program is on PATH, so ${this.what} cannot be reached` : `ssh could not be started for ${this.what}: ${error.message}`,
          missing ? 'no_ssh' : 'other',
          '',
        ),
      )
    })
    child.on('close', (code) => {
      this.exited = true
      if (this.destroyed) return
      if (code !== 0 && !this.gotData) {
        const stderr = this.stderr.trim()
        const failure = classifySshStderr(stderr, code)
        // ssh's host-key warning is a banner whose headline would fall outside the last lines.
        const said = `${failure === 'host_key_changed' ? 'REMOTE HOST IDENTIFICATION HAS CHANGED: ' : ''}${lastLines(stderr) || '(no message)'}`
        this.destroy(new SshTransportError(`ssh to ${this.what} exited ${code ?? 'on a signal'}: ${said}`, failure, stderr))
      } else {
        this.push(null)
      }
    })
  }

  override _read(): void {
    this.child.stdout.resume()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch()
    // A write error means ssh is exiting; its exit status and stderr (on 'close') are the real story, not EPIPE.
    this.child.stdin.write(chunk, () => callback())
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(() => callback())
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer)
    if (!this.exited) {
      this.child.kill('SIGTERM')
      // ssh exits on SIGTERM at once; the backstop only matters for a wedged child, and must not keep Node alive.
      setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL')
      }, 1000).unref()
    }
    callback(error)
  }

  /** What http's ClientRequest.setTimeout calls on its socket: emit 'timeout' after ms without traffic. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    if (onTimeout) this.once('timeout', onTimeout)
    this.idleMs = ms
    this.touch()
    return this
  }

  private touch(): void {
    clearTimeout(this.idleTimer)
    // Unref'd: an active request is kept alive by the ssh pipes; an idle kept connection must not hold Node.
    if (this.idleMs > 0 && !this.destroyed) this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs).unref()
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  /** http.Agent unrefs a socket it keeps for reuse and refs it again when a request takes it. */
  ref(): this {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{ref?: () => void}>) handle.ref?.()
    return this
  }

  unref(): this {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{unref?: () => void}>) handle.unref?.()
    return this
  }

  get ssh(): SshChild {
    return this.child
  }
}

function lastLines(text: string): string {
  return text.split('\n').filter((l) => l.trim() !== '' && !/^@+$/.test(l.trim())).slice(-3).join(' ').trim()
}

export interface SshAgentOptions {
  readonly env?: NodeJS.ProcessEnv
  /** Bounds ssh's own connect (ConnectTimeout, whole seconds). */
  readonly connectTimeoutMs?: number
  /** The ssh program; `ssh` from PATH as the docker CLI uses. */
  readonly command?: string
}

/** How long an idle ssh connection is kept for the next call of the same client. */
const IDLE_SSH_MS = 2000

/**
An http.Agent whose connections are `ssh … docker system dial-stdio` processes. One is kept alive
between the calls of a client (a cell makes several) and closed after IDLE_SSH_MS idle; an idle one
never keeps Node running.
*/
export function sshAgent(target: SshTarget, options: SshAgentOptions = {}): Agent {
  const agent = new Agent({keepAlive: true, maxSockets: 4, maxFreeSockets: 1, timeout: IDLE_SSH_MS})
  const seconds = Math.max(1, Math.ceil((options.connectTimeoutMs ?? 30_000) / 1000))
  const what = `${target.username ? `${target.username}@` : ''}${target.hostname}${target.port === undefined ? '' : `:${target.port}`}`
  ;(agent as unknown as {createConnection: () => Duplex}).createConnection = () => {
    const child = spawn(options.command ?? 'ssh', sshArgv(target, seconds), {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    })
    return new SshStdioSocket(child, what)
  }
  return agent
}
