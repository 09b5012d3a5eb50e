import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {chmod, copyFile, mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {lab} from '../lab/lab.js'

/** What test/lab/up.sh's ensure_sshd set up (ports as in up.sh; DAGGER_EXPLORE_LAB_SSH_* move them). */
export interface SshLab {
  readonly dir: string
  readonly port: number
  readonly noDockerPort: number
  readonly clientKey: string
  readonly hostPublicKey: string
}

export function sshLab(): SshLab {
  const dir = path.join(lab().stateDir, 'sshd')
  const port = Number(process.env.DAGGER_EXPLORE_LAB_SSH_PORT ?? 2222)
  const noDockerPort = Number(process.env.DAGGER_EXPLORE_LAB_SSH_NODOCKER_PORT ?? 2223)
  const pub = path.join(dir, 'ssh_host_ed25519_key.pub')
  if (!existsSync(pub) || !existsSync(path.join(dir, 'client_ed25519'))) {
    throw new Error(`The lab's sshd is not set up (no ${pub}): run \`bash test/lab/up.sh\` as root.`)
  }
  const hostPublicKey = readFileSync(pub, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
  return {dir, port, noDockerPort, clientKey: path.join(dir, 'client_ed25519'), hostPublicKey}
}

/** A host label longer than DNS allows (63): glibc refuses it before sending any query, so the test stays on loopback. */
export const UNRESOLVABLE_HOST = `no-such-host-${'x'.repeat(60)}`

export interface SshHome {
  /** HOME for the product and the docker CLI; PATH puts `bin/ssh` first. */
  readonly env: NodeJS.ProcessEnv
  readonly home: string
}

/**
A throwaway HOME with a user's usual ssh set-up: `.ssh/config` with host aliases, a key, known_hosts.
OpenSSH takes `~` from the password database, not from $HOME, so `bin/ssh` (first on PATH) runs the
real /usr/bin/ssh with `-F $HOME/.ssh/config`; everything else is ssh's own behaviour. The product and
the docker CLI both run plain `ssh` from PATH, so both get it.

Aliases: `lab` (works), `lab-nodocker` (a login whose PATH has no docker), `lab-nokey` (no key the
server knows), `lab-changed` (known_hosts holds another key), `lab-unknown` (no known_hosts entry),
`lab-refused` (a port nothing listens on), `lab-noname` (a HostName that cannot resolve),
`lab-hang` (HostName/Port given by `hangPort`, a listener that never speaks).
*/
export async function sshHome(options: {refusedPort: number; hangPort?: number}): Promise<SshHome> {
  const s = sshLab()
  const home = await mkdtemp(path.join(tmpdir(), 'de-sshhome-'))
  const ssh = path.join(home, '.ssh')
  await mkdir(ssh, {mode: 0o700})
  await mkdir(path.join(home, 'bin'))
  const key = path.join(ssh, 'id_lab')
  await copyFile(s.clientKey, key)
  await chmod(key, 0o600)
  const otherKey = path.join(ssh, 'other_host_key')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'not-the-lab-host', '-f', otherKey])
  const other = readFileSync(`${otherKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
  const known = [`[127.0.0.1]:${s.port} ${s.hostPublicKey}`, `[127.0.0.1]:${s.noDockerPort} ${s.hostPublicKey}`, `lab-changed-key ${other}`]
  await writeFile(path.join(ssh, 'known_hosts'), `${known.join('\n')}\n`)
  // The remote docker talks to the engine this test run is on, as a user points a remote CLI at a
  // daemon that is not its default (the lab's sshd accepts DOCKER_HOST).
  const engineHost = lab().engine.host
  const common = (extra: string[]) =>
    [`  User root`, `  IdentitiesOnly yes`, `  UserKnownHostsFile ${path.join(ssh, 'known_hosts')}`, `  StrictHostKeyChecking yes`, `  SetEnv DOCKER_HOST=${engineHost}`, ...extra].join('\n')
  const hosts: Array<[string, string[]]> = [
    ['lab', [`  HostName 127.0.0.1`, `  Port ${s.port}`, `  IdentityFile ${key}`]],
    ['lab-nodocker', [`  HostName 127.0.0.1`, `  Port ${s.noDockerPort}`, `  IdentityFile ${key}`]],
    ['lab-nokey', [`  HostName 127.0.0.1`, `  Port ${s.port}`, `  IdentityFile ${path.join(ssh, 'other_host_key')}`]],
    ['lab-changed', [`  HostName 127.0.0.1`, `  Port ${s.port}`, `  IdentityFile ${key}`, `  HostKeyAlias lab-changed-key`]],
    ['lab-unknown', [`  HostName 127.0.0.1`, `  Port ${s.port}`, `  IdentityFile ${key}`, `  HostKeyAlias lab-never-seen`]],
    ['lab-refused', [`  HostName 127.0.0.1`, `  Port ${options.refusedPort}`, `  IdentityFile ${key}`]],
    ['lab-noname', [`  HostName ${UNRESOLVABLE_HOST}`, `  IdentityFile ${key}`]],
    ...(options.hangPort === undefined ? [] : [['lab-hang', [`  HostName 127.0.0.1`, `  Port ${options.hangPort}`, `  IdentityFile ${key}`]] as [string, string[]]]),
    // ssh://root@127.0.0.1:PORT with the key named for that address, as the field report had it.
    ['127.0.0.1', [`  IdentityFile ${key}`]],
  ]
  await writeFile(path.join(ssh, 'config'), hosts.map(([name, lines]) => `Host ${name}\n${common(lines)}\n`).join('\n'))
  const wrapper = path.join(home, 'bin', 'ssh')
  // It also logs its argv to $HOME/ssh-argv.log, so a test can compare ours with the docker CLI's.
  await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> "$HOME/ssh-argv.log"\nexec /usr/bin/ssh -F "$HOME/.ssh/config" "$@"\n`)
  await chmod(wrapper, 0o755)
  return {home, env: {HOME: home, PATH: `${path.join(home, 'bin')}:${process.env.PATH ?? ''}`}}
}

/**
Pids of ssh processes whose argv names `alias` and this HOME's config (the wrapper passes `-F HOME/.ssh/config`):
what must be gone after a failure. The HOME keeps apart the same test running on each lab engine at once.
*/
export function sshProcessesFor(alias: string, home: SshHome): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], {encoding: 'utf8'})
  return out
    .split('\n')
    .filter((line) => /\/usr\/bin\/ssh |^\s*\d+\s+ssh /.test(line) && line.includes(` ${alias} docker system dial-stdio`))
    .filter((line) => line.includes(path.join(home.home, '.ssh', 'config')))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
}
