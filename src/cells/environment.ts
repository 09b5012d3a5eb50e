import type Docker from 'dockerode'
import {classifyDockerError, withTimeout, type DockerCallError} from '../core/docker/client.js'
import {clientOnlyEnv} from '../core/docker/client-only-env.js'
import type {DockerEndpoint} from '../core/docker/endpoint.js'
import {explainInfoWarning} from '../core/docker/info-warnings.js'
import type {Recorder} from '../core/notebook/recorder.js'
import {hostFacts} from '../core/system/host.js'
import {sshFinding} from './ssh-findings.js'
import type {CellContext, CellDefinition} from './cell.js'

const MIN_NODE_MAJOR = 22

function timeoutOf(ctx: CellContext): number {
  return ctx.settings.dockerTimeoutMs
}

/** Platform-specific fixes for a daemon that can't be reached. */
function unreachableFinding(endpoint: DockerEndpoint, error: DockerCallError, timeoutMs: number, platform: NodeJS.Platform) {
  // Over ssh every failure is on the ssh leg or the remote: local socket and systemctl advice would be wrong.
  if (endpoint.protocol === 'ssh') return sshFinding(endpoint, error, timeoutMs)
  const where = endpoint.socketPath ?? `${endpoint.hostname}:${endpoint.port}`
  const mac = platform === 'darwin'
  const startDocker = mac
    ? 'Start Docker Desktop (or `colima start`). Docker Desktop 4.13+ keeps its socket at ~/.docker/run/docker.sock: `export DOCKER_HOST=unix://$HOME/.docker/run/docker.sock`, or `docker context use desktop-linux`.'
    : 'Start the daemon: `sudo systemctl start docker.service` (check why it stopped with `journalctl -u docker.service -e`). If Docker is not installed, install Docker Engine (Debian/Ubuntu: `sudo apt-get install docker.io`).'
  switch (error.failure) {
    case 'socket_missing':
      return {
        id: 'docker-socket-missing',
        title: `No Docker socket at ${where}`,
        detail: `Nothing exists at ${where}, so no Docker daemon is running there (or it listens somewhere else). ${endpoint.reason}`,
        fix: startDocker,
      }
    case 'permission_denied':
      return {
        id: 'docker-socket-permission',
        title: `Permission denied on ${where}`,
        detail: `The socket exists but this user may not open it. Access to the Docker socket is root-equivalent, so it is limited to root and the "docker" group.`,
        fix: mac
          ? 'Restart Docker Desktop so it recreates the socket with your user as owner.'
          : 'Add yourself to the docker group: `sudo usermod -aG docker $USER`, then log out and back in (or run `newgrp docker`). Or use rootless Docker.',
      }
    case 'refused':
      return endpoint.protocol === 'tcp'
        ? {
            id: 'docker-tcp-refused',
            title: `Nothing listens on ${where}`,
            detail: `The connection to ${where} was refused: no daemon listens on that port. ${endpoint.reason}`,
            fix: `Check the address (\`echo $DOCKER_HOST\`, \`docker context ls\`), and that the remote dockerd has \`-H tcp://0.0.0.0:${endpoint.port ?? 2376}\` or a "hosts" entry; or unset DOCKER_HOST to use the local socket.`,
          }
        : {
            id: 'docker-socket-stale',
            title: `The Docker socket ${where} refuses connections`,
            detail: 'The socket file is there but no daemon accepts on it: dockerd stopped or crashed and left the file behind.',
            fix: startDocker,
          }
    case 'timeout':
      return {
        id: 'docker-not-answering',
        title: `The Docker daemon at ${where} does not answer`,
        detail: `It accepted the connection but sent no answer within ${timeoutMs} ms: the daemon is hung, overloaded, or something else holds the socket.`,
        fix: mac
          ? 'Restart Docker Desktop from its menu; if it keeps hanging, use Troubleshoot > Restart.'
          : 'Restart it: `sudo systemctl restart docker.service`, and read `journalctl -u docker.service -e` for the cause. Raise the wait with --timeout MS if the machine is just slow.',
      }
    case 'dns':
      return {
        id: 'docker-host-unresolvable',
        title: `Can't resolve the Docker host ${endpoint.hostname ?? ''}`,
        detail: `The name in ${endpoint.host} does not resolve. ${endpoint.reason}`,
        fix: 'Fix the host name in DOCKER_HOST or the docker context, or unset DOCKER_HOST to use the local daemon.',
      }
    case 'tls':
      return {
        id: 'docker-tls',
        title: `TLS to the Docker daemon at ${where} failed`,
        detail: `The TLS handshake failed: ${error.message}. The client certificates (${endpoint.tls?.from ?? 'none'}) do not match what the daemon expects.`,
        fix: 'Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or the context TLS files, and that DOCKER_TLS_VERIFY matches how the daemon was started.',
      }
    default:
      return {
        id: 'docker-api-error',
        title: `The Docker daemon at ${where} answered with an error`,
        detail: error.message,
        fix: mac ? 'Restart Docker Desktop.' : 'Check `journalctl -u docker.service -e`, then `sudo systemctl restart docker.service`.',
      }
  }
}

