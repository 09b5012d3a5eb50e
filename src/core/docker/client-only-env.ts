/**
The environment for a docker CLI call that needs only the client (`docker --version`).

Docker CLIs before 23 (Debian 12's docker.io is 20.10) ping the daemon while they start, for every
command and with no deadline on a unix socket, so `docker --version` against a daemon that accepts
but never answers hangs until it is killed. Pointed at a socket that cannot exist, the ping fails at
once and the client prints its version; newer CLIs never ping for it. The daemon is checked on its
own, with its own deadline.
*/
export const NO_DAEMON_HOST = 'unix:///nonexistent/dagger-explore-client-only.sock'

export function clientOnlyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const {DOCKER_CONTEXT: _context, ...rest} = env
  return {...rest, DOCKER_HOST: NO_DAEMON_HOST}
}
