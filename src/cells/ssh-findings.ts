import type {DockerCallError} from '../core/docker/client.js'
import type {DockerEndpoint} from '../core/docker/endpoint.js'

export interface SshFinding {
  readonly id: string
  readonly title: string
  readonly detail: string
  readonly fix: string
}

/** What the user types to reach the same place: `ssh [-l user] [-p port] host`. */
function sshCommand(endpoint: DockerEndpoint): string {
  return ['ssh', ...(endpoint.username ? ['-l', endpoint.username] : []), ...(endpoint.port === undefined ? [] : ['-p', String(endpoint.port)]), endpoint.hostname ?? ''].join(' ')
}

/**
Findings for an `ssh://` endpoint that could not be reached. They come from what the system ssh
printed (the transport runs it exactly as the docker CLI does), so the fixes are ssh fixes.
*/
export function sshFinding(endpoint: DockerEndpoint, error: DockerCallError, timeoutMs: number): SshFinding {
  const host = endpoint.hostname ?? endpoint.host
  const ssh = sshCommand(endpoint)
  const said = error.message
  const check = `\`${ssh} docker version\` runs the same path by hand.`
  const kind = error.code?.startsWith('SSH_') ? error.code.slice(4).toLowerCase() : error.failure === 'timeout' ? 'timeout' : 'other'
  switch (kind) {
    case 'refused':
      return {
        id: 'docker-ssh-refused',
        title: `ssh to ${host} was refused`,
        detail: `${said}. No ssh server listens at that address and port. ${endpoint.reason}`,
        fix: `Check the host and port ssh uses (\`ssh -G ${host} | grep -E '^(hostname|port) '\`); start the remote's ssh server (Debian/Ubuntu: \`sudo systemctl start ssh\`), or fix the port in the endpoint (ssh://USER@HOST:PORT) or in ~/.ssh/config. ${check}`,
      }
    case 'name_not_found':
      return {
        id: 'docker-ssh-name-not-found',
        title: `ssh cannot resolve ${host}`,
        detail: `${said}. The name is neither a Host alias with a HostName in your ssh config nor a name DNS knows. ${endpoint.reason}`,
        fix: `Add \`Host ${host}\` with a \`HostName\` line to ~/.ssh/config, or fix the name in DOCKER_HOST or the docker context. \`ssh -G ${host} | grep ^hostname\` shows the name ssh looks up.`,
      }
    case 'auth_failed':
      return {
        id: 'docker-ssh-auth-failed',
        title: `The ssh server at ${host} refused every key offered`,
        detail: `${said}. ssh reached the server but none of its keys (agent, IdentityFile lines in ~/.ssh/config, ~/.ssh/id_*) is authorised for that user.`,
        fix: `Load your key into the agent (\`ssh-add ~/.ssh/id_ed25519\`) or name it with \`IdentityFile\` under \`Host ${host}\` in ~/.ssh/config, and check the user (ssh://USER@HOST or \`User\`). Install the public key on the remote with \`ssh-copy-id\`. \`${ssh} -v true\` lists the keys offered.`,
      }
    case 'host_key_changed':
      return {
        id: 'docker-ssh-host-key-changed',
        title: `The ssh host key of ${host} changed`,
        detail: `${said}. The key the server showed is not the one in your known_hosts, so ssh refused to connect. That is what a reinstalled server looks like, and also what an interception looks like.`,
        fix: `Find out why the key changed before you go on. If the server was reinstalled, remove the old key (\`ssh-keygen -R ${endpoint.port === undefined ? host : `'[${host}]:${endpoint.port}'`}\`, or the line ssh names), then connect once with \`${ssh}\` and compare the fingerprint it shows with the server's.`,
      }
    case 'host_key_unknown':
      return {
        id: 'docker-ssh-host-key-unknown',
        title: `ssh does not know the host key of ${host} yet`,
        detail: `${said}. The notebook runs ssh with BatchMode, so ssh cannot ask you to accept a new host key.`,
        fix: `Connect once by hand with \`${ssh}\`, check the fingerprint and accept it; then run this again.`,
      }
    case 'no_docker':
      return {
        id: 'docker-ssh-no-docker',
        title: `${host} has no \`docker\` on the PATH ssh sessions get`,
        detail: `${said}. ssh logged in, but the remote shell could not run \`docker system dial-stdio\`: that is how the docker CLI, and this notebook, talk to a daemon over ssh.`,
        fix: `Install the docker CLI on ${host} (Debian/Ubuntu: \`sudo apt-get install docker.io\`), or make it reachable for non-interactive sessions; \`${ssh} command -v docker\` shows what they find.`,
      }
    case 'timeout':
      return {
        id: 'docker-ssh-timeout',
        title: `ssh to ${host} got no answer within ${timeoutMs} ms`,
        detail: `${said}. The ssh process was stopped; something accepts or drops the connection but no ssh server answered in time. ${endpoint.reason}`,
        fix: `Check the host is up and its ssh port is not filtered (\`${ssh} -v true\`); raise the wait with --timeout MS on a slow link.`,
      }
    case 'no_ssh':
      return {
        id: 'docker-ssh-missing',
        title: 'No `ssh` program to reach the Docker host with',
        detail: `${said}. ssh:// endpoints run the system ssh, as the docker CLI does.`,
        fix: 'Install the OpenSSH client (Debian/Ubuntu: `sudo apt-get install openssh-client`; macOS ships it).',
      }
    default:
      return {
        id: 'docker-ssh',
        title: `The Docker daemon behind ssh://${host} could not be reached`,
        detail: `${said}.`,
        fix: `${check[0]?.toUpperCase() ?? ''}${check.slice(1)} Read its error: it is what the docker CLI prints for this endpoint.`,
      }
  }
}