async function api<T>(rec: Recorder, argv: string[], timeoutMs: number, run: () => Promise<T>): Promise<T> {
  return rec.call('api', argv, () => withTimeout(run().catch((e: unknown) => Promise.reject(classifyDockerError(e))), timeoutMs, `${argv.join(' ')}`))
}

async function checkCli(ctx: CellContext, platform: NodeJS.Platform): Promise<void> {
  const rec = ctx.recorder
  // Asked with no daemon to reach, so a hung daemon cannot stall this check (old CLIs ping it first).
  const result = await rec.exec('docker', ['--version'], {timeoutMs: Math.max(timeoutOf(ctx), 5000), env: clientOnlyEnv(ctx.env)})
  if (result.notFound) {
    rec.finding({
      id: 'docker-cli-missing',
      status: 'fail',
      title: 'The docker CLI is not installed',
      detail: "No `docker` program is on PATH. dagger's dev build and the dagger CLI drive the engine container through it (`docker-container://` runner hosts run `docker exec`).",
      fix: platform === 'darwin'
        ? 'Install Docker Desktop (it puts `docker` on PATH), or `brew install docker` with colima.'
        : 'Install the client: `sudo apt-get install docker.io` (Debian/Ubuntu) or `docker-ce-cli` from Docker\'s repository.',
    })
    return
  }
  const version = /Docker version ([^\s,]+)/.exec(result.stdout)?.[1]
  if (version) {
    rec.fact('Docker client', version)
  } else {
    rec.finding({
      id: 'docker-cli-broken',
      status: 'warn',
      title: 'The docker CLI did not print its version',
      detail: `\`docker --version\` exited ${result.exitCode ?? 'without finishing'} without a client version${result.timedOut ? ' (it timed out)' : ''}.`,
      fix: 'Run `docker --version` yourself and read its error; reinstall the docker CLI if it is broken.',
    })
  }
}

async function checkDaemon(ctx: CellContext, endpoint: DockerEndpoint, platform: NodeJS.Platform): Promise<void> {
  const rec = ctx.recorder
  const timeoutMs = timeoutOf(ctx)
  let docker: Docker
  try {
    docker = await ctx.docker.client(timeoutMs)
  } catch (error) {
    rec.finding({status: 'fail', ...unreachableFinding(endpoint, classifyDockerError(error), timeoutMs, platform)})
    return
  }
  try {
    const ping = await api(rec, ['GET', '/_ping'], timeoutMs, async () => String(await docker.ping()))
    if (ping.trim() !== 'OK') throw classifyDockerError(new Error(`/_ping answered "${ping}" instead of OK`))
  } catch (error) {
    rec.finding({status: 'fail', ...unreachableFinding(endpoint, classifyDockerError(error), timeoutMs, platform)})
    return
  }
  try {
    const version = await api(rec, ['GET', '/version'], timeoutMs, () => docker.version())
    rec.fact('Docker server', `${version.Version} (API ${version.ApiVersion}, minimum ${version.MinAPIVersion ?? '?'}) ${version.Os}/${version.Arch}`)
    if (version.Components) rec.fact('Server components', version.Components.map((c) => `${c.Name} ${c.Version}`).join(', '))
    rec.finding({id: 'docker-daemon-answers', status: 'pass', title: `Docker ${version.Version} answers at ${endpoint.host}`})
  } catch (error) {
    rec.finding({status: 'fail', ...unreachableFinding(endpoint, classifyDockerError(error), timeoutMs, platform)})
    return
  }
  try {
    const info = (await api(rec, ['GET', '/info'], timeoutMs, () => docker.info())) as {
      Name?: string
      Warnings?: string[] | null
      CgroupVersion?: string
      CgroupDriver?: string
      Driver?: string
      DockerRootDir?: string
      OperatingSystem?: string
      SecurityOptions?: string[]
    }
    rec.fact('Daemon host', `${info.Name ?? '?'} (${info.OperatingSystem ?? '?'})`)
    rec.fact('Daemon storage', `${info.Driver ?? '?'} in ${info.DockerRootDir ?? '?'}`)
    rec.fact('Daemon cgroups', `${info.CgroupVersion ? `v${info.CgroupVersion}` : '?'} with the ${info.CgroupDriver ?? '?'} driver`)
    if (info.SecurityOptions?.some((o) => o.includes('rootless'))) rec.fact('Daemon mode', 'rootless')
    for (const raw of info.Warnings ?? []) {
      const warning = raw.replace(/^WARNING:\s*/i, '')
      const explained = explainInfoWarning(warning)
      rec.finding({id: explained.id, status: 'warn', title: `docker info: ${warning}`, detail: explained.detail, fix: explained.fix})
    }
  } catch (error) {
    const failure = classifyDockerError(error)
    rec.finding({
      id: 'docker-info-failed',
      status: 'warn',
      title: "The daemon's /info could not be read",
      detail: `The daemon answered /_ping and /version but /info failed: ${failure.message}.`,
      fix: 'Run `docker info` to see the error; a daemon that is starting up or busy can be slow to answer /info.',
    })
  }
}

export const environmentCell: CellDefinition<'environment'> = {
  id: 'environment',
  async run(ctx) {
    const rec = ctx.recorder
    const host = await rec.call('file', ['cat', '/etc/os-release'], () => hostFacts(), (h) => `${h.os}\n${h.kernel}\ncgroup ${h.cgroup}`)
    rec.fact('OS', host.os)
    rec.fact('Kernel', host.kernel)
    rec.fact('Architecture', host.arch)
    rec.fact('Node', host.node)
    if (host.platform === 'linux') rec.fact('cgroups', host.cgroup)
    const major = Number(process.versions.node.split('.')[0])
    if (major < MIN_NODE_MAJOR) {
      rec.finding({
        id: 'node-too-old',
        status: 'warn',
        title: `Node ${process.version} is older than ${MIN_NODE_MAJOR}`,
        detail: `dagger-explore is built for Node ${MIN_NODE_MAJOR} or newer; Node 20 reached end of life in 2026.`,
        fix: 'Install a current Node (e.g. `nvm install 24`).',
      })
    }
    if (host.platform === 'linux' && host.cgroup === 'v1') {
      rec.finding({
        id: 'cgroup-v1-host',
        status: 'warn',
        title: 'The host uses cgroup v1',
        detail: "dagger-entrypoint.sh sets up cgroup v2 nesting when it can; on v1 the engine still runs, but current Docker releases deprecate v1 and newer engines are tested on v2.",
        fix: 'Boot with `systemd.unified_cgroup_hierarchy=1` on the kernel command line when you can.',
      })
    }

    const endpoint = ctx.docker.endpoint
    if (endpoint === undefined) {
      const error = ctx.docker.error
      rec.finding({id: 'docker-endpoint-invalid', status: 'fail', title: "Can't tell which Docker daemon to use", detail: error?.message ?? 'No endpoint was chosen.', fix: error?.fix ?? 'Check DOCKER_HOST and DOCKER_CONTEXT.', ...(error?.docs === undefined ? {} : {docs: error.docs})})
      await checkCli(ctx, host.platform)
      return
    }
    rec.fact('Docker endpoint', endpoint.host)
    rec.fact('Chosen by', endpoint.reason)
    for (const warning of endpoint.warnings ?? []) {
      rec.finding({
        id: 'docker-config-skipped',
        status: 'warn',
        title: 'The docker config file was skipped',
        detail: warning.detail,
        fix: warning.fix,
      })
    }
    if (endpoint.tls) rec.fact('Docker TLS', `${endpoint.tls.verify ? 'verified' : 'not verified'}, files from ${endpoint.tls.from}`)
    if (!endpoint.local) rec.fact('Daemon location', `remote (${endpoint.hostname ?? endpoint.host}): cells that read local files describe this machine, not the daemon's`)
    await Promise.all([checkCli(ctx, host.platform), checkDaemon(ctx, endpoint, host.platform)])
  },
}
